// Small seeded 2-D classification datasets: xor, moons, circles (scikit-learn's) and spirals (CS231n's).
import { ArgumentError } from "../errors.js";
import type { Generator } from "../random.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromOwnedArray } from "../io/wrap.js";
import { checkInt, checkNumber, checkOptions, permutation, resolveGenerator } from "./options.js";

/** Points and their class labels: `x` float32 [n, 2], `y` int32 [n]. */
export interface Points {
  /** The points, float32 `[n, 2]`. */
  x: Tensor;
  /** Each point's class, int32 `[n]`. */
  y: Tensor;
}

/** Options every generator takes. */
export interface SyntheticOptions {
  /** Standard deviation of Gaussian noise added to each coordinate (default 0, no noise). */
  noise?: number;
  /** Seed of a new generator for this call; without it or `generator`, the default generator (`cr.manualSeed`) is used. */
  seed?: number;
  /** The generator to draw from. */
  generator?: Generator;
}

/** Options of the synthetic datasets that can shuffle their samples (`moons`). */
export interface ShuffleOptions extends SyntheticOptions {
  /** Shuffle the samples, as scikit-learn does by default (default true); else class 0 comes first. */
  shuffle?: boolean;
}

/** Options of `cr.data.circles`. */
export interface CirclesOptions extends ShuffleOptions {
  /** Radius of the inner circle relative to the outer one, in [0, 1) (default 0.8, as scikit-learn). */
  factor?: number;
}

/** Options of `cr.data.spirals`. */
export interface SpiralsOptions extends SyntheticOptions {
  /** Number of spiral arms, one class each (default 3, as CS231n). */
  classes?: number;
  /** Standard deviation of the noise added to each point's angle, in radians (default 0.2, as CS231n). */
  noise?: number;
}

const BASE = ["noise", "seed", "generator"];

/**
 * The XOR problem. With no `n`, the four points of the truth table, (0,0) (0,1) (1,0) (1,1) labelled
 * 0 1 1 0. With `n`, n points cycling through those corners in that order (so the classes balance
 * when n is a multiple of 4), each moved by Gaussian noise of standard deviation `noise`.
 * @example
 * const { x, y } = cr.data.xor();                             // x [4,2], y [0,1,1,0]
 * const noisy = cr.data.xor(400, { noise: 0.15, seed: 0 });   // x [400,2], y [400]
 */
export function xor(n = 4, opts: SyntheticOptions = {}): Points {
  const op = "xor";
  checkOptions(op, opts, BASE);
  checkInt(op, "n", n, 1);
  const noise = checkNumber(op, "noise", opts.noise ?? 0, 0);
  const g = resolveGenerator(op, opts);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = (i >> 1) & 1;
    const b = i & 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a ^ b;
  }
  return finish(x, y, g, noise, false);
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): the upper moon, class 0, has
 * floor(n/2) points on the unit half circle; the lower, class 1, the rest, shifted by (1, -0.5).
 * @example
 * const { x, y } = cr.data.moons(200, { noise: 0.1, seed: 0 }); // x [200,2] float32, y [200] int32
 */
export function moons(n = 100, opts: ShuffleOptions = {}): Points {
  const op = "moons";
  checkOptions(op, opts, [...BASE, "shuffle"]);
  checkInt(op, "n", n, 1);
  const noise = checkNumber(op, "noise", opts.noise ?? 0, 0);
  const g = resolveGenerator(op, opts);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  const tOut = linspace(0, Math.PI, nOut, true);
  const tIn = linspace(0, Math.PI, nIn, true);
  for (let i = 0; i < nOut; i++) {
    x[2 * i] = Math.cos(tOut[i]!);
    x[2 * i + 1] = Math.sin(tOut[i]!);
  }
  for (let i = 0; i < nIn; i++) {
    const k = nOut + i;
    x[2 * k] = 1 - Math.cos(tIn[i]!);
    x[2 * k + 1] = 1 - Math.sin(tIn[i]!) - 0.5;
    y[k] = 1;
  }
  return finish(x, y, g, noise, opts.shuffle ?? true);
}

/**
 * A large circle containing a smaller one (scikit-learn's `make_circles`): class 0 has floor(n/2)
 * points evenly spaced on the unit circle, class 1 the rest on a circle of radius `factor`.
 * @example
 * const { x, y } = cr.data.circles(200, { noise: 0.05, factor: 0.5, seed: 0 });
 */
export function circles(n = 100, opts: CirclesOptions = {}): Points {
  const op = "circles";
  checkOptions(op, opts, [...BASE, "shuffle", "factor"]);
  checkInt(op, "n", n, 1);
  const noise = checkNumber(op, "noise", opts.noise ?? 0, 0);
  const factor = checkNumber(op, "factor", opts.factor ?? 0.8, 0);
  if (factor >= 1) throw new ArgumentError(`circles: factor must be in [0, 1), got ${factor}`);
  const g = resolveGenerator(op, opts);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  const tOut = linspace(0, 2 * Math.PI, nOut, false);
  const tIn = linspace(0, 2 * Math.PI, nIn, false);
  for (let i = 0; i < nOut; i++) {
    x[2 * i] = Math.cos(tOut[i]!);
    x[2 * i + 1] = Math.sin(tOut[i]!);
  }
  for (let i = 0; i < nIn; i++) {
    const k = nOut + i;
    x[2 * k] = factor * Math.cos(tIn[i]!);
    x[2 * k + 1] = factor * Math.sin(tIn[i]!);
    y[k] = 1;
  }
  return finish(x, y, g, noise, opts.shuffle ?? true);
}

/**
 * Interleaved spiral arms, one class each (the CS231n spiral): arm j has radius r from 0 to 1 and
 * angle 4j + 4r plus Gaussian noise, at point (r sin t, r cos t). The n points are split as evenly
 * as possible, earlier arms taking the remainder; class j's points come together, in order of r.
 * @example
 * const { x, y } = cr.data.spirals(300, { classes: 3, seed: 0 }); // 100 points per class
 */
export function spirals(n = 300, opts: SpiralsOptions = {}): Points {
  const op = "spirals";
  checkOptions(op, opts, [...BASE, "classes"]);
  checkInt(op, "n", n, 1);
  const classes = checkInt(op, "classes", opts.classes ?? 3, 1);
  const noise = checkNumber(op, "noise", opts.noise ?? 0.2, 0);
  const g = resolveGenerator(op, opts);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  let k = 0;
  for (let j = 0; j < classes; j++) {
    const m = Math.floor(n / classes) + (j < n % classes ? 1 : 0);
    const r = linspace(0, 1, m, true);
    const t = linspace(4 * j, 4 * (j + 1), m, true);
    for (let i = 0; i < m; i++, k++) {
      const angle = t[i]! + (noise > 0 ? noise * g.normal() : 0);
      x[2 * k] = r[i]! * Math.sin(angle);
      x[2 * k + 1] = r[i]! * Math.cos(angle);
      y[k] = j;
    }
  }
  return finish(x, y, g, 0, false);
}

// NumPy's linspace: `num` points from start, to stop inclusive when `endpoint`.
function linspace(start: number, stop: number, num: number, endpoint: boolean): Float64Array {
  const out = new Float64Array(num);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

// Shuffles (when asked) and then adds noise, in scikit-learn's order, and makes the tensors.
function finish(x: Float64Array, y: Int32Array, g: Generator, noise: number, shuffle: boolean): Points {
  const n = y.length;
  let xs = x;
  let ys = y;
  if (shuffle) {
    const p = permutation(n, g);
    xs = new Float64Array(2 * n);
    ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      xs[2 * i] = x[2 * p[i]!]!;
      xs[2 * i + 1] = x[2 * p[i]! + 1]!;
      ys[i] = y[p[i]!]!;
    }
  }
  const out = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) out[i] = xs[i]! + (noise > 0 ? noise * g.normal() : 0);
  return { x: fromOwnedArray(out, [n, 2]), y: fromOwnedArray(ys, [n]) };
}
