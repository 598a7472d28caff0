// Table-driven gradient checks: every differentiable op of the public API against central finite
// differences in float64 (cr.autograd.gradcheck), second derivatives for a subset (gradgradcheck),
// and a deliberately wrong derivative that gradcheck must catch with a precise message.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

type Tensor = cr.Tensor;

/**
 * How an input is sampled (always float64, seeded):
 * - `normal`: standard normal;
 * - `positive`: |normal| + 0.5, for log, sqrt, rsqrt, pow's base;
 * - `away`: normal, pushed at least 0.2 away from each kink in `kinks` (relu, abs, clamp, …);
 * - `distinct`: a shuffled grid 0.5 apart, so max/min/amax have a unique winner; inputs of one
 *   spec get grids offset by 0.125 from each other, so maximum/minimum never tie either.
 */
type Sampler = "normal" | "positive" | "away" | "distinct";

interface InputSpec {
  readonly shape: readonly number[];
  readonly sample?: Sampler;
  readonly kinks?: readonly number[];
}

interface OpSpec {
  readonly name: string;
  /** One entry per differentiable input: a shape (normal samples) or a shape with a sampler. */
  readonly inputs: readonly (readonly number[] | InputSpec)[];
  readonly fn: (...xs: Tensor[]) => Tensor;
  /** Also run gradgradcheck. */
  readonly gradgrad?: boolean;
  readonly opts?: cr.autograd.GradcheckOptions;
}

const away = (shape: readonly number[], kinks: readonly number[] = [0]): InputSpec => ({ shape, sample: "away", kinks });
const pos = (shape: readonly number[]): InputSpec => ({ shape, sample: "positive" });
const distinct = (shape: readonly number[]): InputSpec => ({ shape, sample: "distinct" });

function shapeOf(spec: readonly number[] | InputSpec): readonly number[] {
  return "shape" in spec ? spec.shape : (spec as readonly number[]);
}

function sampleInput(spec: readonly number[] | InputSpec, inputIndex: number): Tensor {
  const s: InputSpec = "shape" in spec ? spec : { shape: spec as readonly number[] };
  const shape = [...s.shape];
  const base = cr.randn(shape, { dtype: "float64" });
  const n = base.numel();
  const data = base.toTypedArray() as Float64Array;
  switch (s.sample ?? "normal") {
    case "normal":
      break;
    case "positive":
      for (let i = 0; i < n; i++) data[i] = Math.abs(data[i]!) + 0.5;
      break;
    case "away":
      for (let i = 0; i < n; i++) {
        for (const k of s.kinks ?? [0]) {
          const d = data[i]! - k;
          if (Math.abs(d) < 0.2) data[i] = k + (d >= 0 ? 0.2 + d : -0.2 + d);
        }
      }
      break;
    case "distinct": {
      // A random permutation of 0..n-1 (random keys, sorted), centred and spaced 0.5 apart.
      const keys = Array.from(cr.rand([n], { dtype: "float64" }).toTypedArray() as Float64Array);
      const order = keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0]);
      order.forEach(([, i], rank) => {
        data[i] = (rank - n / 2) * 0.5 + 0.125 * inputIndex;
      });
      break;
    }
  }
  return cr.tensor(data, { dtype: "float64" }).reshape(shape).detach().requiresGrad_(true);
}

function sampleInputs(spec: OpSpec): Tensor[] {
  return spec.inputs.map((s, i) => sampleInput(s, i));
}

const int = (data: number[] | number[][]): Tensor => cr.tensor(data, { dtype: "int32" });
const bool = (data: boolean[] | boolean[][]): Tensor => cr.tensor(data);

// Fixed conditions and indices, captured by the functions (they get no gradient).
const COND_2x3 = bool([[true, false, true], [false, false, true]]);
const COND_3 = bool([false, true, true]);
const GATHER_IDX = int([[2, 0, 2, 1], [1, 1, 0, 0]]); // into [2,3] along dim 1 → [2,4], repeats
const GATHER_IDX0 = int([[1, 0, 1], [1, 1, 0]]); // into [2,3] along dim 0
const SCATTER_IDX = int([[0, 2], [1, 1], [2, 0]]); // into [3,3] along dim 1, with a repeat
const SELECT_IDX = int([2, 0, 2]); // 1-D, with a repeat
const ADD_IDX = int([1, 3, 1]); // into 4 rows, with a repeat

const SPECS: readonly OpSpec[] = [
  // ---- binary arithmetic, with broadcasting ----
  { name: "add [2,3]+[2,3]", inputs: [[2, 3], [2, 3]], fn: (a, b) => cr.add(a!, b!), gradgrad: true },
  { name: "add [2,3]+[3]", inputs: [[2, 3], [3]], fn: (a, b) => cr.add(a!, b!) },
  { name: "add [2,1,4]+[3,1]", inputs: [[2, 1, 4], [3, 1]], fn: (a, b) => cr.add(a!, b!), gradgrad: true },
  { name: "add [2,3]+0-dim", inputs: [[2, 3], []], fn: (a, s) => cr.add(a!, s!) },
  { name: "add number", inputs: [[2, 3]], fn: (a) => cr.add(a!, 2.5) },
  { name: "sub [2,3]-[3]", inputs: [[2, 3], [3]], fn: (a, b) => cr.sub(a!, b!) },
  { name: "sub [3,1]-[2,1,4]", inputs: [[3, 1], [2, 1, 4]], fn: (a, b) => a!.sub(b!) },
  { name: "sub 0-dim-[2,3]", inputs: [[], [2, 3]], fn: (s, a) => cr.sub(s!, a!) },
  { name: "sub number-x", inputs: [[4]], fn: (a) => cr.sub(3, a!) },
  { name: "mul [2,3]*[3]", inputs: [[2, 3], [3]], fn: (a, b) => cr.mul(a!, b!), gradgrad: true },
  { name: "mul [2,1,4]*[3,1]", inputs: [[2, 1, 4], [3, 1]], fn: (a, b) => a!.mul(b!), gradgrad: true },
  { name: "mul [2,3]*0-dim", inputs: [[2, 3], []], fn: (a, s) => cr.mul(a!, s!), gradgrad: true },
  { name: "mul number", inputs: [[2, 3]], fn: (a) => cr.mul(-1.5, a!) },
  { name: "div [2,3]/[3]", inputs: [[2, 3], away([3], [0])], fn: (a, b) => cr.div(a!, b!), gradgrad: true },
  { name: "div [2,1,4]/[3,1]", inputs: [[2, 1, 4], away([3, 1])], fn: (a, b) => a!.div(b!) },
  { name: "div [2,3]/0-dim", inputs: [[2, 3], away([])], fn: (a, s) => cr.div(a!, s!) },
  { name: "div number/x", inputs: [away([2, 3])], fn: (a) => cr.div(2, a!), gradgrad: true },
  { name: "div x/number", inputs: [[2, 3]], fn: (a) => a!.div(4) },
  { name: "pow integer exponent", inputs: [[2, 3]], fn: (a) => cr.pow(a!, 3), gradgrad: true },
  { name: "pow fractional exponent", inputs: [pos([2, 3])], fn: (a) => a!.pow(2.5), gradgrad: true },
  { name: "pow negative exponent", inputs: [pos([4])], fn: (a) => a!.pow(-1.5) },
  { name: "pow tensor exponent (grad to both)", inputs: [pos([2, 3]), [2, 3]], fn: (a, b) => cr.pow(a!, b!), gradgrad: true },
  { name: "pow broadcast base [2,3] ** [3]", inputs: [pos([2, 3]), [3]], fn: (a, b) => a!.pow(b!) },
  { name: "pow broadcast base [3,1] ** [2,1,4]", inputs: [pos([3, 1]), [2, 1, 4]], fn: (a, b) => a!.pow(b!) },
  { name: "pow 0-dim exponent", inputs: [pos([2, 3]), []], fn: (a, e) => a!.pow(e!) },
  { name: "pow number base, tensor exponent", inputs: [[2, 3]], fn: (e) => cr.pow(2, e!), gradgrad: true },
  { name: "maximum [2,3],[3]", inputs: [distinct([2, 3]), distinct([3])], fn: (a, b) => cr.maximum(a!, b!) },
  { name: "maximum [2,1,4],[3,1]", inputs: [distinct([2, 1, 4]), distinct([3, 1])], fn: (a, b) => a!.maximum(b!) },
  { name: "maximum with number", inputs: [away([2, 3], [0.3])], fn: (a) => cr.maximum(a!, 0.3) },
  { name: "minimum [2,3],[3]", inputs: [distinct([2, 3]), distinct([3])], fn: (a, b) => cr.minimum(a!, b!) },
  { name: "minimum [2,3],0-dim", inputs: [distinct([2, 3]), distinct([])], fn: (a, s) => a!.minimum(s!) },

  // ---- unary math ----
  { name: "neg", inputs: [[2, 3]], fn: (a) => cr.neg(a!) },
  { name: "abs", inputs: [away([2, 3])], fn: (a) => cr.abs(a!), gradgrad: true },
  { name: "sqrt", inputs: [pos([2, 3])], fn: (a) => cr.sqrt(a!), gradgrad: true },
  { name: "exp", inputs: [[2, 3]], fn: (a) => cr.exp(a!), gradgrad: true },
  { name: "log", inputs: [pos([2, 3])], fn: (a) => cr.log(a!), gradgrad: true },
  { name: "sin", inputs: [[2, 3]], fn: (a) => cr.sin(a!), gradgrad: true },
  { name: "cos", inputs: [[2, 3]], fn: (a) => cr.cos(a!), gradgrad: true },
  { name: "tanh", inputs: [[2, 3]], fn: (a) => cr.tanh(a!), gradgrad: true },
  { name: "sigmoid", inputs: [[2, 3]], fn: (a) => cr.sigmoid(a!), gradgrad: true },
  { name: "square", inputs: [[2, 3]], fn: (a) => cr.square(a!), gradgrad: true },
  { name: "rsqrt", inputs: [pos([2, 3])], fn: (a) => cr.rsqrt(a!), gradgrad: true },
  { name: "reciprocal", inputs: [away([2, 3])], fn: (a) => cr.reciprocal(a!), gradgrad: true },
  { name: "erf", inputs: [[2, 3]], fn: (a) => cr.erf(a!), gradgrad: true },
  { name: "log1p", inputs: [pos([2, 3])], fn: (a) => cr.log1p(a!), gradgrad: true },
  { name: "expm1", inputs: [[2, 3]], fn: (a) => cr.expm1(a!), gradgrad: true },

  // ---- activations ----
  { name: "relu", inputs: [away([2, 3])], fn: (a) => cr.relu(a!), gradgrad: true },
  { name: "leakyRelu default slope", inputs: [away([2, 3])], fn: (a) => cr.leakyRelu(a!) },
  { name: "leakyRelu slope 0.2", inputs: [away([2, 3])], fn: (a) => a!.leakyRelu(0.2), gradgrad: true },
  { name: "gelu exact", inputs: [[2, 3]], fn: (a) => cr.gelu(a!), gradgrad: true },
  { name: "gelu tanh", inputs: [[2, 3]], fn: (a) => cr.gelu(a!, "tanh"), gradgrad: true },
  { name: "silu", inputs: [[2, 3]], fn: (a) => cr.silu(a!), gradgrad: true },
  { name: "softplus", inputs: [[2, 3]], fn: (a) => cr.softplus(a!), gradgrad: true },
  { name: "softplus beta 2", inputs: [[2, 3]], fn: (a) => a!.softplus(2) },
  { name: "softplus above threshold", inputs: [[4]], fn: (a) => cr.softplus(a!.add(30)) },
  { name: "clamp min only", inputs: [away([2, 3], [-0.3])], fn: (a) => cr.clamp(a!, -0.3) },
  { name: "clamp max only", inputs: [away([2, 3], [0.4])], fn: (a) => cr.clamp(a!, null, 0.4) },
  { name: "clamp both", inputs: [away([3, 4], [-0.5, 0.5])], fn: (a) => a!.clamp(-0.5, 0.5), gradgrad: true },
  {
    name: "clamp with tensor bounds (grad to bounds)",
    inputs: [distinct([2, 3]), distinct([3])],
    fn: (a, lo) => cr.clamp(a!, lo!),
  },

  // ---- linear algebra ----
  { name: "matmul 1-D·1-D", inputs: [[3], [3]], fn: (a, b) => cr.matmul(a!, b!), gradgrad: true },
  { name: "matmul 1-D·2-D", inputs: [[3], [3, 4]], fn: (a, b) => cr.matmul(a!, b!) },
  { name: "matmul 2-D·1-D", inputs: [[2, 3], [3]], fn: (a, b) => cr.matmul(a!, b!) },
  { name: "matmul 2-D·2-D", inputs: [[2, 3], [3, 4]], fn: (a, b) => a!.matmul(b!), gradgrad: true },
  { name: "matmul batched 3-D·3-D", inputs: [[2, 2, 3], [2, 3, 2]], fn: (a, b) => cr.matmul(a!, b!), gradgrad: true },
  { name: "matmul broadcast 3-D·2-D", inputs: [[2, 2, 3], [3, 2]], fn: (a, b) => cr.matmul(a!, b!), gradgrad: true },
  { name: "matmul broadcast [2,1,3,4]·[5,4,2]", inputs: [[2, 1, 3, 4], [5, 4, 2]], fn: (a, b) => cr.matmul(a!, b!) },
  // A matrix used by every item of a batch: its gradient is the batch's products summed in one matmul.
  { name: "matmul broadcast 2-D·3-D", inputs: [[3, 4], [5, 4, 2]], fn: (a, b) => cr.matmul(a!, b!), gradgrad: true },
  { name: "matmul broadcast 2-D·4-D", inputs: [[2, 3], [2, 2, 3, 2]], fn: (a, b) => cr.matmul(a!, b!), gradgrad: true },
  { name: "linear on a batch of sequences", inputs: [[2, 3, 4], [5, 4]], fn: (x, w) => cr.nn.functional.linear(x!, w!), gradgrad: true },
  // With a bias: per-item products and a broadcast add under grad (noGrad folds the rows: test/linear-fold.test.ts).
  { name: "linear with a bias on a batch of sequences", inputs: [[2, 3, 4], [5, 4], [5]], fn: (x, w, bias) => cr.nn.functional.linear(x!, w!, bias!), gradgrad: true },
  { name: "matmul 1-D·3-D", inputs: [[3], [2, 3, 2]], fn: (a, b) => cr.matmul(a!, b!) },
  { name: "matmul 3-D·1-D", inputs: [[2, 2, 3], [3]], fn: (a, b) => cr.matmul(a!, b!) },
  { name: "mm", inputs: [[2, 3], [3, 2]], fn: (a, b) => cr.mm(a!, b!) },
  { name: "addmm bias row", inputs: [[2], [3, 4], [4, 2]], fn: (bias, a, b) => cr.addmm(bias!, a!, b!), gradgrad: true },
  { name: "addmm beta alpha, 2-D input", inputs: [[3, 1], [3, 4], [4, 2]], fn: (c, a, b) => cr.addmm(c!, a!, b!, { beta: 0.5, alpha: -2 }), gradgrad: true },
  { name: "linear with bias", inputs: [[3, 4], [5, 4], [5]], fn: (x, w, b) => cr.nn.functional.linear(x!, w!, b!), gradgrad: true },
  { name: "bmm", inputs: [[2, 2, 3], [2, 3, 2]], fn: (a, b) => cr.bmm(a!, b!) },
  { name: "dot", inputs: [[4], [4]], fn: (a, b) => cr.dot(a!, b!), gradgrad: true },

  // ---- reductions ----
  { name: "sum all", inputs: [[2, 3, 2]], fn: (a) => cr.sum(a!), gradgrad: true },
  { name: "sum one dim", inputs: [[2, 3, 2]], fn: (a) => a!.sum(1) },
  { name: "sum negative dim", inputs: [[2, 3, 2]], fn: (a) => a!.sum(-1) },
  { name: "sum several dims", inputs: [[2, 3, 2]], fn: (a) => a!.sum([0, 2]) },
  { name: "sum keepdim", inputs: [[2, 3, 2]], fn: (a) => a!.sum([0, 2], true) },
  { name: "mean all", inputs: [[2, 3, 2]], fn: (a) => cr.mean(a!), gradgrad: true },
  { name: "mean one dim", inputs: [[2, 3, 2]], fn: (a) => a!.mean(1) },
  { name: "mean several dims", inputs: [[2, 3, 2]], fn: (a) => a!.mean([1, 2]) },
  { name: "mean keepdim", inputs: [[2, 3, 2]], fn: (a) => a!.mean(0, true) },
  { name: "max all", inputs: [distinct([2, 3])], fn: (a) => cr.max(a!) },
  { name: "max dim", inputs: [distinct([3, 4])], fn: (a) => a!.max(1), gradgrad: true },
  { name: "max dim keepdim", inputs: [distinct([3, 4])], fn: (a) => a!.max(0, true) },
  { name: "min all", inputs: [distinct([2, 3])], fn: (a) => cr.min(a!) },
  { name: "min dim", inputs: [distinct([3, 4])], fn: (a) => a!.min(-1) },
  { name: "min dim keepdim", inputs: [distinct([3, 4])], fn: (a) => a!.min(1, true) },
  { name: "amax all", inputs: [distinct([2, 3])], fn: (a) => cr.amax(a!), gradgrad: true },
  { name: "amax several dims", inputs: [distinct([2, 3, 2])], fn: (a) => a!.amax([0, 2]) },
  { name: "amax keepdim", inputs: [distinct([2, 3])], fn: (a) => a!.amax(1, true) },
  { name: "amin all", inputs: [distinct([2, 3])], fn: (a) => cr.amin(a!) },
  { name: "amin dim", inputs: [distinct([2, 3])], fn: (a) => a!.amin(0) },
  { name: "logsumexp one dim", inputs: [[2, 3]], fn: (a) => cr.logsumexp(a!, 1), gradgrad: true },
  { name: "logsumexp several dims keepdim", inputs: [[2, 3, 2]], fn: (a) => a!.logsumexp([0, 2], true) },
  { name: "var all (correction 1)", inputs: [[2, 3]], fn: (a) => cr.var(a!), gradgrad: true },
  { name: "var dim correction 0", inputs: [[2, 3]], fn: (a) => a!.var(1, { correction: 0 }) },
  { name: "var dim keepdim", inputs: [[3, 4]], fn: (a) => a!.var(0, { keepdim: true }) },
  { name: "std all (correction 1)", inputs: [[2, 3]], fn: (a) => cr.std(a!), gradgrad: true },
  { name: "std dim correction 0", inputs: [[2, 3]], fn: (a) => a!.std(1, { correction: 0 }) },
  { name: "std several dims keepdim", inputs: [[2, 3, 2]], fn: (a) => a!.std([0, 2], { keepdim: true }) },
  { name: "softmax last dim", inputs: [[2, 3]], fn: (a) => cr.softmax(a!, -1), gradgrad: true },
  { name: "softmax dim 0", inputs: [[3, 2]], fn: (a) => a!.softmax(0) },
  { name: "logSoftmax last dim", inputs: [[2, 3]], fn: (a) => cr.logSoftmax(a!, 1), gradgrad: true },
  { name: "logSoftmax dim 0", inputs: [[3, 2]], fn: (a) => a!.logSoftmax(0) },

  // ---- shape and data movement ----
  { name: "reshape", inputs: [[2, 3]], fn: (a) => cr.reshape(a!, [3, 2]), gradgrad: true },
  { name: "reshape -1", inputs: [[2, 3, 2]], fn: (a) => a!.reshape(-1, 3) },
  { name: "view", inputs: [[2, 3]], fn: (a) => a!.view(6) },
  { name: "transpose", inputs: [[2, 3, 4]], fn: (a) => cr.transpose(a!, 0, 2), gradgrad: true },
  { name: "permute", inputs: [[2, 3, 4]], fn: (a) => cr.permute(a!, [2, 0, 1]) },
  { name: "squeeze all", inputs: [[2, 1, 3, 1]], fn: (a) => cr.squeeze(a!) },
  { name: "squeeze dim", inputs: [[2, 1, 3]], fn: (a) => a!.squeeze(1) },
  { name: "unsqueeze", inputs: [[2, 3]], fn: (a) => cr.unsqueeze(a!, 1) },
  { name: "unsqueeze -1", inputs: [[2, 3]], fn: (a) => a!.unsqueeze(-1) },
  { name: "expand", inputs: [[2, 1]], fn: (a) => cr.expand(a!, [3, 2, 4]), gradgrad: true },
  { name: "expand -1", inputs: [[1, 3]], fn: (a) => a!.expand(4, -1) },
  { name: "expand 0-dim", inputs: [[]], fn: (a) => a!.expand([2, 3]) },
  { name: "flatten", inputs: [[2, 3, 2]], fn: (a) => cr.flatten(a!) },
  { name: "flatten from dim 1", inputs: [[2, 3, 2]], fn: (a) => a!.flatten(1) },
  { name: "cat dim 0", inputs: [[2, 3], [1, 3]], fn: (a, b) => cr.cat([a!, b!], 0), gradgrad: true },
  { name: "cat dim 1, three inputs", inputs: [[2, 1], [2, 3], [2, 2]], fn: (a, b, c) => cr.cat([a!, b!, c!], 1) },
  { name: "cat same input twice", inputs: [[2, 2]], fn: (a) => cr.cat([a!, a!.mul(2)], -1) },
  { name: "stack dim 0", inputs: [[2, 3], [2, 3]], fn: (a, b) => cr.stack([a!, b!]) },
  { name: "stack dim 1", inputs: [[2, 3], [2, 3]], fn: (a, b) => cr.stack([a!, b!], 1), gradgrad: true },
  { name: "slice with step", inputs: [[3, 6]], fn: (a) => cr.slice(a!, 1, 0, 6, 2), gradgrad: true },
  { name: "slice negative bounds", inputs: [[3, 6]], fn: (a) => a!.slice(1, -4, -1) },
  { name: "slice negative start, step 3", inputs: [[7, 2]], fn: (a) => a!.slice(0, -6, null, 3) },
  { name: "slice clipped", inputs: [[3, 4]], fn: (a) => a!.slice(0, 1, 100) },
  { name: "narrow", inputs: [[3, 5]], fn: (a) => cr.narrow(a!, 1, 1, 3) },
  { name: "select", inputs: [[3, 4]], fn: (a) => cr.select(a!, 0, 1) },
  { name: "select negative index", inputs: [[3, 4]], fn: (a) => a!.select(1, -1) },
  { name: "gather dim 1 (repeated indices)", inputs: [[2, 3]], fn: (a) => cr.gather(a!, 1, GATHER_IDX), gradgrad: true },
  { name: "gather dim 0", inputs: [[2, 3]], fn: (a) => a!.gather(0, GATHER_IDX0) },
  {
    name: "scatterAdd (grad to input and src)",
    inputs: [[3, 3], [3, 2]],
    fn: (a, src) => cr.scatterAdd(a!, 1, SCATTER_IDX, src!),
    gradgrad: true,
  },
  { name: "indexSelect (repeated indices)", inputs: [[3, 2]], fn: (a) => cr.indexSelect(a!, 0, SELECT_IDX), gradgrad: true },
  { name: "indexSelect dim 1", inputs: [[2, 3]], fn: (a) => a!.indexSelect(1, SELECT_IDX) },
  {
    name: "indexAdd (grad to input and src)",
    inputs: [[4, 2], [3, 2]],
    fn: (a, src) => cr.indexAdd(a!, 0, ADD_IDX, src!),
    gradgrad: true,
  },
  { name: "where (grad to both branches)", inputs: [[2, 3], [2, 3]], fn: (a, b) => cr.where(COND_2x3, a!, b!), gradgrad: true },
  { name: "where broadcast branches", inputs: [[2, 3], [3]], fn: (a, b) => cr.where(COND_3, a!, b!) },
  { name: "where with number", inputs: [[2, 3]], fn: (a) => cr.where(COND_2x3, 0.5, a!) },
  { name: "to float64 (same dtype)", inputs: [[2, 3]], fn: (a) => a!.to("float64").mul(3) },
  {
    name: "to float32 and back",
    inputs: [[2, 3]],
    fn: (a) => a!.to("float32").to("float64"),
    opts: { eps: 1e-3, atol: 1e-4, rtol: 1e-3 },
  },
  { name: "clone", inputs: [[2, 3]], fn: (a) => a!.clone(), gradgrad: true },

  // ---- compositions ----
  {
    name: "composite: softmax cross-entropy with gather",
    inputs: [[3, 4]],
    fn: (logits) => logits!.logSoftmax(1).gather(1, int([[1], [3], [0]])).neg().mean(),
    gradgrad: true,
  },
  {
    name: "composite: linear layer + tanh + sum",
    inputs: [[2, 3], [4, 3], [4]],
    fn: (x, w, b) => cr.tanh(x!.matmul(w!.transpose(0, 1)).add(b!)).sum(),
    gradgrad: true,
  },
  {
    name: "composite: input used twice (x * sin(x))",
    inputs: [[5]],
    fn: (x) => x!.mul(x!.sin()),
    gradgrad: true,
  },
];

test("the table covers every differentiable op named in the suite", () => {
  const names = SPECS.map((s) => s.name).join(" | ");
  const ops = [
    "add", "sub", "mul", "div", "pow", "neg", "abs", "sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu",
    "leakyRelu", "gelu exact", "gelu tanh", "silu", "softplus", "clamp min only", "clamp max only", "clamp both",
    "maximum", "minimum", "square", "rsqrt", "reciprocal", "erf", "log1p", "expm1", "matmul 1-D·1-D", "matmul 1-D·2-D", "matmul 2-D·1-D",
    "matmul 2-D·2-D", "matmul batched 3-D·3-D", "matmul broadcast 3-D·2-D", "matmul broadcast [2,1,3,4]·[5,4,2]",
    "mm", "addmm", "bmm", "dot", "sum", "mean", "max all", "max dim", "min all", "min dim", "amax", "amin", "logsumexp",
    "var", "std", "softmax", "logSoftmax", "reshape", "view", "transpose", "permute", "squeeze", "unsqueeze", "expand",
    "flatten", "cat", "stack", "slice", "narrow", "select", "gather", "scatterAdd", "indexSelect", "indexAdd", "where",
    "to float64", "clone",
  ];
  for (const op of ops) assert.ok(names.includes(op), `no gradcheck spec for ${op}`);
  assert.equal(new Set(SPECS.map((s) => s.name)).size, SPECS.length, "spec names must be unique");
});

SPECS.forEach((spec, i) => {
  test(`gradcheck: ${spec.name}`, () => {
    cr.manualSeed(1000 + i);
    const inputs = sampleInputs(spec);
    inputs.forEach((x, k) => {
      assert.equal(x.dtype, "float64");
      assert.ok(x.isLeaf && x.requiresGrad);
      assert.deepEqual(x.shape, shapeOf(spec.inputs[k]!));
    });
    assert.equal(cr.autograd.gradcheck(spec.fn, inputs, spec.opts), true);
  });
});

SPECS.filter((s) => s.gradgrad === true).forEach((spec) => {
  test(`gradgradcheck: ${spec.name}`, () => {
    cr.manualSeed(5000 + SPECS.indexOf(spec));
    const inputs = sampleInputs(spec);
    assert.equal(cr.autograd.gradgradcheck(spec.fn, inputs, spec.opts), true);
  });
});

test("gradcheck accepts float32 inputs (checked in float64)", () => {
  cr.manualSeed(7);
  const x = cr.randn([2, 3], { requiresGrad: true });
  assert.equal(x.dtype, "float32");
  assert.equal(cr.autograd.gradcheck((a) => a.sin().mul(a), [x]), true);
});

test("gradcheck skips inputs that do not require grad", () => {
  cr.manualSeed(8);
  const x = cr.randn([3], { dtype: "float64", requiresGrad: true });
  const c = cr.randn([3], { dtype: "float64" });
  assert.equal(cr.autograd.gradcheck((a, b) => a.mul(b).exp(), [x, c]), true);
});

test("gradcheck fails with a GradcheckError naming the input, element and both values for a wrong derivative", () => {
  cr.manualSeed(9);
  const x = cr.randn([3], { dtype: "float64", requiresGrad: true });
  const y = cr.randn([2, 2], { dtype: "float64", requiresGrad: true });
  // The hook doubles the gradient flowing into x·y's second factor: the analytical derivative with
  // respect to input 1 is twice the true one, while input 0 is still right.
  const wrong = (a: Tensor, b: Tensor): Tensor => {
    const t = b.mul(1);
    t.registerHook((g) => g.mul(2));
    return a.sum().mul(t);
  };
  assert.throws(
    () => cr.autograd.gradcheck(wrong, [x, y]),
    (err: unknown) => {
      assert.ok(err instanceof cr.GradcheckError, `expected a GradcheckError, got ${String(err)}`);
      assert.equal(err.name, "GradcheckError");
      assert.match(err.message, /input 1/);
      assert.match(err.message, /element \[\d,\d\]/);
      assert.match(err.message, /numerical -?\d[\d.e+-]*, analytical -?\d[\d.e+-]*/);
      // The analytical value is exactly twice the numerical one.
      const m = /numerical (\S+), analytical (\S+)/.exec(err.message);
      assert.ok(m !== null);
      const numerical = Number(m[1]!.replace(/,$/, ""));
      const analytical = Number(m[2]!.replace(/,$/, ""));
      assert.ok(Math.abs(analytical - 2 * numerical) < 1e-6 * Math.max(1, Math.abs(analytical)), err.message);
      return true;
    },
  );
  // The inputs are untouched by the failed check.
  assert.equal(x.grad, null);
  assert.equal(y.grad, null);
});

test("gradcheck names the first element where the derivative is wrong", () => {
  cr.manualSeed(10);
  const x = cr.tensor([0.5, 1.5, -2], { dtype: "float64", requiresGrad: true });
  const wrong = (a: Tensor): Tensor => {
    const t = a.mul(1);
    t.registerHook((g) => g.mul(2));
    return t.exp();
  };
  assert.throws(() => cr.autograd.gradcheck(wrong, [x]), {
    name: "GradcheckError",
    message: /output 0 element \[0\] with respect to input 0 element \[0\]: numerical 1\.6487\d*, analytical 3\.2974\d*/,
  });
});

test("gradgradcheck catches a wrong second derivative", () => {
  cr.manualSeed(11);
  const x = cr.randn([3], { dtype: "float64", requiresGrad: true });
  // The doubling hook acts in the double-backward pass too, so the derivative of the (recorded)
  // gradient with respect to x comes out twice the finite-difference one.
  const wrong = (a: Tensor): Tensor => {
    const t = a.mul(1);
    t.registerHook((g) => g.mul(2));
    return t.pow(3);
  };
  assert.throws(() => cr.autograd.gradgradcheck(wrong, [x]), { name: "GradcheckError", message: /numerical .*analytical/ });
});

test("gradcheck with no input requiring grad is an error", () => {
  const x = cr.randn([3], { dtype: "float64" });
  assert.throws(() => cr.autograd.gradcheck((a) => a.exp(), [x]), { name: "GradcheckError", message: /no input requires grad/ });
});
