// Every differentiable op of the reductions, scans, sorting, shape, indexing and scatter families, checked in
// float64 three ways: gradcheck (reverse mode against finite differences), forward mode against reverse mode (the
// dot-product test ⟨v, J·t⟩ = ⟨Jᵀ·v, t⟩ with random t and v), and gradgradcheck for the primitives whose derivative
// rules are formulas of their own (prod, cumprod, logcumsumexp, norms, scatterReduce, median, …).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
const i32 = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });
const f64 = (data: number[] | number[][]) => cr.tensor(data, { dtype: "float64" });
const bools = (data: boolean[] | boolean[][]) => cr.tensor(data, { dtype: "bool" });

/** An input: a shape (standard normal), or fixed values. "distinct" keeps every element apart (no ties to break). */
type Input = readonly number[] | { distinct: readonly number[] } | { values: Tensor };

interface Spec {
  readonly name: string;
  readonly inputs: readonly Input[];
  readonly fn: (...xs: Tensor[]) => Tensor | readonly Tensor[];
  readonly gradgrad?: boolean;
}

cr.manualSeed(2024);
function sample(input: Input, k: number): Tensor {
  if (Array.isArray(input)) return cr.randn([...(input as readonly number[])], { dtype: "float64" });
  if ("values" in input) return (input as { values: Tensor }).values.to("float64");
  if ("distinct" in input) {
    const n = input.distinct.reduce((a, b) => a * b, 1);
    const perm = cr.randn([n], { dtype: "float64" }).argsort();
    // Inputs of one spec get grids offset from each other, so they never tie either.
    return perm.to("float64").sub(n / 2).mul(0.37).add(0.05 + 0.11 * k).reshape([...input.distinct]);
  }
  throw new Error("unknown input");
}

const ZEROS = { values: f64([[1.5, 0, 2, -1], [0, 3, 0, 2], [0.5, -2, 1.5, 3]]) };
const MASK = bools([[true, false, true, false], [false, false, true, true], [true, true, false, false]]);

const SPECS: readonly Spec[] = [
  { name: "prod all", inputs: [[2, 3]], fn: (x) => x.prod(), gradgrad: true },
  { name: "prod along 1 with zeros", inputs: [ZEROS], fn: (x) => x.prod(1), gradgrad: true },
  { name: "prod along 0 keepdim", inputs: [[3, 2]], fn: (x) => x.prod(0, true) },
  { name: "cumsum", inputs: [[3, 5]], fn: (x) => x.cumsum(1) },
  { name: "cumprod", inputs: [[3, 5]], fn: (x) => x.cumprod(1), gradgrad: true },
  { name: "cumprod with zeros", inputs: [ZEROS], fn: (x) => x.cumprod(1), gradgrad: true },
  { name: "logcumsumexp", inputs: [[3, 5]], fn: (x) => x.logcumsumexp(1), gradgrad: true },
  { name: "cummax values", inputs: [{ distinct: [3, 5] }], fn: (x) => x.cummax(1).values },
  { name: "cummin values along 0", inputs: [{ distinct: [4, 3] }], fn: (x) => x.cummin(0).values },
  { name: "varMean", inputs: [[3, 4]], fn: (x) => cr.varMean(x, 1) },
  { name: "stdMean", inputs: [[3, 4]], fn: (x) => cr.stdMean(x, 0, { correction: 0 }) },
  { name: "max of all (selectAll)", inputs: [{ distinct: [3, 4] }], fn: (x) => x.max(), gradgrad: true },
  { name: "median of all", inputs: [{ distinct: [3, 5] }], fn: (x) => x.median(), gradgrad: true },
  { name: "median along 1", inputs: [{ distinct: [3, 4] }], fn: (x) => x.median(1).values },
  { name: "vectorNorm 2", inputs: [[3, 4]], fn: (x) => cr.linalg.vectorNorm(x, 2, 1), gradgrad: true },
  { name: "vectorNorm 1", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.vectorNorm(x, 1, 1) },
  { name: "vectorNorm 3 keepdim", inputs: [[3, 4]], fn: (x) => cr.linalg.vectorNorm(x, 3, [0, 1], true), gradgrad: true },
  { name: "vectorNorm 0.5", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.vectorNorm(x, 0.5, 1), gradgrad: true },
  { name: "vectorNorm 1.5", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.vectorNorm(x, 1.5, 1), gradgrad: true },
  { name: "vectorNorm Infinity", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.vectorNorm(x, Infinity, 1), gradgrad: true },
  { name: "vectorNorm -Infinity", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.vectorNorm(x, -Infinity) },
  { name: "vectorNorm -1", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.vectorNorm(x, -1, 0) },
  { name: "matrixNorm fro", inputs: [[2, 3, 3]], fn: (x) => cr.linalg.matrixNorm(x) },
  { name: "matrixNorm 1", inputs: [{ distinct: [2, 3, 3] }], fn: (x) => cr.linalg.matrixNorm(x, 1) },
  { name: "matrixNorm -Infinity", inputs: [{ distinct: [3, 4] }], fn: (x) => cr.linalg.matrixNorm(x, -Infinity) },
  { name: "norm", inputs: [[3, 4]], fn: (x) => x.norm(4, 1) },
  { name: "sort values", inputs: [{ distinct: [3, 5] }], fn: (x) => x.sort({ dim: 1, descending: true }).values, gradgrad: true },
  { name: "topk values", inputs: [{ distinct: [3, 5] }], fn: (x) => x.topk(2, { dim: 0, largest: false }).values },
  { name: "kthvalue values", inputs: [{ distinct: [3, 5] }], fn: (x) => x.kthvalue(3, 1).values },
  { name: "pad constant", inputs: [[2, 3, 4]], fn: (x) => cr.nn.functional.pad(x, [1, -1, 2, 0], { value: 1.5 }) },
  { name: "pad reflect", inputs: [[1, 2, 3, 4]], fn: (x) => cr.nn.functional.pad(x, [2, 1, 1, 2], { mode: "reflect" }) },
  { name: "pad replicate", inputs: [[2, 3, 4]], fn: (x) => cr.nn.functional.pad(x, [3, 1], { mode: "replicate" }) },
  { name: "pad circular", inputs: [[1, 2, 3, 4]], fn: (x) => cr.nn.functional.pad(x, [-1, 3, 2, 0], { mode: "circular" }) },
  { name: "flip", inputs: [[2, 3, 4]], fn: (x) => x.flip(0, 2) },
  { name: "roll", inputs: [[2, 3, 4]], fn: (x) => x.roll([1, -2], [0, 2]) },
  { name: "repeat", inputs: [[2, 3]], fn: (x) => x.repeat(2, 1, 2) },
  { name: "tile", inputs: [[2, 3]], fn: (x) => x.tile([3]) },
  { name: "repeatInterleave", inputs: [[2, 3]], fn: (x) => x.repeatInterleave(i32([1, 0, 2]), 1) },
  { name: "tril and triu", inputs: [[3, 4]], fn: (x) => [x.tril(1), x.triu(-1)] },
  { name: "diag of a vector", inputs: [[3]], fn: (x) => x.diag(-1) },
  { name: "diag of a matrix", inputs: [[3, 4]], fn: (x) => x.diag(1) },
  { name: "diagonal", inputs: [[3, 2, 4]], fn: (x) => x.diagonal({ offset: -1, dim1: 2, dim2: 0 }) },
  { name: "diagEmbed", inputs: [[2, 3]], fn: (x) => x.diagEmbed({ offset: 1, dim1: 0, dim2: 2 }) },
  { name: "unflatten, movedim, swapaxes", inputs: [[2, 6]], fn: (x) => x.unflatten(1, [3, -1]).movedim(0, -1).swapaxes(0, 1) },
  { name: "split", inputs: [[3, 5]], fn: (x) => x.split([2, 0, 3], 1) },
  { name: "chunk and tensorSplit", inputs: [[7, 2]], fn: (x) => [...x.chunk(3), ...x.tensorSplit([1, 5], 0)] },
  { name: "meshgrid", inputs: [[2], [3]], fn: (a, b) => cr.meshgrid([a!, b!], { indexing: "xy" }) },
  { name: "Tensor.unfold", inputs: [[2, 7]], fn: (x) => x.unfold(1, 3, 2) },
  { name: "take", inputs: [[3, 4]], fn: (x) => x.take(i32([[0, -1], [5, 5]])) },
  { name: "takeAlongDim", inputs: [[3, 4]], fn: (x) => x.takeAlongDim(i32([[2, 0, 1, 1]]), 0) },
  { name: "atleast3d", inputs: [[3]], fn: (x) => cr.atleast3d(x) },
  { name: "index basic", inputs: [[2, 3, 4]], fn: (x) => x.index(1, { start: 0, step: 2 }, null, "...") },
  { name: "index advanced", inputs: [[2, 3, 4]], fn: (x) => x.index(i32([0, 1, 1]), ":", i32([[3], [0]])), gradgrad: true },
  { name: "index a mask", inputs: [[3, 4]], fn: (x) => x.index(MASK) },
  { name: "indexPut", inputs: [[4, 3], [3]], fn: (x, v) => x.indexPut([i32([0, 2, 3]), i32([1, 1, 0])], v!) },
  { name: "indexPut accumulate", inputs: [[4, 3], [4, 3]], fn: (x, v) => x.indexPut([i32([1, 3, 1, 1])], v!, { accumulate: true }) },
  { name: "maskedFill with a tensor value", inputs: [[3, 4], []], fn: (x, v) => x.maskedFill(MASK, v!) },
  { name: "maskedSelect", inputs: [[3, 4]], fn: (x) => x.maskedSelect(MASK) },
  { name: "maskedScatter", inputs: [[3, 4], [8]], fn: (x, s) => x.maskedScatter(MASK, s!) },
  { name: "scatter", inputs: [[3, 5], [3, 2]], fn: (x, s) => x.scatter(1, i32([[0, 4], [2, 1], [3, 0]]), s!) },
  { name: "scatter a value", inputs: [[3, 5]], fn: (x) => x.scatter(1, i32([[0, 4], [2, 1]]), 2.5) },
  ...(["sum", "prod", "mean", "amax", "amin"] as const).flatMap((reduce) => [true, false].map((includeSelf): Spec => ({
    name: `scatterReduce ${reduce}${includeSelf ? "" : " without self"}`,
    inputs: [{ distinct: [4, 3] }, { distinct: [4, 3] }],
    fn: (x, s) => x.scatterReduce(0, i32([[0, 1, 0], [2, 1, 0], [0, 3, 0], [2, 1, 1]]), s!, reduce, { includeSelf }),
    gradgrad: reduce !== "sum",
  }))),
  { name: "indexCopy", inputs: [[2, 5], [2, 3]], fn: (x, s) => x.indexCopy(1, i32([4, 0, 2]), s!) },
  { name: "indexFill with a tensor value", inputs: [[2, 3], []], fn: (x, v) => x.indexFill(1, i32([0, -1]), v!) },
];

function leaves(spec: Spec): Tensor[] {
  return spec.inputs.map((input, k) => sample(input, k).detach().requiresGrad_(true));
}

const asList = (out: Tensor | readonly Tensor[]): Tensor[] => (out instanceof cr.Tensor ? [out] : [...out]);

for (const spec of SPECS) {
  test(`${spec.name}: gradcheck${spec.gradgrad ? ", gradgradcheck" : ""}, and forward mode agrees with reverse`, () => {
    const xs = leaves(spec);
    assert.ok(cr.autograd.gradcheck(spec.fn, xs));
    if (spec.gradgrad) assert.ok(cr.autograd.gradgradcheck(spec.fn, xs));
    // ⟨v, J·t⟩ from forward mode against ⟨Jᵀ·v, t⟩ from reverse mode, for every output.
    const tangents = xs.map((x) => cr.randnLike(x));
    const outs = asList(spec.fn(...xs));
    const vs = outs.map((o) => cr.randnLike(o));
    const reverse = cr.autograd.grad(outs, xs, { gradOutputs: vs, allowUnused: true });
    const viaReverse = reverse.reduce((s, g, i) => s + (g === null ? 0 : g.mul(tangents[i]!).sum().item()), 0);
    const primals = xs.map((x) => x.detach());
    const [, tout] = cr.func.jvp((...ps: Tensor[]) => asList(spec.fn(...ps)), primals, tangents);
    const viaForward = (tout as Tensor[]).reduce((s, t, i) => s + t.mul(vs[i]!).sum().item(), 0);
    assert.ok(Math.abs(viaForward - viaReverse) <= 1e-9 * (1 + Math.abs(viaReverse)), `forward ${viaForward} vs reverse ${viaReverse}`);
  });
}
