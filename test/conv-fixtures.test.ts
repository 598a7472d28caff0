// Convolution in 1-D and 3-D, transposed convolutions, pooling (ceilMode, countIncludePad, adaptive, maxUnpool),
// interpolate, pixelShuffle and fold/unfold against PyTorch: values, max pooling's indices, and gradients
// (test/fixtures/torch-conv.json, from tools/gen_torch_conv_fixtures.py).
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { assertMatches, testRecordedCases } from "./helpers/fixture.js";
import type { Encoded, RecordedCase } from "./helpers/fixture.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

type Arg = number | string | boolean | null | (number | null)[];
type Case = RecordedCase<Arg>;

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-conv.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };


function assertClose(got: Tensor, want: Encoded, what: string): void {
  const [rtol, atol] = want.dtype === "float64" ? [1e-9, 1e-10] : want.dtype === "float32" ? [1e-4, 1e-5] : [0, 0];
  assertMatches(got, want, what, rtol, atol);
}

// ---- the args as chainrule takes them ----

type Opts = Record<string, unknown>;
function opts(args: Readonly<Record<string, Arg>>, ...skip: string[]): Opts {
  return Object.fromEntries(Object.entries(args).filter(([k]) => !skip.includes(k)));
}
const size = (v: Arg) => v as number | number[];
const both = (pair: [Tensor, Tensor]) => pair;

type Op = (xs: Tensor[], a: Readonly<Record<string, Arg>>) => Tensor | [Tensor, Tensor];
const conv = (fn: (x: Tensor, w: Tensor, b: Tensor | null, o: Opts) => Tensor): Op => (xs, a) => fn(xs[0]!, xs[1]!, xs[2] ?? null, opts(a));

const OPS: Readonly<Record<string, Op>> = {
  conv1d: conv(F.conv1d),
  conv3d: conv(F.conv3d),
  convTranspose1d: conv(F.convTranspose1d),
  convTranspose2d: conv(F.convTranspose2d),
  convTranspose3d: conv(F.convTranspose3d),
  maxPool1d: ([x], a) => both(F.maxPool1dWithIndices(x!, size(a.kernelSize!), opts(a, "kernelSize"))),
  maxPool2d: ([x], a) => both(F.maxPool2dWithIndices(x!, size(a.kernelSize!) as number, opts(a, "kernelSize"))),
  maxPool3d: ([x], a) => both(F.maxPool3dWithIndices(x!, size(a.kernelSize!), opts(a, "kernelSize"))),
  avgPool1d: ([x], a) => F.avgPool1d(x!, size(a.kernelSize!), opts(a, "kernelSize")),
  avgPool2d: ([x], a) => F.avgPool2d(x!, size(a.kernelSize!) as number, opts(a, "kernelSize")),
  avgPool3d: ([x], a) => F.avgPool3d(x!, size(a.kernelSize!), opts(a, "kernelSize")),
  adaptiveAvgPool1d: ([x], a) => F.adaptiveAvgPool1d(x!, a.outputSize as number),
  adaptiveAvgPool2d: ([x], a) => F.adaptiveAvgPool2d(x!, a.outputSize as number),
  adaptiveAvgPool3d: ([x], a) => F.adaptiveAvgPool3d(x!, a.outputSize as number),
  adaptiveMaxPool1d: ([x], a) => both(F.adaptiveMaxPool1dWithIndices(x!, a.outputSize as number)),
  adaptiveMaxPool2d: ([x], a) => both(F.adaptiveMaxPool2dWithIndices(x!, a.outputSize as number)),
  adaptiveMaxPool3d: ([x], a) => both(F.adaptiveMaxPool3dWithIndices(x!, a.outputSize as number)),
  maxUnpool1d: ([v, i], a) => F.maxUnpool1d(v!, i!, size(a.kernelSize!), opts(a, "kernelSize") as { outputSize: number[] }),
  maxUnpool2d: ([v, i], a) => F.maxUnpool2d(v!, i!, size(a.kernelSize!), opts(a, "kernelSize") as { outputSize: number[] }),
  maxUnpool3d: ([v, i], a) => F.maxUnpool3d(v!, i!, size(a.kernelSize!), opts(a, "kernelSize") as { outputSize: number[] }),
  interpolate: ([x], a) => F.interpolate(x!, opts(a)),
  pixelShuffle: ([x], a) => F.pixelShuffle(x!, a.factor as number),
  pixelUnshuffle: ([x], a) => F.pixelUnshuffle(x!, a.factor as number),
  unfold: ([x], a) => F.unfold(x!, a.kernelSize as number, opts(a, "kernelSize")),
  fold: ([x], a) => F.fold(x!, a.outputSize as [number, number], a.kernelSize as number, opts(a, "kernelSize", "outputSize")),
};

testRecordedCases(fixture, OPS, assertClose);
