// The reductions, scans, sorting, shape, indexing and scatter ops (and issue 22's edge semantics) against PyTorch:
// values of every output and gradients of every input (test/fixtures/torch-shape.json, from
// tools/gen_torch_shape_fixtures.py), with ties, NaN, infinities and empty tensors. Runs on the default backend,
// and on wasm from test/backend-conformance.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
type Num = number | boolean | string;
interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64" | "int32" | "bool";
  readonly data: Num[];
}
type Json = number | boolean | string | null | Json[] | { [k: string]: Json };
type Args = Readonly<Record<string, Json>>;
interface Case {
  readonly name: string;
  readonly op: string;
  readonly args: Args;
  readonly inputs: (Encoded & { requiresGrad: boolean })[];
  readonly outputs: Encoded[];
  readonly gradOutputs: (Encoded | null)[] | null;
  readonly grads: (Encoded | null)[] | null;
  readonly valuesOnly: boolean;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-shape.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };

const special = (v: Num): number | boolean =>
  v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v === "-0" ? -0 : (v as number | boolean);

function build(e: Encoded, requiresGrad = false): Tensor {
  const data = e.data.map(special);
  const flat = cr.tensor(e.dtype === "bool" ? (data as boolean[]) : (data as number[]), { dtype: e.dtype });
  const t = flat.reshape(e.shape);
  return requiresGrad ? t.requiresGrad_(true) : t;
}

// ---- reading args ----

const has = (a: Args, k: string) => a[k] !== undefined && a[k] !== null;
function num(a: Args, k: string): number {
  const v = a[k];
  assert.ok(typeof v === "number" || typeof v === "string", `arg ${k} should be a number`);
  return special(v) as number;
}
const opt = (a: Args, k: string): number | undefined => (has(a, k) ? num(a, k) : undefined);
const bool = (a: Args, k: string, fallback: boolean): boolean => (has(a, k) ? (a[k] as boolean) : fallback);
const list = (a: Args, k: string): number[] => (a[k] as number[]).map((v) => special(v) as number);
const dims = (a: Args, k: string): number | number[] | undefined => (Array.isArray(a[k]) ? list(a, k) : opt(a, k));
const dtype = (a: Args): { dtype?: cr.DType } => (has(a, "dtype") ? { dtype: a.dtype as cr.DType } : {});

// The index items of a case: {"slice": [start, stop, step]} and {"tensor": k} (the k-th index tensor input).
function items(a: Args, tensors: readonly Tensor[]): cr.IndexItem[] {
  return (a.items as Json[]).map((it): cr.IndexItem => {
    if (it === null || typeof it === "number" || it === "..." || it === ":") return it;
    const o = it as { slice?: (number | null)[]; tensor?: number };
    if (o.slice !== undefined) return { start: o.slice[0] ?? null, stop: o.slice[1] ?? null, step: o.slice[2] ?? null };
    return tensors[o.tensor!]!;
  });
}

// ---- the ops ----

type Out = Tensor | readonly Tensor[] | cr.ValuesIndices | { min: Tensor; max: Tensor };
const OPS: Readonly<Record<string, (xs: Tensor[], a: Args) => Out>> = {
  prod: ([x], a) => x!.prod(opt(a, "dim"), bool(a, "keepdim", false), dtype(a)),
  sum: ([x], a) => x!.sum(dims(a, "dim"), bool(a, "keepdim", false), dtype(a)),
  cumsum: ([x], a) => x!.cumsum(num(a, "dim"), dtype(a)),
  cumprod: ([x], a) => x!.cumprod(num(a, "dim"), dtype(a)),
  logcumsumexp: ([x], a) => x!.logcumsumexp(num(a, "dim")),
  cummax: ([x], a) => x!.cummax(num(a, "dim")),
  cummin: ([x], a) => x!.cummin(num(a, "dim")),
  varMean: ([x], a) => cr.varMean(x!, dims(a, "dim"), { correction: opt(a, "correction") ?? 1, keepdim: bool(a, "keepdim", false) }),
  stdMean: ([x], a) => cr.stdMean(x!, dims(a, "dim"), { correction: opt(a, "correction") ?? 1, keepdim: bool(a, "keepdim", false) }),
  var: ([x], a) => x!.var(dims(a, "dim"), { correction: opt(a, "correction") ?? 1 }),
  std: ([x], a) => x!.std(dims(a, "dim"), { correction: opt(a, "correction") ?? 1 }),
  maxDim: ([x], a) => [x!.max(num(a, "dim")), x!.argmax(num(a, "dim"))],
  minDim: ([x], a) => [x!.min(num(a, "dim")), x!.argmin(num(a, "dim"))],
  softmax: ([x], a) => x!.softmax(num(a, "dim")),
  logsumexp: ([x], a) => x!.logsumexp(num(a, "dim")),
  maxAll: ([x]) => x!.max(),
  minAll: ([x]) => x!.min(),
  countNonzero: ([x], a) => x!.countNonzero(dims(a, "dim")),
  median: ([x], a) => (has(a, "dim") ? x!.median(num(a, "dim"), bool(a, "keepdim", false)) : x!.median()),
  aminmax: ([x], a) => x!.aminmax({ ...(has(a, "dim") ? { dim: num(a, "dim") } : {}), keepdim: bool(a, "keepdim", false) }),
  vectorNorm: ([x], a) => cr.linalg.vectorNorm(x!, opt(a, "ord") ?? 2, dims(a, "dim"), bool(a, "keepdim", false), dtype(a)),
  matrixNorm: ([x], a) => cr.linalg.matrixNorm(x!, a.ord === "fro" ? "fro" : num(a, "ord"), has(a, "dim") ? (list(a, "dim") as [number, number]) : undefined, bool(a, "keepdim", false)),
  norm: ([x], a) => x!.norm(opt(a, "p") ?? "fro", dims(a, "dim"), bool(a, "keepdim", false)),
  sort: ([x], a) => x!.sort({ dim: opt(a, "dim") ?? -1, descending: bool(a, "descending", false), stable: bool(a, "stable", false) }),
  argsort: ([x], a) => x!.argsort({ dim: opt(a, "dim") ?? -1, descending: bool(a, "descending", false) }),
  msort: ([x]) => x!.msort(),
  topk: ([x], a) => x!.topk(num(a, "k"), { dim: opt(a, "dim") ?? -1, largest: bool(a, "largest", true) }),
  kthvalue: ([x], a) => x!.kthvalue(num(a, "k"), opt(a, "dim") ?? -1, bool(a, "keepdim", false)),
  unique: ([x], a) => {
    const out = x!.unique({ returnInverse: bool(a, "returnInverse", false), returnCounts: bool(a, "returnCounts", false), ...(has(a, "dim") ? { dim: num(a, "dim") } : {}) });
    return out instanceof cr.Tensor ? out : (out as readonly Tensor[]);
  },
  pad: ([x], a) => cr.nn.functional.pad(x!, list(a, "pad"), { mode: (a.mode as cr.nn.functional.PadMode | undefined) ?? "constant", ...(has(a, "value") ? { value: num(a, "value") } : {}) }),
  flip: ([x], a) => x!.flip(list(a, "dims")),
  roll: ([x], a) => x!.roll(Array.isArray(a.shifts) ? list(a, "shifts") : num(a, "shifts"), has(a, "dims") ? list(a, "dims") : undefined),
  repeat: ([x], a) => x!.repeat(list(a, "sizes")),
  tile: ([x], a) => x!.tile(list(a, "dims")),
  repeatInterleave: ([x], a) => x!.repeatInterleave(num(a, "repeats"), opt(a, "dim")),
  repeatInterleaveTensor: ([x, r], a) => x!.repeatInterleave(r!, opt(a, "dim")),
  repeatInterleaveCounts: ([r]) => cr.repeatInterleave(r!),
  tril: ([x], a) => x!.tril(num(a, "diagonal")),
  triu: ([x], a) => x!.triu(num(a, "diagonal")),
  diag: ([x], a) => x!.diag(num(a, "diagonal")),
  diagonal: ([x], a) => x!.diagonal({ offset: opt(a, "offset") ?? 0, dim1: opt(a, "dim1") ?? 0, dim2: opt(a, "dim2") ?? 1 }),
  diagEmbed: ([x], a) => x!.diagEmbed({ offset: opt(a, "offset") ?? 0, dim1: opt(a, "dim1") ?? -2, dim2: opt(a, "dim2") ?? -1 }),
  unflatten: ([x], a) => x!.unflatten(num(a, "dim"), list(a, "sizes")),
  split: ([x], a) => x!.split(Array.isArray(a.split) ? list(a, "split") : num(a, "split"), num(a, "dim")),
  chunk: ([x], a) => x!.chunk(num(a, "chunks"), num(a, "dim")),
  tensorSplit: ([x], a) => x!.tensorSplit(Array.isArray(a.split) ? list(a, "split") : num(a, "split"), num(a, "dim")),
  meshgrid: (xs, a) => cr.meshgrid(xs, { indexing: a.indexing as "ij" | "xy" }),
  movedim: ([x], a) => x!.movedim(Array.isArray(a.source) ? list(a, "source") : num(a, "source"), Array.isArray(a.destination) ? list(a, "destination") : num(a, "destination")),
  swapaxes: ([x], a) => x!.swapaxes(num(a, "dim0"), num(a, "dim1")),
  unfold: ([x], a) => x!.unfold(num(a, "dim"), num(a, "size"), num(a, "step")),
  take: ([x, i]) => x!.take(i!),
  takeAlongDim: ([x, i], a) => x!.takeAlongDim(i!, opt(a, "dim")),
  atleast1d: ([x]) => cr.atleast1d(x!),
  atleast2d: ([x]) => cr.atleast2d(x!),
  atleast3d: ([x]) => cr.atleast3d(x!),
  index: ([x, ...ts], a) => x!.index(...items(a, ts)),
  indexPut: ([x, v, ...ts], a) => x!.indexPut(items(a, ts), v!, { accumulate: bool(a, "accumulate", false) }),
  maskedFill: ([x, m], a) => x!.maskedFill(m!, num(a, "value")),
  maskedFillTensor: ([x, m, v]) => x!.maskedFill(m!, v!),
  maskedSelect: ([x, m]) => x!.maskedSelect(m!),
  maskedScatter: ([x, m, s]) => x!.maskedScatter(m!, s!),
  nonzero: ([x]) => x!.nonzero(),
  nonzeroTuple: ([x]) => x!.nonzero({ asTuple: true }),
  argwhere: ([x]) => x!.argwhere(),
  scatter: ([x, i, s], a) => x!.scatter(num(a, "dim"), i!, s!, has(a, "reduce") ? { reduce: a.reduce as "add" | "multiply" } : {}),
  scatterValue: ([x, i], a) => x!.scatter(num(a, "dim"), i!, num(a, "value")),
  scatterReduce: ([x, i, s], a) => x!.scatterReduce(num(a, "dim"), i!, s!, a.reduce as cr.ScatterReduction, { includeSelf: bool(a, "includeSelf", true) }),
  indexCopy: ([x, i, s], a) => x!.indexCopy(num(a, "dim"), i!, s!),
  indexFill: ([x, i], a) => x!.indexFill(num(a, "dim"), i!, num(a, "value")),
  indexFillTensor: ([x, i, v], a) => x!.indexFill(num(a, "dim"), i!, v!),
};

function outputs(out: Out): Tensor[] {
  if (out instanceof cr.Tensor) return [out];
  if (Array.isArray(out)) return [...(out as readonly Tensor[])];
  if ("indices" in out) return [(out as cr.ValuesIndices).values, (out as cr.ValuesIndices).indices];
  return [(out as { min: Tensor }).min, (out as { max: Tensor }).max];
}

// ---- comparing ----

function close(got: Tensor, want: Encoded, what: string): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const g = Array.from(got.toTypedArray(), Number);
  const w = want.data.map((v) => Number(special(v)));
  const [rtol, atol] = want.dtype === "float64" ? [1e-9, 1e-10] : want.dtype === "float32" ? [1e-4, 1e-5] : [0, 0];
  const bad: string[] = [];
  w.forEach((e, i) => {
    const a = g[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) bad.push(`[${i}] got ${a}, expected ${e}`);
  });
  assert.ok(bad.length === 0, `${what}: ${bad.length} of ${w.length} off:\n  ${bad.slice(0, 8).join("\n  ")}`);
}

test(`the fixture (torch ${fixture.torch}) and the op table cover the same ops`, () => {
  const used = new Set(fixture.cases.map((c) => c.op));
  assert.deepEqual([...used].filter((op) => !(op in OPS)), [], "ops in the fixture without a table entry");
  assert.deepEqual(Object.keys(OPS).filter((op) => !used.has(op)), [], "table entries without a fixture case");
});

for (const c of fixture.cases) {
  test(`${c.name} as PyTorch`, () => {
    const inputs = c.inputs.map((e) => build(e, e.requiresGrad));
    const outs = outputs(OPS[c.op]!(inputs, c.args));
    assert.equal(outs.length, c.outputs.length, "number of outputs");
    if (c.valuesOnly) {
      // Values and indices where PyTorch leaves ties open: the values, and an index that points at an equal element.
      close(outs[0]!, c.outputs[0]!, "values");
      const x = inputs[0]!, at = outs[1]!;
      const dim = c.args.dim === undefined ? -1 : (c.args.dim as number);
      // A reduction (kthvalue, median) drops the dim unless keepdim; topk keeps it.
      const picked = x.gather(dim, at.ndim === x.ndim ? at : at.unsqueeze(dim < 0 ? dim + x.ndim : dim));
      close(picked.reshape(outs[0]!.shape), c.outputs[0]!, "the elements the indices point at");
      return;
    }
    outs.forEach((o, i) => close(o, c.outputs[i]!, `output ${i}`));
    if (c.grads === null || c.gradOutputs === null) return;
    const diff = outs.flatMap((o, i) => (c.gradOutputs![i] ? [[o, build(c.gradOutputs![i]!)] as const] : []));
    const needs = inputs.filter((_, i) => c.inputs[i]!.requiresGrad);
    const grads = cr.autograd.grad(diff.map(([o]) => o), needs, { gradOutputs: diff.map(([, g]) => g), allowUnused: true });
    let k = 0;
    c.inputs.forEach((spec, i) => {
      if (!spec.requiresGrad) return;
      const got = grads[k++] ?? cr.zerosLike(inputs[i]!);
      close(got, c.grads![i]!, `gradient of input ${i}`);
    });
  });
}
