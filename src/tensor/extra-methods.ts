// Tensor methods written by hand for ops added with issue 23 (the registry generates the elementwise ones):
// nanToNum, isclose/allclose, sampling (multinomial, bernoulli) and the in-place random fillers. Installed on
// Tensor.prototype by tensor.ts, as the generated methods are, and typed by the declarations below.
import type { NanToNumOptions, IscloseOptions } from "./closeness.js";
import { allclose, isclose, nanToNum, nanToNum_ } from "./closeness.js";
import { bernoulli_, cauchy_, exponential_, geometric_, logNormal_, normal_, random_, uniform_ } from "./random-fill.js";
import { bernoulli, multinomial } from "./sampling.js";
import type { BernoulliOptions, GeneratorOption } from "./sampling.js";
import type { Tensor } from "./tensor.js";

/** @internal Installs the methods below on Tensor.prototype (non-enumerable, as class methods are). */
export function installExtraMethods(proto: object): void {
  const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
    nanToNum(this: Tensor, opts?: NanToNumOptions) { return nanToNum(this, opts); },
    nanToNum_(this: Tensor, opts?: NanToNumOptions) { return nanToNum_(this, opts); },
    isclose(this: Tensor, other: Tensor, opts?: IscloseOptions) { return isclose(this, other, opts); },
    allclose(this: Tensor, other: Tensor, opts?: IscloseOptions) { return allclose(this, other, opts); },
    multinomial(this: Tensor, numSamples: number, replacement?: boolean, opts?: GeneratorOption) { return multinomial(this, numSamples, replacement, opts); },
    bernoulli(this: Tensor, p?: number | BernoulliOptions, opts?: GeneratorOption) { return bernoulli(this, p, opts); },
    bernoulli_(this: Tensor, p?: number | Tensor, opts?: GeneratorOption) { return bernoulli_(this, p, opts); },
    normal_(this: Tensor, mean?: number, std?: number, opts?: GeneratorOption) { return normal_(this, mean, std, opts); },
    uniform_(this: Tensor, from?: number, to?: number, opts?: GeneratorOption) { return uniform_(this, from, to, opts); },
    exponential_(this: Tensor, lambd?: number, opts?: GeneratorOption) { return exponential_(this, lambd, opts); },
    geometric_(this: Tensor, p: number, opts?: GeneratorOption) { return geometric_(this, p, opts); },
    cauchy_(this: Tensor, median?: number, sigma?: number, opts?: GeneratorOption) { return cauchy_(this, median, sigma, opts); },
    logNormal_(this: Tensor, mean?: number, std?: number, opts?: GeneratorOption) { return logNormal_(this, mean, std, opts); },
    random_(this: Tensor, fromOrTo?: number, to?: number, opts?: GeneratorOption) { return random_(this, fromOrTo, to, opts); },
  };
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

declare module "./tensor.js" {
  interface Tensor {
    /** NaN, +Infinity and −Infinity replaced (`cr.nanToNum`). @example x.nanToNum({ posinf: 1e6 }) */
    nanToNum(opts?: NanToNumOptions): Tensor;
    /**
     * `nanToNum` in place.
     * @example cr.tensor([NaN, Infinity, 1]).nanToNum_({ posinf: 100 }) // tensor([0, 100, 1])
     */
    nanToNum_(opts?: NanToNumOptions): this;
    /** Whether each element is close to `other`'s (`cr.isclose`). @example x.isclose(y, { atol: 1e-6 }) */
    isclose(other: Tensor, opts?: IscloseOptions): Tensor;
    /** Whether every element is close to `other`'s (`cr.allclose`). @example x.allclose(y) */
    allclose(other: Tensor, opts?: IscloseOptions): boolean;
    /** Category indices drawn by this tensor's weights (`cr.multinomial`). @example probs.multinomial(1) */
    multinomial(numSamples: number, replacement?: boolean, opts?: GeneratorOption): Tensor;
    /** 0/1 draws with this tensor's probabilities (`cr.bernoulli`). @example probs.bernoulli() */
    bernoulli(p?: number | BernoulliOptions, opts?: GeneratorOption): Tensor;
    /** Fills with 0/1 draws, 1 with probability `p` (a number, default 0.5, or a tensor). @example mask.bernoulli_(0.9) */
    bernoulli_(p?: number | Tensor, opts?: GeneratorOption): this;
    /** Fills with draws from N(mean, std²) (default 0, 1). @example w.normal_(0, 0.02) */
    normal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /** Fills with draws from U[from, to) (default [0, 1)). @example b.uniform_(-0.1, 0.1) */
    uniform_(from?: number, to?: number, opts?: GeneratorOption): this;
    /** Fills with draws from Exp(lambd) (default rate 1). @example t.exponential_() */
    exponential_(lambd?: number, opts?: GeneratorOption): this;
    /** Fills with the number of trials to the first success of probability `p`. @example t.geometric_(0.2) */
    geometric_(p: number, opts?: GeneratorOption): this;
    /** Fills with draws from Cauchy(median, sigma) (default 0, 1). @example t.cauchy_() */
    cauchy_(median?: number, sigma?: number, opts?: GeneratorOption): this;
    /** Fills with exp of draws from N(mean, std²) (default 1, 2). @example t.logNormal_(0, 0.5) */
    logNormal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /** Fills with random integers: [0, to), [from, to), or the dtype's non-negative range. @example t.random_(10) */
    random_(fromOrTo?: number, to?: number, opts?: GeneratorOption): this;
  }
}
