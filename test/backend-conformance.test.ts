// Every backend method on every backend against the cpu reference, from one table (a method without cases is a
// compile error), and every elementwise op of the registry, its cases drawn from its entry; each backend's core
// alone (the accelerated methods composed by backend/fallbacks.ts) runs the same cases. Then a training step and
// the PyTorch fixtures on `wasm`.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import type { CompleteBackend, TensorData, Window2d } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { coreOnly } from "../src/backend/fallbacks.js";
import { wasmBackend } from "../src/backend/wasm/index.js";
import { workerChunks } from "../src/backend/wasm/workers.js";
import { elementwiseF32 } from "../src/backend/wasm/elementwise.js";
import { logSoftmaxBackwardF32 } from "../src/backend/wasm/softmax.js";
import { matmulF32 } from "../src/backend/wasm/matmul.js";
import { loadVariant } from "../src/backend/wasm/runtime.js";
import type { ComputeDType as DType, TypedArray } from "../src/dtype.js";
import { allocArray } from "../src/dtype.js";
import { ELEMENTWISE, ELEMENTWISE_OPS } from "../src/ops/elementwise.js";
import type { ElementwiseOp, ElementwiseOpDef } from "../src/ops/elementwise.js";
import { opProgram } from "../src/ops/program.js";
import { broadcastShapes, sizeOf } from "../src/shape.js";
import type { Shape } from "../src/shape.js";
import type { WindowNd } from "../src/backend/backend.js";
import { product, windowNdOut } from "../src/ops/window-nd.js";

const wasm = cr.backends.wasm;
const { memoryStats: wasmMemoryStats, tensorStats: heapTensorStats, setFusionMinElements } = wasm;

/** Methods the wasm backend runs in WebAssembly (for float32; the rest delegate to the cpu kernels). */
const WASM_KERNELS: ReadonlySet<string> = new Set(["elementwise", "reduce", "argReduce", "gather", "scatterAdd", "logSoftmax", "matmul", "permute", "unfold", "fold", "maxPool2dIndices", "adamUpdate", "logSoftmaxBackward", "nllLoss", "nllLossBackward", "addmm"]);

/** The backends under test; each is compared with `cpu`. The core-only ones run every accelerated method as its fallback. */
const BACKENDS: readonly CompleteBackend[] = [wasmBackend, coreOnly(cpuBackend, "cpu-core"), coreOnly(wasmBackend, "wasm-core")];
type Backend = CompleteBackend;
/** The core methods every backend implements itself (the others a core-only backend composes). */
const CORE: ReadonlySet<string> = new Set(["fromArray", "readSync", "full", "assign", "release", "elementwise", "reduce", "argReduce", "matmul", "strided", "scatterStrided", "gather", "scatterAdd", "evaluate"]);

// ---- inputs: seeded, so a failure names a reproducible case ----

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

/** A tensor's data as every backend takes it: a fresh typed array per backend, since backends may keep it. */
interface Input {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly data: TypedArray;
}
function make(dtype: DType, shape: Shape, gen?: (i: number) => number): Input {
  const data = allocArray(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    data[i] = gen ? gen(i) : dtype === "bool" ? (rand() < 0.5 ? 1 : 0) : dtype === "int32" ? Math.floor(rand() * 20) - 10 : rand() * 4 - 2;
  }
  return { shape, dtype, data };
}
const positive = (dtype: DType, ...shape: number[]) => make(dtype, shape, () => 0.1 + rand() * 3);
const indices = (bound: number, ...shape: number[]) => make("int32", shape, () => Math.floor(rand() * bound));

function on(backend: Backend, x: Input): TensorData {
  return { buf: backend.fromArray(x.data.slice()), shape: x.shape, dtype: x.dtype };
}

// ---- the table: every kernel, a list of cases; a missing kernel is a compile error ----

interface Case {
  readonly name: string;
  /** Inputs read by `run` (so their data can be checked unchanged afterwards). */
  readonly inputs: readonly Input[];
  readonly run: (b: Backend, args: readonly TensorData[]) => TypedArray | void;
  /** The result's dtype and size, to read it back with toArray. */
  readonly out?: { dtype: DType; size: number };
  /** Relative/absolute tolerance: wasm's fused multiply-add differs from mul + add in the last bits. */
  readonly tol?: number;
}
// captureKernels and computeEagerly serve captured graphs, checked against eager runs in capture.test.ts; `read`
// (asynchronous) against readSync below.
type Kernel = Exclude<keyof Backend, "name" | "view" | "ownsMemory" | "captureKernels" | "computeEagerly" | "read">;

const readBack = (b: Backend, buf: object, dtype: DType, size: number): TypedArray => b.readSync!(buf, dtype, size);

function c(name: string, inputs: readonly Input[], out: { dtype: DType; size: number }, run: (b: Backend, a: readonly TensorData[]) => object, tol?: number): Case {
  return { name, inputs, out, run: (b, a) => readBack(b, run(b, a), out.dtype, out.size), ...(tol === undefined ? {} : { tol }) };
}
const a0 = (a: readonly TensorData[], i = 0) => a[i]!;

const BINARY: readonly ElementwiseOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum"];
const FLOATS: readonly DType[] = ["float32", "float64"];
/** The registry op `op` on `inputs` (same dtype), through the backend's one elementwise method. */
const ew = (b: Backend, op: ElementwiseOp, inputs: readonly TensorData[], outShape: Shape, outDtype: DType) => b.elementwise(opProgram(op), inputs, outShape, outDtype);

// ---- the elementwise ops, their cases drawn from the registry: every op has some, by construction ----

// Inputs in the op's domain, away from the points it is not differentiable at (a jump or a kink).
function opInput(def: ElementwiseOpDef, i: number, dtype: DType, shape: Shape): Input {
  if (def.test?.kinds?.[i] === "bool") return make("bool", shape);
  const dom = def.test?.domain;
  const [lo, hi] = dom === undefined ? [-2, 2] : typeof dom[0] === "number" ? (dom as readonly [number, number]) : (dom as readonly (readonly [number, number])[])[i]!;
  return make(dtype, shape, () => {
    const v = lo + rand() * (hi - lo);
    return dtype === "int32" ? Math.round(v * 3) : v;
  });
}

function elementwiseCases(op: ElementwiseOp): Case[] {
  const def: ElementwiseOpDef = ELEMENTWISE[op];
  const outOf = (dt: DType) => (def.predicate === true ? "bool" : dt);
  const shapes = def.arity === 1 ? [[3, 5]] : def.arity === 2 ? [[3, 1], [5]] : [[3, 1], [5], [3, 5]];
  const dtypes: DType[] = def.dtype === "logical" ? ["bool"] : def.dtype === "float" ? [...FLOATS] : [...FLOATS, "int32"];
  const cases = dtypes.map((dt) => {
    const inputs = shapes.map((shape, i) => opInput(def, i, dt, shape));
    return c(`${op} ${dt} broadcast`, inputs, { dtype: outOf(dt), size: 15 }, (b, a) => ew(b, op, a, [3, 5], outOf(dt)));
  });
  // Large enough for wasm's kernels (an odd length: a partial last vector), with NaN, ±0 and ±Infinity.
  if (def.dtype !== "logical" && def.dtype !== "where") {
    const special = [NaN, -0, 0, Infinity, -Infinity];
    const inputs = Array.from({ length: def.arity }, (_, i) => {
      const x = opInput(def, i, "float32", [1027]);
      if (i === 0) special.forEach((v, k) => (x.data[k] = v));
      return x;
    });
    cases.push(c(`${op} float32 [1027] with specials`, inputs, { dtype: outOf("float32"), size: 1027 }, (b, a) => ew(b, op, a, [1027], outOf("float32"))));
  }
  return cases;
}

/** Every op of the registry with its cases. */
const ELEMENTWISE_CASES = Object.fromEntries(ELEMENTWISE_OPS.map((op) => [op, elementwiseCases(op)])) as Record<ElementwiseOp, Case[]>;

function matmulCase(dtype: DType, aShape: number[], bShape: number[], outShape: number[]): Case {
  const x = make(dtype, aShape), y = make(dtype, bShape);
  const tol = dtype === "float32" ? 1e-5 * Math.sqrt(aShape[aShape.length - 1]!) : 1e-12;
  return c(`${dtype} [${aShape}]·[${bShape}]`, [x, y], { dtype, size: sizeOf(outShape) }, (b, a) => b.matmul(a0(a), a0(a, 1), outShape), tol);
}

// Operands stored transposed ([k, m] for A, [n, k] for B): the kernel must read them as the product's Aᵀ, Bᵀ.
function matmulTransCase(dtype: DType, transA: boolean, transB: boolean, m: number, k: number, n: number, batch: number[] = []): Case {
  const x = make(dtype, [...batch, ...(transA ? [k, m] : [m, k])]), y = make(dtype, transB ? [n, k] : [k, n]);
  const tol = dtype === "float32" ? 1e-5 * Math.sqrt(k) : 1e-12;
  return c(`${dtype} ${transA ? "Aᵀ" : "A"}·${transB ? "Bᵀ" : "B"} ${m}×${k}×${n} batch [${batch}]`, [x, y], { dtype, size: sizeOf(batch) * m * n },
    (b, a) => b.matmul(a0(a), a0(a, 1), [...batch, m, n], transA, transB), tol);
}

// bias [n] + op(A)·op(B) for matrices (a linear layer's forward): the product, then the bias added to every row.
function addmmCase(dtype: DType, transA: boolean, transB: boolean, m: number, k: number, n: number): Case {
  const bias = make(dtype, [n]), x = make(dtype, transA ? [k, m] : [m, k]), y = make(dtype, transB ? [n, k] : [k, n]);
  const tol = dtype === "float32" ? 1e-5 * Math.sqrt(k) : 1e-12;
  return c(`${dtype} bias + ${transA ? "Aᵀ" : "A"}·${transB ? "Bᵀ" : "B"} ${m}×${k}×${n}`, [bias, x, y], { dtype, size: m * n },
    (b, a) => b.addmm(a0(a), a0(a, 1), a0(a, 2), [m, n], transA, transB), tol);
}

// Products summed over the (broadcast) batch into one [m, n], as a weight used by every item of a batch gets
// its gradient: Backend.matmul with a 2-D outShape for batched operands.
function matmulSumCase(dtype: DType, aShape: number[], bShape: number[], m: number, n: number, transA = false, transB = false): Case {
  const x = make(dtype, aShape), y = make(dtype, bShape);
  const k = aShape[aShape.length - (transA ? 2 : 1)]!;
  const batch = sizeOf(broadcastShapes("matmul", aShape.slice(0, -2), bShape.slice(0, -2)));
  const tol = dtype === "float32" ? 1e-5 * Math.sqrt(k * Math.max(1, batch)) : 1e-12;
  return c(`${dtype} Σ over the batch of ${transA ? "Aᵀ" : "A"}[${aShape}]·${transB ? "Bᵀ" : "B"}[${bShape}]`, [x, y], { dtype, size: m * n },
    (b, a) => b.matmul(a0(a), a0(a, 1), [m, n], transA, transB), tol);
}

// A copy of an input on the same backend, for kernels that write in place.
const copyOn = (b: Backend, t: TensorData): TensorData => ({ ...t, buf: b.fromArray(readBack(b, t.buf, t.dtype, sizeOf(t.shape))) });

// Several Adam steps in place; the result is p, m, v (and v̂) one after the other.
function adamCase(dtype: DType, size: number, amsgrad: boolean): Case {
  const inputs = [make(dtype, [size]), make(dtype, [size]), make(dtype, [size]), positive(dtype, size)];
  const parts = amsgrad ? 4 : 3;
  return c(`${dtype} [${size}]${amsgrad ? " amsgrad" : ""}`, inputs, { dtype, size: parts * size }, (b, a) => {
    const [p, g, m, v] = a.map((t) => copyOn(b, t)) as [TensorData, TensorData, TensorData, TensorData];
    const vmax = amsgrad ? b.full(size, 0, dtype) : null;
    for (let t = 1; t <= 3; t++) {
      b.adamUpdate(p, g, m.buf, v.buf, vmax, { beta1: 0.9, beta2: 0.999, stepSize: 1e-2 / (1 - 0.9 ** t), biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** t), eps: 1e-8 });
    }
    const out = allocArray(dtype, parts * size);
    [p.buf, m.buf, v.buf, ...(vmax ? [vmax] : [])].forEach((buf, i) => out.set(readBack(b, buf, dtype, size), i * size));
    return out;
  });
}

function window(k: number, s: number, p: number, d: number, padValue = 0): Window2d {
  return { kernel: [k, k], stride: [s, s], padding: [p, p], dilation: [d, d], padValue };
}
const out2d = (size: number, w: Window2d) => Math.floor((size + 2 * w.padding[0] - w.dilation[0] * (w.kernel[0] - 1) - 1) / w.stride[0]) + 1;

function windowNd(kernel: number[], stride: number[], padBefore: number[], padAfter: number[], dilation: number[]): WindowNd {
  return { kernel, stride, padBefore, padAfter, dilation, padValue: 0 };
}
const describeNd = (w: WindowNd) => `k[${w.kernel}] s[${w.stride}] p[${w.padBefore}]/[${w.padAfter}] d[${w.dilation}]`;
const ND_WINDOWS: readonly (readonly [number[], WindowNd])[] = [
  [[9], windowNd([3], [2], [1], [2], [1])],
  [[5, 7], windowNd([2, 3], [1, 2], [1, 0], [0, 2], [2, 1])],
  [[4, 5, 6], windowNd([2, 3, 2], [1, 2, 2], [1, 1, 0], [1, 1, 1], [1, 1, 2])],
  [[5, 4, 4], windowNd([3, 2, 2], [2, 1, 1], [1, 0, 0], [-1, 0, 0], [1, 1, 1])],
  [[4, 4, 4], windowNd([1, 1, 1], [2, 2, 2], [0, 0, 0], [0, 0, 0], [1, 1, 1])],
];

/** Matrices with a dominant diagonal (well conditioned); `spd` makes each symmetric positive-definite. */
function dominant(dtype: DType, shape: readonly number[], spd = false): Input {
  const n = shape[shape.length - 1]!;
  const x = make(dtype, [...shape]);
  for (let i = 0; i < x.data.length; i++) {
    const r = Math.floor(i / n) % n, col = i % n;
    if (spd && col < r) x.data[i] = x.data[i - (i % (n * n)) + col * n + r]!;
    if (r === col) x.data[i] = x.data[i]! + 2 * n;
  }
  return x;
}

// Fused attention: batch dims, L, S, E, Ev, causal, and a bias shape (with −∞ entries: a whole row in one head).
interface AttentionCase { batch: number[]; l: number; s: number; e: number; ev: number; causal: boolean; bias: number[] | null }
const ATTENTION_CASES: readonly AttentionCase[] = [
  { batch: [2, 3], l: 5, s: 7, e: 4, ev: 3, causal: false, bias: null },
  { batch: [2], l: 70, s: 67, e: 3, ev: 2, causal: true, bias: null },
  { batch: [2, 3], l: 4, s: 6, e: 2, ev: 5, causal: false, bias: [3, 4, 6] },
  { batch: [2, 1], l: 3, s: 5, e: 2, ev: 2, causal: false, bias: [2, 1, 1, 5] },
  { batch: [1], l: 1, s: 1, e: 1, ev: 1, causal: true, bias: null },
];
function attentionCase(dt: DType, ac: AttentionCase, backward: boolean): Case {
  const { batch, l, s, e, ev, causal, bias } = ac;
  const inputs = [make(dt, [...batch, l, e]), make(dt, [...batch, s, e]), make(dt, [...batch, s, ev]), make(dt, [...batch, l, ev])];
  if (bias !== null) inputs.push(make(dt, bias, (i) => (i < bias[bias.length - 1]! || rand() < 0.2 ? -Infinity : rand() * 2 - 1)));
  const n = sizeOf(batch);
  const saved = n * l * (ev + 1), grads = n * (l * e + s * e + s * ev);
  const name = `${dt} [${batch}] L${l} S${s} E${e} Ev${ev}${causal ? " causal" : ""}${bias ? ` bias [${bias}]` : ""}`;
  return c(name, inputs, { dtype: dt, size: backward ? grads : saved }, (b, a) => {
    const p = { scale: 0.7, causal };
    const biasData = bias === null ? null : a0(a, 4);
    const fwd = b.attention(a0(a), a0(a, 1), a0(a, 2), biasData, p);
    if (!backward) return fwd;
    return b.attentionBackward(a0(a, 3), a0(a), a0(a, 1), a0(a, 2), { buf: fwd, shape: [saved], dtype: dt }, biasData, p);
  }, dt === "float32" ? 1e-5 : 1e-12);
}

/** GELU's inputs where kernels go wrong: NaN, infinities, signed zeros, erf's branch points, far tails. */
const GELU_SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 0.7071, -0.7071, 4, -4, 5.7, -5.7, 10, -10, 13, -13, 30, -30, 1e-8, -1e-8];

const TABLE: { [K in Kernel]: readonly Case[] } = {
  fromArray: FLOATS.map((dt) => c(dt, [make(dt, [5])], { dtype: dt, size: 5 }, (_b, a) => a0(a).buf)),
  readSync: ["float32", "float64", "int32", "bool"].map((dt) => c(dt as DType, [make(dt as DType, [2, 3])], { dtype: dt as DType, size: 6 }, (_b, a) => a0(a).buf)),
  full: (["float32", "float64", "int32", "bool"] as const).map((dt) => c(dt, [], { dtype: dt, size: 7 }, (b) => b.full(7, dt === "bool" ? 1 : -3, dt))).concat(
    // wasm's fill kernel: -0.1 has no exact float32, 7.9 truncates to 7 in int32, as in the cpu kernel.
    (["float32", "int32"] as const).flatMap((dt) => [-0.1, 7.9].map((v) => c(`${dt} ${v} × 300001`, [], { dtype: dt, size: 300001 }, (b) => b.full(300001, v, dt))))),
  elementwise: [
    // Every op of the registry (a new op gets these cases with its entry).
    ...ELEMENTWISE_OPS.flatMap((op) => ELEMENTWISE_CASES[op]),
    // Conversions between every pair of dtypes (cast), and a same-dtype copy large enough for the heap.
    ...(["float32", "float64", "int32", "bool"] as const).flatMap((from) =>
      (["float32", "float64", "int32", "bool"] as const).map((to) => c(`cast ${from}→${to}`, [make(from, [3, 4])], { dtype: to, size: 12 }, (b, a) => ew(b, "cast", [a0(a)], [3, 4], to)))),
    ...(["float32", "int32"] as const).map((dt) => c(`cast ${dt}→${dt} [700]`, [make(dt, [700])], { dtype: dt, size: 700 }, (b, a) => ew(b, "cast", [a0(a)], [700], dt))),
    c("relu float32 [300001] split across threads", [make("float32", [300001])], { dtype: "float32", size: 300001 }, (b, a) => ew(b, "relu", [a0(a)], [300001], "float32")),
    ...(["isnan", "isinf", "isfinite"] as const).flatMap((op) => FLOATS.map((dt) => c(`${op} ${dt}`, [make(dt, [4], (i) => [NaN, Infinity, -1, 0][i]!)], { dtype: "bool", size: 4 }, (b, a) => ew(b, op, [a0(a)], [4], "bool")))),
    // Big enough to be split across the worker threads: same shape, a scalar, and a repeated row.
    c("mul float32 [600, 512] split across threads", [make("float32", [600, 512]), make("float32", [600, 512])], { dtype: "float32", size: 600 * 512 }, (b, a) => ew(b, "mul", [a0(a), a0(a, 1)], [600, 512], "float32")),
    c("sub float32 [600, 512] − scalar, split", [make("float32", [600, 512]), make("float32", [])], { dtype: "float32", size: 600 * 512 }, (b, a) => ew(b, "sub", [a0(a), a0(a, 1)], [600, 512], "float32")),
    c("add float32 [600, 516] + row, split", [make("float32", [600, 516]), make("float32", [516])], { dtype: "float32", size: 600 * 516 }, (b, a) => ew(b, "add", [a0(a), a0(a, 1)], [600, 516], "float32")),
    // A repeated row that is not whole vectors (ten classes' biases, three channels), on either side; split across
    // threads in chunks that start in the middle of a row.
    ...([[[128, 10], [10]], [[200, 3], [1, 3]], [[30000, 10], [10]], [[7, 9, 13], [9, 13]]] as const).flatMap(([big, row]) => [
      c(`add float32 ${JSON.stringify(big)} + row ${JSON.stringify(row)}`, [make("float32", [...big]), make("float32", [...row])], { dtype: "float32", size: sizeOf(big) }, (b, a) => ew(b, "add", [a0(a), a0(a, 1)], [...big], "float32")),
      c(`div float32 row ${JSON.stringify(row)} / ${JSON.stringify(big)}`, [make("float32", [...row]), positive("float32", ...big)], { dtype: "float32", size: sizeOf(big) }, (b, a) => ew(b, "div", [a0(a), a0(a, 1)], [...big], "float32")),
    ]),
    // A channel's value over its positions (a conv bias), on either side: one thread, split across threads
    // (chunks that start in the middle of the channels), and blocks not a whole number of vectors.
    ...([[[2, 3, 4, 4], [1, 3, 1, 1]], [[17, 16, 32, 32], [16, 1, 1]], [[4, 6, 2, 8], [6, 2, 1]], [[2, 3, 5, 5], [3, 1, 1]]] as const).flatMap(([big, col]) => [
      c(`add float32 ${JSON.stringify(big)} + column ${JSON.stringify(col)}`, [make("float32", [...big]), make("float32", [...col])], { dtype: "float32", size: sizeOf(big) }, (b, a) => ew(b, "add", [a0(a), a0(a, 1)], [...big], "float32")),
      c(`sub float32 column ${JSON.stringify(col)} − ${JSON.stringify(big)}`, [make("float32", [...col]), make("float32", [...big])], { dtype: "float32", size: sizeOf(big) }, (b, a) => ew(b, "sub", [a0(a), a0(a, 1)], [...big], "float32")),
    ]),
    // Large enough for wasm's SIMD kernels: same shapes, a scalar on either side, and a row broadcast (cpu path).
    ...[...BINARY, "gt" as const, "thresholdBackward" as const].flatMap((op: ElementwiseOp) => {
      const big = (...shape: number[]) => make("float32", shape, (i) => (i === 3 ? NaN : i === 5 ? -0 : op === "pow" ? 0.1 + rand() * 3 : rand() * 4 - 2));
      const outDtype = op === "gt" ? "bool" : "float32";
      const out = { dtype: outDtype, size: 33 * 31 } as const;
      const run = (shape: number[]) => (b: Backend, a: readonly TensorData[]) => ew(b, op, [a0(a), a0(a, 1)], shape, outDtype);
      return [
        c(`${op} float32 same shape`, [big(33, 31), big(33, 31)], out, run([33, 31])),
        c(`${op} float32 tensor∘scalar`, [big(33, 31), make("float32", [], () => 0.75)], out, run([33, 31])),
        c(`${op} float32 scalar∘tensor`, [make("float32", [1], () => 1.5), big(33, 31)], out, run([33, 31])),
        c(`${op} float32 row broadcast`, [big(33, 31), big(31)], out, run([33, 31])),
        // Rows of a multiple of 4 elements repeated (a bias over a batch), on either side: wasm's row modes.
        c(`${op} float32 row of 32 repeated`, [big(33, 32), big(1, 32)], { dtype: outDtype, size: 33 * 32 }, run([33, 32])),
        c(`${op} float32 repeated row of 32 first`, [big(32), big(2, 17, 32)], { dtype: outDtype, size: 2 * 17 * 32 }, run([2, 17, 32])),
      ];
    }),
    // Programs of several ops in one loop (a gradient's), on wasm compiled at run time: the bits of the ops one by one.
    c("tanh's gradient g·(1 − y²) over [3001]", [make("float32", [3001]), make("float32", [3001], () => rand() * 2 - 1)], { dtype: "float32", size: 3001 }, (b, a) => {
      const d = opProgram("tanh").vjp(0);
      assert.ok(d.kind === "program");
      return b.elementwise(d.program, d.operands.map((o) => (o === "grad" ? a0(a) : a0(a, 1))), [3001], "float32");
    }),
    c("where on an int32 condition's test, [2, 3] of float64", [make("bool", [2, 1]), make("float64", [3]), make("float64", [2, 3])], { dtype: "float64", size: 6 }, (b, a) => ew(b, "where", [a0(a), a0(a, 1), a0(a, 2)], [2, 3], "float64")),
  ],
  // A view of every kind: a transpose, a broadcast (stride 0), a strided slice, overlapping windows (Tensor.unfold), a diagonal.
  strided: (["float32", "float64", "int32"] as const).flatMap((dt) => [
    c(`${dt} transpose`, [make(dt, [3, 4])], { dtype: dt, size: 12 }, (b, a) => b.strided(a0(a), { offset: 0, strides: [1, 4] }, [4, 3])),
    c(`${dt} broadcast`, [make(dt, [3])], { dtype: dt, size: 12 }, (b, a) => b.strided(a0(a), { offset: 0, strides: [0, 1] }, [4, 3])),
    c(`${dt} slice from 5, steps 2 and 3`, [make(dt, [6, 7])], { dtype: dt, size: 6 }, (b, a) => b.strided(a0(a), { offset: 5, strides: [14, 3] }, [3, 2])),
    c(`${dt} overlapping windows of 4 every 2`, [make(dt, [11])], { dtype: dt, size: 16 }, (b, a) => b.strided(a0(a), { offset: 0, strides: [2, 1] }, [4, 4])),
    c(`${dt} diagonal`, [make(dt, [5, 5])], { dtype: dt, size: 5 }, (b, a) => b.strided(a0(a), { offset: 0, strides: [6] }, [5])),
  ]),
  scatterStrided: FLOATS.flatMap((dt) => [false, true].flatMap((accumulate) => [
    c(`${dt} into a slice${accumulate ? ", adding" : ""}`, [make(dt, [6, 7]), make(dt, [3, 2])], { dtype: dt, size: 42 }, (b, a) => {
      const dst = copyOn(b, a0(a));
      b.scatterStrided(dst.buf, a0(a, 1), { offset: 5, strides: [14, 3] }, accumulate);
      return dst.buf;
    }),
    // Overlapping windows: where they overlap the values add up (or the last one wins).
    c(`${dt} overlapping windows${accumulate ? ", adding" : ""}`, [make(dt, [11]), make(dt, [4, 4])], { dtype: dt, size: 11 }, (b, a) => {
      const dst = copyOn(b, a0(a));
      b.scatterStrided(dst.buf, a0(a, 1), { offset: 0, strides: [2, 1] }, accumulate);
      return dst.buf;
    }),
  ])),
  reduce: FLOATS.flatMap((dt) => (["sum", "prod", "max", "min"] as const).flatMap((op) =>
    [[0], [1], [0, 2], [0, 1, 2]].map((axes) => {
      const shape = [3, 4, 5];
      const outSize = sizeOf(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
      return c(`${op} ${dt} axes ${axes}`, [make(dt, shape)], { dtype: dt, size: outSize }, (b, a) => b.reduce(op, a0(a), axes, dt), 1e-6);
    }))).concat(([[[64, 48], [0, 1]], [[64, 48], [0]], [[8, 8, 36], [0, 1]], [[64, 48], [1]], [[4, 16, 40], [1, 2]], [[100, 30], [0]], [[128, 10], [0]], [[3, 5, 70], [1]], [[300005], [0]], [[2, 150001], [0, 1]], [[8, 16, 6, 6], [0, 2, 3]], [[4, 6, 5, 9], [0, 3]], [[3, 20, 50], [0, 2]], [[128, 32, 400], [0]], [[40, 7000], [0]], [[64, 17, 24, 24], [0, 2, 3]]] as const).map(([shape, axes]) => {
      const outSize = sizeOf(shape.map((d, i) => ((axes as readonly number[]).includes(i) ? 1 : d)));
      return (["sum", "max", "min"] as const).map((op) => {
        // A NaN in the max and min cases: it must win wherever it is reduced.
        const x = make("float32", shape, op === "sum" ? undefined : (i) => (i === 77 ? NaN : rand() * 4 - 2));
        return c(`${op} float32 [${shape}] axes ${axes}`, [x], { dtype: "float32", size: outSize }, (b, a) => b.reduce(op, a0(a), axes, "float32"), op === "sum" ? 1e-6 : 0);
      });
    }).flat()),
  // Along the last and a middle axis; large logits, and a row of -Infinity (NaN, as PyTorch gives).
  logSoftmax: FLOATS.flatMap((dt) => [
    c(`${dt} last axis`, [make(dt, [4, 7], (i) => (i < 7 ? 80 + i : rand() * 6 - 3))], { dtype: dt, size: 28 }, (b, a) => b.logSoftmax(a0(a), 1), 1e-6),
    c(`${dt} middle axis`, [make(dt, [2, 5, 3])], { dtype: dt, size: 30 }, (b, a) => b.logSoftmax(a0(a), 1), 1e-6),
    c(`${dt} a row of -Infinity`, [make(dt, [2, 3], (i) => (i < 3 ? -Infinity : i))], { dtype: dt, size: 6 }, (b, a) => b.logSoftmax(a0(a), 1)),
  ]),
  logSoftmaxBackward: FLOATS.flatMap((dt) => [
    c(`${dt} last axis`, [make(dt, [4, 7]), make(dt, [4, 7], () => -0.2 - rand() * 3)], { dtype: dt, size: 28 }, (b, a) => b.logSoftmaxBackward(a0(a), a0(a, 1), 1), 1e-6),
    c(`${dt} middle axis`, [make(dt, [2, 5, 3]), make(dt, [2, 5, 3], () => -0.2 - rand() * 3)], { dtype: dt, size: 30 }, (b, a) => b.logSoftmaxBackward(a0(a), a0(a, 1), 1), 1e-6),
  ]),
  // Targets with -100 (ignored) among them; [N, C], [N, C, d] and an unbatched [C].
  nllLoss: FLOATS.flatMap((dt) =>
    (["mean", "sum", "none"] as const).flatMap((reduction) => [
      c(`${dt} [5, 4] ${reduction}`, [make(dt, [5, 4]), make("int32", [5], (i) => (i === 2 ? -100 : (i * 3) % 4))], { dtype: dt, size: reduction === "none" ? 5 : 1 },
        (b, a) => b.nllLoss(a0(a), a0(a, 1), -100, reduction), 1e-6),
      c(`${dt} [2, 3, 4] ${reduction}`, [make(dt, [2, 3, 4]), make("int32", [2, 4], (i) => (i === 5 ? 1 : i % 3))], { dtype: dt, size: reduction === "none" ? 8 : 1 },
        (b, a) => b.nllLoss(a0(a), a0(a, 1), 1, reduction), 1e-6),
      c(`${dt} [3] ${reduction}`, [make(dt, [3]), make("int32", [], () => 2)], { dtype: dt, size: 1 }, (b, a) => b.nllLoss(a0(a), a0(a, 1), -100, reduction), 1e-6),
    ])),
  nllLossBackward: FLOATS.flatMap((dt) =>
    (["mean", "sum", "none"] as const).flatMap((reduction) => [
      c(`${dt} [5, 4] ${reduction}`, [make(dt, reduction === "none" ? [5] : []), make("int32", [5], (i) => (i === 2 ? -100 : (i * 3) % 4))], { dtype: dt, size: 20 },
        (b, a) => b.nllLossBackward(a0(a), a0(a, 1), [5, 4], -100, reduction)),
      c(`${dt} [2, 3, 4] ${reduction}`, [make(dt, reduction === "none" ? [2, 4] : []), make("int32", [2, 4], (i) => (i === 5 ? 1 : i % 3))], { dtype: dt, size: 24 },
        (b, a) => b.nllLossBackward(a0(a), a0(a, 1), [2, 3, 4], 1, reduction)),
    ])),
  argReduce: FLOATS.flatMap((dt) => (["argmax", "argmin"] as const).map((op) => c(`${op} ${dt}`, [make(dt, [3, 7])], { dtype: "int32", size: 3 }, (b, a) => b.argReduce(op, a0(a), 1)))).concat(
    // Along a middle axis with whole vectors after it (max pooling's windows): ties everywhere (few
    // distinct values) and NaN, often several in a column (the first must win).
    ([[[64, 4, 144], 1], [[40, 5, 8], 1], [[6, 300], 0]] as const).flatMap(([shape, axis]) => (["argmax", "argmin"] as const).map((op) => {
      const x = make("float32", [...shape], () => (rand() < 0.15 ? NaN : Math.floor(rand() * 4)));
      const outSize = sizeOf(shape.filter((_, d) => d !== axis));
      return c(`${op} float32 [${shape}] along ${axis}, ties and NaN`, [x], { dtype: "int32", size: outSize }, (b, a) => b.argReduce(op, a0(a), axis));
    }))),
  addmm: [
    ...FLOATS.flatMap((dt) => [
      addmmCase(dt, false, false, 3, 5, 7),
      addmmCase(dt, false, true, 13, 17, 10), // a linear layer: W stored [out, in]; rows of 10 end mid-vector
      addmmCase(dt, true, false, 5, 3, 7),
      addmmCase(dt, true, true, 4, 6, 9),
    ]),
    addmmCase("float32", false, true, 0, 5, 7),
    addmmCase("float32", false, true, 3, 0, 7), // an empty product: the rows are the bias
    addmmCase("float32", false, true, 128, 784, 256), // the MNIST MLP's first layer, split across the threads
    addmmCase("float32", false, true, 130, 600, 70),
    addmmCase("int32", false, false, 3, 4, 2),
  ],
  matmul: [
    ...FLOATS.flatMap((dt) => [
      matmulCase(dt, [1, 1], [1, 1], [1, 1]),
      matmulCase(dt, [3, 5], [5, 7], [3, 7]),
      matmulCase(dt, [4, 8], [8, 8], [4, 8]),
      matmulCase(dt, [13, 17], [17, 19], [13, 19]),
      matmulCase(dt, [2, 3, 4, 5], [5, 6], [2, 3, 4, 6]),
      matmulCase(dt, [4, 5], [3, 5, 2], [3, 4, 2]),
    ]),
    matmulCase("float32", [3, 0], [0, 4], [3, 4]),
    matmulCase("float32", [67, 520], [520, 9], [67, 9]), // crosses the 64-row and 512-deep blocks
    matmulCase("float32", [130, 600], [600, 70], [130, 70]), // big enough for worker threads
    matmulCase("float32", [128, 784], [784, 256], [128, 256]), // the MNIST MLP's first layer
    matmulCase("float32", [3, 130, 600], [600, 70], [3, 130, 70]), // threads, one B for every batch (packed once)
    matmulCase("float32", [2, 130, 600], [2, 600, 70], [2, 130, 70]), // threads, a B per batch
    // Many products too small to split by rows: threads take whole products (one B, a B each, transposed),
    // and a broadcast whose offsets are not evenly spaced, which runs them in turn.
    matmulCase("float32", [128, 20, 30], [30, 40], [128, 20, 40]),
    matmulCase("float32", [128, 20, 30], [128, 30, 40], [128, 20, 40]),
    matmulTransCase("float32", true, true, 20, 30, 40, [128]),
    matmulCase("float32", [4, 1, 20, 30], [1, 32, 30, 40], [4, 32, 20, 40]),
    matmulCase("int32", [3, 4], [4, 2], [3, 2]),
    ...FLOATS.flatMap((dt) => [[true, false], [false, true], [true, true]].flatMap(([ta, tb]) => [
      matmulTransCase(dt, ta!, tb!, 5, 3, 7),
      matmulTransCase(dt, ta!, tb!, 13, 17, 19, [2]),
    ])),
    matmulTransCase("float32", true, false, 784, 128, 256), // an MLP's weight gradient, Xᵀ·G
    matmulTransCase("float32", false, true, 128, 256, 784), // and its input gradient, G·Wᵀ
    matmulTransCase("int32", true, true, 3, 4, 2),
    // Two k blocks (the second 88 deep, not a multiple of 4), a partial strip and a partial panel, in both layouts.
    ...[[true, false], [false, true], [true, true]].map(([ta, tb]) => matmulTransCase("float32", ta!, tb!, 70, 600, 37)),
    matmulTransCase("float32", true, true, 200, 530, 96), // threads, with both packers' vector paths
    // Summed over the batch: B broadcast, A broadcast, both batched; one item; none; a batch whose offsets
    // are not evenly spaced.
    ...FLOATS.flatMap((dt) => [
      matmulSumCase(dt, [4, 3, 5], [5, 2], 3, 2),
      matmulSumCase(dt, [3, 5], [4, 5, 2], 3, 2),
      matmulSumCase(dt, [4, 3, 5], [4, 5, 2], 3, 2),
      matmulSumCase(dt, [1, 3, 5], [5, 2], 3, 2),
      matmulSumCase(dt, [0, 3, 5], [5, 2], 3, 2),
      matmulSumCase(dt, [2, 1, 3, 5], [3, 5, 2], 3, 2),
    ]),
    matmulSumCase("int32", [4, 3, 5], [4, 5, 2], 3, 2),
    // Groups of products shared with the worker threads: a convolution's weight gradients (G·colsᵀ over 128
    // images: a partial strip of 25 columns, then 32×400), a batch not a multiple of the groups, transposes.
    matmulSumCase("float32", [128, 16, 576], [128, 25, 576], 16, 25, false, true),
    matmulSumCase("float32", [128, 32, 64], [128, 400, 64], 32, 400, false, true),
    matmulSumCase("float32", [37, 70, 40], [37, 70, 30], 40, 30, true, false),
  ],
  permute: [
    ...FLOATS.map((dt) => c(dt, [make(dt, [2, 3, 4])], { dtype: dt, size: 24 }, (b, a) => b.permute(a0(a), [2, 0, 1]))),
    // Swapping the last two dims of a large 4-byte tensor: wasm's tiled transpose.
    ...(["float32", "int32", "float64"] as const).flatMap((dt) => [
      c(`${dt} [37, 53] transposed`, [make(dt, [37, 53])], { dtype: dt, size: 37 * 53 }, (b, a) => b.permute(a0(a), [1, 0])),
      c(`${dt} [3, 20, 19] last two swapped`, [make(dt, [3, 20, 19])], { dtype: dt, size: 3 * 20 * 19 }, (b, a) => b.permute(a0(a), [0, 2, 1])),
      c(`${dt} [3, 20, 19] other order`, [make(dt, [3, 20, 19])], { dtype: dt, size: 3 * 20 * 19 }, (b, a) => b.permute(a0(a), [1, 0, 2])),
      // Whole 4×4 blocks with a partial row of blocks, and several 16×16 tiles with partial ones on both edges.
      c(`${dt} [2, 33, 64] last two swapped`, [make(dt, [2, 33, 64])], { dtype: dt, size: 2 * 33 * 64 }, (b, a) => b.permute(a0(a), [0, 2, 1])),
      c(`${dt} [130, 262] transposed`, [make(dt, [130, 262])], { dtype: dt, size: 130 * 262 }, (b, a) => b.permute(a0(a), [1, 0])),
    ]),
  ],
  expand: FLOATS.map((dt) => c(dt, [make(dt, [3, 1])], { dtype: dt, size: 24 }, (b, a) => b.expand(a0(a), [2, 3, 4]))).concat(
    // One element to many (a sum's gradient): a fill on the wasm heap.
    (["float32", "int32", "float64"] as const).map((dt) => c(`${dt} scalar to [30, 40]`, [make(dt, [1, 1])], { dtype: dt, size: 1200 }, (b, a) => b.expand(a0(a), [30, 40]))),
    // Large enough for wasm's fill kernel (split across threads), with a length that leaves a partial last vector.
    (["float32", "int32"] as const).map((dt) => c(`${dt} scalar to [300003] in wasm`, [make(dt, [1])], { dtype: dt, size: 300003 }, (b, a) => b.expand(a0(a), [300003])))),
  slice: FLOATS.map((dt) => c(dt, [make(dt, [5, 6])], { dtype: dt, size: 6 }, (b, a) => b.slice(a0(a), [1, 0], [2, 3], [2, 2]))),
  sliceBackward: FLOATS.map((dt) => c(dt, [make(dt, [2, 2])], { dtype: dt, size: 30 }, (b, a) => b.sliceBackward(a0(a), [5, 6], [1, 0], [2, 3]))),
  cat: FLOATS.map((dt) => c(dt, [make(dt, [2, 3]), make(dt, [2, 1])], { dtype: dt, size: 8 }, (b, a) => b.cat([a0(a), a0(a, 1)], 1, [2, 4]))),
  gather: FLOATS.map((dt) => c(dt, [make(dt, [3, 4]), indices(4, 3, 2)], { dtype: dt, size: 6 }, (b, a) => b.gather(a0(a), 1, a0(a, 1)))).concat(
    // The index shaped as the input but along dim (max pooling's windows): first, middle and last dim.
    // Then planes shared with the worker threads (a max pooling's size: [N·C, H·W] by [N·C, oh·ow]).
    ([[[4, 9, 300], [2, 9, 300], 0], [[128, 4, 36], [128, 2, 36], 1], [[48, 3, 50], [48, 3, 30], 2], [[8, 128, 576], [8, 128, 144], 2]] as const).map(([shape, idx, dim]) =>
      c(`float32 ${JSON.stringify(shape)} by ${JSON.stringify(idx)} along ${dim}`, [make("float32", [...shape]), indices(shape[dim], ...idx)], { dtype: "float32", size: sizeOf(idx) }, (b, a) => b.gather(a0(a), dim, a0(a, 1))))),
  scatterAdd: FLOATS.map((dt) => c(dt, [make(dt, [3, 4]), indices(4, 3, 2), make(dt, [3, 2])], { dtype: dt, size: 12 }, (b, a) => b.scatterAdd(a0(a), 1, a0(a, 1), a0(a, 2)))).concat(
    // Repeated indices add up; the last one's planes are shared with the worker threads.
    ([[[4, 9, 300], [2, 9, 300], 0], [[128, 4, 36], [128, 2, 36], 1], [[48, 3, 50], [48, 3, 30], 2], [[2, 128, 576], [2, 128, 144], 2]] as const).map(([shape, idx, dim]) =>
      c(`float32 into ${JSON.stringify(shape)} by ${JSON.stringify(idx)} along ${dim}`, [make("float32", [...shape]), indices(shape[dim], ...idx), make("float32", [...idx])], { dtype: "float32", size: sizeOf(shape) }, (b, a) => b.scatterAdd(a0(a), dim, a0(a, 1), a0(a, 2)), 1e-6))),
  indexSelect: FLOATS.map((dt) => c(dt, [make(dt, [4, 3]), indices(4, 5)], { dtype: dt, size: 15 }, (b, a) => b.indexSelect(a0(a), 0, a0(a, 1)))),
  indexAdd: FLOATS.map((dt) => c(dt, [make(dt, [4, 3]), indices(4, 5), make(dt, [5, 3])], { dtype: dt, size: 12 }, (b, a) => b.indexAdd(a0(a), 0, a0(a, 1), a0(a, 2)))),
  unfold: FLOATS.flatMap((dt) => [window(3, 1, 1, 1), window(2, 2, 0, 1), window(3, 2, 1, 2, -Infinity)].map((w) => {
    const [n, ch, h] = [2, 3, 7];
    const l = out2d(h, w) ** 2;
    return c(`${dt} k${w.kernel[0]} s${w.stride[0]} p${w.padding[0]} d${w.dilation[0]}`, [make(dt, [n, ch, h, h])], { dtype: dt, size: n * ch * 9 * l }, (b, a) => b.unfold(a0(a), w, [n, ch * w.kernel[0] * w.kernel[1], l]));
  })).concat(FLOATS.map((dt) => {
    // Different height and width parameters, on a non-square image: catches a swapped axis.
    const w: Window2d = { kernel: [2, 3], stride: [1, 2], padding: [1, 0], dilation: [2, 1], padValue: 0 };
    const [oh, ow] = [Math.floor((5 + 2 - 2 - 1) / 1) + 1, Math.floor((8 - 2 - 1) / 2) + 1];
    return c(`${dt} asymmetric window on [2, 2, 5, 8]`, [make(dt, [2, 2, 5, 8])], { dtype: dt, size: 2 * 2 * 6 * oh * ow }, (b, a) => b.unfold(a0(a), w, [2, 12, oh * ow]));
  })).concat([window(3, 1, 1, 1), window(3, 2, 2, 1, -Infinity)].map((w) => {
    // Large enough to share the planes with the worker threads; stride 1 copies whole row segments.
    const [n, ch, h] = [8, 16, 20];
    const l = out2d(h, w) ** 2;
    return c(`float32 k3 s${w.stride[0]} p${w.padding[0]} on [8, 16, 20, 20], threads`, [make("float32", [n, ch, h, h])], { dtype: "float32", size: n * ch * 9 * l }, (b, a) => b.unfold(a0(a), w, [n, ch * 9, l]));
  })),
  fold: FLOATS.flatMap((dt) => [window(3, 1, 1, 1), window(2, 2, 0, 1), window(2, 1, 1, 2)].map((w) => {
    const [n, ch, h] = [2, 3, 6];
    const l = out2d(h, w) ** 2;
    return c(`${dt} k${w.kernel[0]} s${w.stride[0]} p${w.padding[0]} d${w.dilation[0]}`, [make(dt, [n, ch * w.kernel[0] * w.kernel[1], l])], { dtype: dt, size: n * ch * h * h }, (b, a) => b.fold(a0(a), w, [n, ch, h, h]), 1e-6);
  })).concat(FLOATS.map((dt) => {
    const w: Window2d = { kernel: [2, 3], stride: [1, 2], padding: [1, 0], dilation: [2, 1], padValue: 0 };
    const [oh, ow] = [5, 3];
    return c(`${dt} asymmetric window into [2, 2, 5, 8]`, [make(dt, [2, 12, oh * ow])], { dtype: dt, size: 2 * 2 * 5 * 8 }, (b, a) => b.fold(a0(a), w, [2, 2, 5, 8]), 1e-6);
  })).concat([window(3, 1, 1, 1), window(3, 2, 2, 1)].map((w) => {
    const [n, ch, h] = [16, 16, 20];
    const l = out2d(h, w) ** 2;
    return c(`float32 k3 s${w.stride[0]} p${w.padding[0]} into [16, 16, 20, 20], threads`, [make("float32", [n, ch * 9, l])], { dtype: "float32", size: n * ch * h * h }, (b, a) => b.fold(a0(a), w, [n, ch, h, h]), 1e-6);
  })),
  // Ties everywhere (few distinct values), NaN (the last in a window wins) and -Infinity (padding never wins);
  // padded, dilated, asymmetric and strided windows; then planes shared with the worker threads.
  maxPool2dIndices: ([...FLOATS, "int32"] as const).flatMap((dt) => [window(2, 2, 0, 1), window(3, 2, 1, 1), window(2, 1, 1, 2), window(3, 1, 1, 1)].map((w) => {
    const [n, ch, h] = [2, 3, 7];
    const x = make(dt, [n, ch, h, h], () => (dt === "int32" ? Math.floor(rand() * 3) : rand() < 0.1 ? NaN : rand() < 0.1 ? -Infinity : Math.floor(rand() * 3)));
    return c(`${dt} k${w.kernel[0]} s${w.stride[0]} p${w.padding[0]} d${w.dilation[0]}`, [x], { dtype: "int32", size: n * ch * out2d(h, w) ** 2 }, (b, a) => b.maxPool2dIndices(a0(a), w, [n, ch, out2d(h, w), out2d(h, w)]));
  })).concat([
    (() => {
      const w: Window2d = { kernel: [2, 3], stride: [1, 2], padding: [1, 1], dilation: [2, 1], padValue: -Infinity };
      const [oh, ow] = [5, 4];
      return c("float32 asymmetric window on [2, 2, 5, 8]", [make("float32", [2, 2, 5, 8], () => Math.floor(rand() * 3))], { dtype: "int32", size: 2 * 2 * oh * ow }, (b, a) => b.maxPool2dIndices(a0(a), w, [2, 2, oh, ow]));
    })(),
    // 2×2 at stride 2, four windows a step and the rest one by one.
    c("float32 k2 s2 on [2, 3, 13, 13], ties and NaN", [make("float32", [2, 3, 13, 13], () => (rand() < 0.1 ? NaN : Math.floor(rand() * 3)))], { dtype: "int32", size: 2 * 3 * 36 }, (b, a) => b.maxPool2dIndices(a0(a), window(2, 2, 0, 1, -Infinity), [2, 3, 6, 6])),
    ...[window(2, 2, 0, 1), window(3, 1, 1, 1)].map((w) => {
      const [n, ch, h] = [32, 16, 24];
      const o = out2d(h, w);
      return c(`float32 k${w.kernel[0]} s${w.stride[0]} on [32, 16, 24, 24], threads`, [make("float32", [n, ch, h, h], () => (rand() < 0.02 ? NaN : Math.floor(rand() * 5)))], { dtype: "int32", size: n * ch * o * o }, (b, a) => b.maxPool2dIndices(a0(a), w, [n, ch, o, o]));
    }),
  ]),
  assign: FLOATS.map((dt) => c(dt, [make(dt, [6]), make(dt, [6])], { dtype: dt, size: 6 }, (b, a) => {
    b.assign(a0(a).buf, a0(a, 1));
    return a0(a).buf;
  })),
  // Odd sizes leave a partial last vector for wasm; 1031 elements live on its heap, 7 do not.
  adamUpdate: FLOATS.flatMap((dt) => [adamCase(dt, 7, false), adamCase(dt, 1031, false), adamCase(dt, 1031, true)]).concat(
    [adamCase("float32", 300003, false), adamCase("float32", 300003, true)], // split across the worker threads
  ),
  // A pending (fused) result computed before it is read; the cpu computes when called and has no evaluate.
  evaluate: [c("relu(x·y) of [300003]", [make("float32", [300003]), make("float32", [300003])], { dtype: "float32", size: 300003 }, (b, a) => {
    const out = ew(b, "relu", [{ buf: ew(b, "mul", [a0(a), a0(a, 1)], [300003], "float32"), shape: [300003], dtype: "float32" }], [300003], "float32");
    b.evaluate?.([out]);
    return out;
  }), c("x·y and x − y of [300003] together", [make("float32", [300003]), make("float32", [300003])], { dtype: "float32", size: 600006 }, (b, a) => {
    const prod = ew(b, "mul", [a0(a), a0(a, 1)], [300003], "float32"), diff = ew(b, "sub", [a0(a), a0(a, 1)], [300003], "float32");
    b.evaluate?.([prod, diff, prod]);
    const out = new Float32Array(600006);
    out.set(readBack(b, prod, "float32", 300003) as Float32Array);
    out.set(readBack(b, diff, "float32", 300003) as Float32Array, 300003);
    return out;
  })],
  // Released memory is reused: the next buffer must still read as what was written to it.
  release: (["float32", "int32", "float64"] as const).map((dt) => c(`${dt} reuse`, [make(dt, [1000])], { dtype: dt, size: 1000 }, (b, a) => {
    const first = b.full(1000, 5, dt);
    b.release?.(first);
    const second = copyOn(b, a0(a)).buf;
    b.release?.(b.full(1000, 6, dt));
    return second;
  })),
  // Every axis of a 3-D tensor (lengths that are not powers of two), NaN and infinities, and an empty axis.
  cumulative: [
    ...FLOATS.flatMap((dt) => (["sum", "prod", "logsumexp"] as const).flatMap((op) => [0, 1, 2].map((axis) =>
      c(`${op} ${dt} [3, 5, 7] along ${axis}`, [make(dt, [3, 5, 7], () => (op === "prod" ? 0.5 + rand() : rand() * 4 - 2))], { dtype: dt, size: 105 }, (b, a) => b.cumulative(op, a0(a), axis), 1e-6)))),
    ...(["sum", "prod", "logsumexp"] as const).map((op) =>
      c(`${op} float32 [2, 9] with NaN and infinities`, [make("float32", [2, 9], (i) => [1, -Infinity, 2, Infinity, 0.5, -1, -Infinity, -Infinity, 3, NaN, 1, 2, Infinity, Infinity, 0, -Infinity, 1, 2][i]!)], { dtype: "float32", size: 18 }, (b, a) => b.cumulative(op, a0(a), 1), 1e-6)),
    c("sum int32 [4, 6] along 1", [make("int32", [4, 6])], { dtype: "int32", size: 24 }, (b, a) => b.cumulative("sum", a0(a), 1)),
    c("prod int32 [3, 4] along 0", [make("int32", [3, 4])], { dtype: "int32", size: 12 }, (b, a) => b.cumulative("prod", a0(a), 0)),
    c("sum float32 [3, 0, 2] along 1 (empty)", [make("float32", [3, 0, 2])], { dtype: "float32", size: 0 }, (b, a) => b.cumulative("sum", a0(a), 1)),
  ],
  // Ties everywhere (few distinct values) and NaN, often several in a row.
  cumulativeIndex: ([...FLOATS, "int32"] as const).flatMap((dt) => (["max", "min"] as const).flatMap((op) => [0, 1].map((axis) => {
    const x = make(dt, [6, 11], () => (dt !== "int32" && rand() < 0.12 ? NaN : Math.floor(rand() * 4)));
    return c(`${op} ${dt} [6, 11] along ${axis}, ties and NaN`, [x], { dtype: "int32", size: 66 }, (b, a) => b.cumulativeIndex(op, a0(a), axis));
  }))),
  // Ties, NaN, ±0 and infinities; both directions; lengths 1, 5, 8 and 13 (not powers of two), a middle axis.
  argsort: ([...FLOATS, "int32"] as const).flatMap((dt) => [false, true].flatMap((descending) => ([[[4, 13], 1], [[13, 3], 0], [[2, 5, 3], 1], [[3, 8], 1], [[2, 1], 1]] as const).map(([shape, axis]) => {
    const x = make(dt, [...shape], () => (dt === "int32" ? Math.floor(rand() * 5) - 2 : [NaN, -0, 0, Infinity, -Infinity, 1, 1, 2, -1][Math.floor(rand() * 9)]!));
    return c(`${dt} [${shape}] along ${axis}${descending ? " descending" : ""}`, [x], { dtype: "int32", size: sizeOf(shape) }, (b, a) => b.argsort(a0(a), axis, descending));
  }))).concat(([...FLOATS, "int32", "bool"] as const).flatMap((dt) => [false, true].map((descending) => {
    // Long enough for the cpu kernel's radix sort: ties, NaN, ±0, infinities, subnormals, large and negative values.
    const values = [NaN, -0, 0, Infinity, -Infinity, 1, 1, -1, 2.5, -2.5, 1e-40, -1e-40, 3e38, -3e38, 1e300, -1e300, 7];
    const x = make(dt, [3, 150], () => (dt === "bool" ? Number(rand() < 0.5) : dt === "int32" ? [2147483647, -2147483648, 0, -1, 1, 5][Math.floor(rand() * 6)]! : values[Math.floor(rand() * values.length)]!));
    return c(`${dt} [3, 150] along 1${descending ? " descending" : ""}, radix-sized`, [x], { dtype: "int32", size: 450 }, (b, a) => b.argsort(a0(a), 1, descending));
  }))),
  // Every op with and without the base's values; repeated targets; an index smaller than the base and a src larger
  // than the index; int32 means rounding down (negative values); NaN reaching amax and amin.
  scatterReduce: ([...FLOATS, "int32"] as const).flatMap((dt) => (["assign", "sum", "prod", "mean", "amax", "amin"] as const).flatMap((op) => [true, false].flatMap((includeSelf) => [0, 1].map((dim) => {
    const base = make(dt, [4, 5], () => (dt === "int32" ? Math.floor(rand() * 9) - 4 : rand() < 0.05 ? NaN : rand() * 4 - 2));
    const index = dim === 0 ? indices(4, 6, 3) : indices(5, 3, 7);
    const src = make(dt, dim === 0 ? [7, 4] : [3, 8], () => (dt === "int32" ? Math.floor(rand() * 9) - 4 : rand() < 0.05 ? NaN : rand() * 4 - 2));
    return c(`${op} ${dt} along ${dim}${includeSelf ? "" : " without self"}`, [base, index, src], { dtype: dt, size: 20 }, (b, a) => b.scatterReduce(a0(a), dim, a0(a, 1), a0(a, 2), op, includeSelf), 1e-6);
  })))),
  // 1-D, 2-D and 3-D windows, padded unevenly (ceilMode), strided and dilated differently per dim, one stopping
  // short of the end (a transposed convolution's outputPadding): each dim's numbers differ, so a swapped axis shows.
  unfoldNd: ([...FLOATS, "int32"] as const).flatMap((dt) => ND_WINDOWS.map(([spatial, w]) => {
    const [n, ch] = [2, 3];
    const o = windowNdOut(spatial, w);
    return c(`${dt} ${describeNd(w)} on [${spatial}]`, [make(dt, [n, ch, ...spatial])], { dtype: dt, size: n * ch * product(w.kernel) * product(o) },
      (b, a) => b.unfoldNd(a0(a), w, [n, ch * product(w.kernel), product(o)]));
  })).concat(ND_WINDOWS.slice(0, 3).map(([spatial, w]) => {
    const mw = { ...w, padValue: -Infinity };
    const o = windowNdOut(spatial, mw);
    return c(`float32 ${describeNd(mw)} on [${spatial}], padding -Infinity`, [make("float32", [1, 2, ...spatial])], { dtype: "float32", size: 2 * product(w.kernel) * product(o) },
      (b, a) => b.unfoldNd(a0(a), mw, [1, 2 * product(w.kernel), product(o)]));
  })),
  foldNd: FLOATS.flatMap((dt) => ND_WINDOWS.map(([spatial, w]) => {
    const [n, ch] = [2, 3];
    const l = product(windowNdOut(spatial, w));
    return c(`${dt} ${describeNd(w)} into [${spatial}]`, [make(dt, [n, ch * product(w.kernel), l])], { dtype: dt, size: n * ch * product(spatial) },
      (b, a) => b.foldNd(a0(a), w, [n, ch, ...spatial]), 1e-6);
  })),
  // Ties everywhere, NaN (the last in a window wins) and -Infinity (padding never wins).
  maxPoolNdIndices: ([...FLOATS, "int32"] as const).flatMap((dt) => ND_WINDOWS.filter((_, i) => i !== 3).map(([spatial, w]) => {
    const mw = { ...w, padValue: -Infinity };
    const [n, ch] = [2, 3];
    const o = windowNdOut(spatial, mw);
    const x = make(dt, [n, ch, ...spatial], () => (dt === "int32" ? Math.floor(rand() * 3) : rand() < 0.1 ? NaN : rand() < 0.1 ? -Infinity : Math.floor(rand() * 3)));
    return c(`${dt} ${describeNd(mw)} on [${spatial}]`, [x], { dtype: "int32", size: n * ch * product(o) }, (b, a) => b.maxPoolNdIndices(a0(a), mw, [n, ch, ...o]));
  })),
  // Batched and single matrices, well conditioned (a dominant diagonal), positive-definite or symmetric where the
  // method needs it; QR and SVD of tall, wide and square matrices.
  linalgSolve: FLOATS.flatMap((dt) => [[[4, 4], [4, 2]], [[2, 3, 3], [2, 3, 1]], [[0, 2, 2], [0, 2, 3]]].map(([as, bs]) =>
    c(`${dt} [${as}]⁻¹·[${bs}]`, [dominant(dt, as!), make(dt, bs!)], { dtype: dt, size: sizeOf(bs!) }, (b, a) => b.linalgSolve(a0(a), a0(a, 1), true), 1e-9))),
  linalgSolveTriangular: FLOATS.flatMap((dt) => [[true, false], [false, true]].map(([upper, unit]) =>
    c(`${dt} ${upper ? "upper" : "lower"}${unit ? ", unit diagonal" : ""}`, [dominant(dt, [2, 3, 3]), make(dt, [2, 3, 2])], { dtype: dt, size: 12 }, (b, a) => b.linalgSolveTriangular(a0(a), a0(a, 1), upper!, unit!), 1e-9))),
  linalgDet: FLOATS.map((dt) => c(`${dt} [3, 4, 4]`, [make(dt, [3, 4, 4])], { dtype: dt, size: 3 }, (b, a) => b.linalgDet(a0(a)), 1e-9)),
  linalgSlogdet: FLOATS.map((dt) => c(`${dt} [3, 4, 4]`, [make(dt, [3, 4, 4])], { dtype: dt, size: 6 }, (b, a) => b.linalgSlogdet(a0(a)), 1e-9)),
  linalgCholesky: FLOATS.map((dt) => c(`${dt} [2, 4, 4]`, [dominant(dt, [2, 4, 4], true)], { dtype: dt, size: 32 }, (b, a) => b.linalgCholesky(a0(a)), 1e-9)),
  linalgQr: FLOATS.flatMap((dt) => [[2, 5, 3], [3, 4], [2, 3, 3]].flatMap((shape) => [false, true].map((complete) => {
    const [m, n] = shape.slice(-2) as [number, number];
    const q = complete ? m : Math.min(m, n);
    return c(`${dt} [${shape}]${complete ? " complete" : ""}`, [make(dt, shape)], { dtype: dt, size: sizeOf(shape.slice(0, -2)) * (m * q + q * n) }, (b, a) => b.linalgQr(a0(a), complete), 1e-9);
  }))),
  linalgEigh: FLOATS.flatMap((dt) => [false, true].map((upper) => c(`${dt} [2, 4, 4] ${upper ? "upper" : "lower"}`, [make(dt, [2, 4, 4])], { dtype: dt, size: 40 }, (b, a) => b.linalgEigh(a0(a), upper), 1e-9))),
  linalgSvd: FLOATS.flatMap((dt) => [[2, 5, 3], [3, 4], [3, 3]].flatMap((shape) => [false, true].map((full) => {
    const [m, n] = shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    return c(`${dt} [${shape}]${full ? " full" : ""}`, [make(dt, shape)], { dtype: dt, size: sizeOf(shape.slice(0, -2)) * (m * (full ? m : k) + k + (full ? n : k) * n) }, (b, a) => b.linalgSvd(a0(a), full), 1e-9);
  }))),
  attention: FLOATS.flatMap((dt) => ATTENTION_CASES.map((ac) => attentionCase(dt, ac, false))),
  attentionBackward: FLOATS.flatMap((dt) => ATTENTION_CASES.map((ac) => attentionCase(dt, ac, true))),
  // GELU over [−8, 8] with the special values (NaN, ±∞, ±0, far tails), a length that is no multiple of 4, and one
  // large enough for wasm's threads to split; float32 kernels approximate erf to ~1e-7 (PyTorch's vectorised one too).
  gelu: FLOATS.flatMap((dt) => [
    c(`${dt} [3, 171]`, [make(dt, [3, 171], (i) => GELU_SPECIALS[i] ?? rand() * 16 - 8)], { dtype: dt, size: 513 }, (b, a) => b.gelu(a0(a)), 1e-6),
    c(`${dt} 300001 elements`, [make(dt, [300001], () => rand() * 12 - 6)], { dtype: dt, size: 300001 }, (b, a) => b.gelu(a0(a)), 1e-6),
  ]),
  geluBackward: FLOATS.flatMap((dt) => [
    c(`${dt} [3, 171]`, [make(dt, [3, 171]), make(dt, [3, 171], (i) => GELU_SPECIALS[i] ?? rand() * 16 - 8)], { dtype: dt, size: 513 }, (b, a) => b.geluBackward(a0(a), a0(a, 1)), 1e-6),
    c(`${dt} 300001 elements`, [make(dt, [300001]), make(dt, [300001], () => rand() * 12 - 6)], { dtype: dt, size: 300001 }, (b, a) => b.geluBackward(a0(a), a0(a, 1)), 1e-6),
  ]),
  // Rows of 7 (no multiple of 4) without weight or bias, rows of 32 with both, a row with NaN, one with ∞, one far
  // from 0 (mean 1e4: the two-pass variance), and an input large enough for wasm's threads to share the rows.
  layerNorm: FLOATS.flatMap((dt) => [
    c(`${dt} [5, 7]`, [make(dt, [5, 7], (i) => [NaN, 0, 0, 0, 0, 0, 0, 1, Infinity][i] ?? rand() * 4 - 2)], { dtype: dt, size: 35 }, (b, a) => b.layerNorm(a0(a), null, null, { size: 7, eps: 1e-5 }), 1e-5),
    c(`${dt} [3, 4, 8] weight and bias`, [make(dt, [3, 4, 8], (i) => (i < 32 ? 1e4 + rand() : rand() * 6 - 3)), make(dt, [4, 8]), make(dt, [4, 8])], { dtype: dt, size: 96 },
      (b, a) => b.layerNorm(a0(a), a0(a, 1), a0(a, 2), { size: 32, eps: 1e-5 }), 1e-5),
    c(`${dt} [2, 4] bias only, eps 0.5`, [make(dt, [2, 4]), make(dt, [4])], { dtype: dt, size: 8 }, (b, a) => b.layerNorm(a0(a), null, a0(a, 1), { size: 4, eps: 0.5 }), 1e-5),
    c(`${dt} [1100, 256] weight`, [make(dt, [1100, 256]), make(dt, [256])], { dtype: dt, size: 281600 }, (b, a) => b.layerNorm(a0(a), a0(a, 1), null, { size: 256, eps: 1e-5 }), 1e-5),
  ]),
};

function assertClose(got: TypedArray, want: TypedArray, tol: number, what: string): void {
  assert.equal(got.constructor, want.constructor, `${what}: array type`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}: [${i}] ${g} vs cpu ${w} (tol ${tol})`);
  }
}

wasm.setThreads(2); // exercise the worker path even on one core
test("wasm kernels loaded, with worker threads ready", async () => {
  assert.ok(wasm.warmUp(), "the wasm backend should load with shared memory in Node");
  for (let i = 0; i < 200 && wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(wasmMemoryStats().workers, 1);
});

// Each build of the kernels, the plain-SIMD fallback included (Node 20 with the flag picks relaxed SIMD).
for (const [relaxed, shared] of [[true, true], [false, true], [true, false], [false, false]] as const) {
  test(`the ${relaxed ? "relaxed" : "plain"}-SIMD build with ${shared ? "shared" : "private"} memory computes what cpu does`, () => {
    wasm.warmUp(); // sets Node 20's relaxed-SIMD flag
    const rt = loadVariant(relaxed, shared);
    assert.ok(rt !== undefined, "this build loads in Node 20");
    assert.equal(rt.relaxed, relaxed);
    // The builds tile C differently (relaxed: 3×12, or 4×8 where B's width suits it; plain: 4×8) and pack
    // for their tiles: products with every edge of both tilings, both stored layouts of each operand, more
    // than one k block, threads, and a sum over a batch.
    const products: [number, number, number, boolean, boolean, number[]][] = [
      [37, 530, 29, false, false, []],
      [67, 600, 40, false, false, []], // 40 = 3·12 + 4 = 5·8: a narrow last strip of the 3×12 tiling
      [130, 600, 70, true, false, []],
      [130, 600, 70, false, true, []],
      [200, 530, 98, true, true, []],
      [5, 7, 3, true, true, []],
      [64, 33, 12, false, false, []],
      [130, 600, 32, false, true, []], // 32 columns: 4×8 tiles in the relaxed build too
      [67, 600, 16, true, false, []],
      [13, 17, 19, false, false, [3]], // three products summed (a weight's gradient over a batch)
    ];
    for (const [m, k, n, ta, tb, batch] of products) {
      const x = make("float32", [...batch, ...(ta ? [k, m] : [m, k])]), y = make("float32", [...batch, ...(tb ? [n, k] : [k, n])]);
      const want = cpuBackend.matmul(on(cpuBackend, x), on(cpuBackend, y), [m, n], ta, tb) as Float32Array;
      assertClose(matmulF32(rt, on(cpuBackend, x), on(cpuBackend, y), [m, n], ta, tb)!, want, 1e-4, `matmul ${m}×${k}×${n}${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""}${batch.length ? " summed" : ""}`);
    }
    const z = make("float32", [1030]);
    const mul = opProgram("mul"), sub = opProgram("sub");
    assertClose(elementwiseF32(rt, mul, [on(cpuBackend, z), on(cpuBackend, z)], [1030], "float32")!, cpuBackend.elementwise(mul, [on(cpuBackend, z), on(cpuBackend, z)], [1030], "float32") as Float32Array, 0, "mul");
    // A row of ten (not whole vectors), on either side, and log-softmax's gradient: in wasm, not the cpu fallback.
    const [m, r] = [make("float32", [128, 10]), make("float32", [10])];
    const [tm, tr] = [on(cpuBackend, m), on(cpuBackend, r)];
    for (const [x, y] of [[tm, tr], [tr, tm]] as const) {
      const got = elementwiseF32(rt, sub, [x, y], [128, 10], "float32");
      assert.ok(got !== undefined, "a row of ten runs in wasm");
      assertClose(got, cpuBackend.elementwise(sub, [x, y], [128, 10], "float32") as Float32Array, 0, "sub with a row of ten");
    }
    const y = on(cpuBackend, make("float32", [128, 10], () => -0.2 - rand() * 3));
    const lsb = logSoftmaxBackwardF32(rt, tm, y, 1);
    assert.ok(lsb !== undefined, "logSoftmaxBackward runs in wasm");
    assertClose(lsb, cpuBackend.logSoftmaxBackward(tm, y, 1) as Float32Array, 1e-6, "logSoftmaxBackward");
  });
}

// Every case twice on wasm: as it runs (elementwise ops fused from 65,536 elements), and fusing every
// elementwise op, so pending expressions meet every kernel as operands.
for (const [backend, fuseFrom] of BACKENDS.flatMap((b) => (b.name.startsWith("wasm") ? [[b, undefined], [b, 1]] as const : [[b, undefined]] as const))) {
  for (const [kernel, cases] of Object.entries(TABLE) as [Kernel, readonly Case[]][]) {
    test(`${kernel} on ${backend.name}${fuseFrom === undefined ? "" : ", every elementwise op fused,"} matches cpu`, () => {
      using _fusion = fuseFrom === undefined ? undefined : setFusionMinElements(fuseFrom);
      checkCases(backend, kernel, cases);
    });
  }
}

function checkCases(backend: Backend, kernel: Kernel, cases: readonly Case[]): void {
  {
    {
      assert.ok(cases.length > 0, "every kernel needs a case");
      const callsBefore = wasmMemoryStats().calls;
      for (const k of cases) {
        const what = `${kernel} ${k.name}`;
        const want = k.run(cpuBackend, k.inputs.map((x) => on(cpuBackend, x)));
        const args = k.inputs.map((x) => on(backend, x));
        const got = k.run(backend, args);
        assert.ok(want && got, `${what}: result`);
        // A composite (a core-only backend's accelerated method) rounds its steps where a kernel computes in float64.
        const composite = backend.name.endsWith("-core") && !CORE.has(kernel);
        assertClose(got, want, k.tol ?? (composite ? 1e-6 : 0), what);
        // Kernels must not change their inputs (assign changes its first, by contract).
        args.forEach((arg, i) => {
          if (kernel === "assign" && i === 0) return;
          assertClose(readBack(backend, arg.buf, arg.dtype, sizeOf(arg.shape)), k.inputs[i]!.data, 0, `${what}: input ${i} unchanged`);
        });
      }
      assert.equal(wasmMemoryStats().bytesInUse, 0, "scratch released");
      // Every accelerated method of a core-only backend ran its composite, releasing what it made on the way.
      // The kernels wasm implements must really have run in wasm for some case, not all fallen back to the cpu.
      if (backend === wasmBackend && WASM_KERNELS.has(kernel)) assert.ok(wasmMemoryStats().calls > callsBefore, `${kernel}: no case ran in wasm`);
    }
  }
}

// ---- a training step on both backends: same data, same initial weights, same updates ----

function trainSteps(backend: string, steps: number): number[] {
  const previous = cr.getBackend();
  cr.setBackend(backend);
  try {
    cr.manualSeed(7);
    const model = new cr.nn.Sequential(new cr.nn.Linear(20, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 5));
    const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-2 });
    const x = cr.randn([32, 20]);
    const y = cr.randint(0, 5, [32]);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    return losses;
  } finally {
    cr.setBackend(previous);
  }
}

test("an MLP trains the same on wasm as on cpu", () => {
  const cpu = trainSteps("cpu", 20);
  const wasm = trainSteps("wasm", 20);
  assert.ok(wasm[19]! < wasm[0]! * 0.5, `loss should fall: ${wasm[0]} → ${wasm[19]}`);
  wasm.forEach((l, i) => assert.ok(Math.abs(l - cpu[i]!) <= 1e-3 * (1 + Math.abs(cpu[i]!)), `step ${i}: wasm ${l} vs cpu ${cpu[i]}`));
});

// ---- the PyTorch fixtures (every op, and every elementwise op of the registry) with tensors on `wasm` ----
// Importing the fixture suite registers its tests in this file; they run after the ones above, with
// `wasm` selected for the whole file (the tests above pass backends explicitly or restore the selection).
cr.setBackend("wasm");
test("the fixture tests below run on wasm", () => assert.equal(cr.getBackend(), "wasm"));
await import("./torch-fixtures.test.js");
await import("./elementwise-ops.test.js");
await import("./conv-fixtures.test.js");
await import("./linalg-fixtures.test.js");

test("wasm gather and scatterAdd refuse an index out of range with the cpu's error, and keep nothing", () => {
  const x = make("float32", [128, 4, 36]);
  const bad = indices(4, 128, 1, 36);
  (bad.data as Int32Array)[4000] = 4;
  const src = make("float32", [128, 1, 36]);
  for (const backend of [cpuBackend, wasmBackend]) {
    const blocks = heapTensorStats().tensorBlocks;
    const [tx, ti, ts] = [on(backend, x), on(backend, bad), on(backend, src)];
    assert.throws(() => backend.gather(tx, 1, ti), { name: "IndexError", message: "gather: index 4 is out of bounds for dim 1 of size 4" });
    assert.throws(() => backend.scatterAdd(tx, 1, ti, ts), { name: "IndexError", message: "scatterAdd: index 4 is out of bounds for dim 1 of size 4" });
    assert.deepEqual(readBack(backend, tx.buf, "float32", x.data.length), x.data, "the input is unchanged");
    for (const t of [tx, ti, ts]) backend.release?.(t.buf);
    assert.equal(heapTensorStats().tensorBlocks, blocks, "no output left on the heap");
  }
});

test("nllLoss and its backward refuse a target out of range that is not the ignored index, on every backend", () => {
  const logp = make("float32", [3, 4]);
  const target = make("int32", [3], (i) => [1, -100, 4][i]!);
  for (const backend of [cpuBackend, wasmBackend]) {
    const [tl, tt, tg] = [on(backend, logp), on(backend, target), on(backend, make("float32", []))];
    assert.throws(() => backend.nllLoss(tl, tt, -100, "mean"), { name: "IndexError", message: "nllLoss: target 4 is out of bounds for 4 classes" });
    assert.throws(() => backend.nllLossBackward(tg, tt, [3, 4], -100, "sum"), { name: "IndexError", message: "nllLossBackward: target 4 is out of bounds for 4 classes" });
    // -100 counts as a class index where it is not the ignored one.
    assert.throws(() => backend.nllLoss(tl, tt, 4, "none"), { name: "IndexError", message: "nllLoss: target -100 is out of bounds for 4 classes" });
  }
});

test("a large wasm sum gives the same bits whichever threads ran its chunks, close to the exact sum", async () => {
  const x = make("float32", [700001]);
  const t = on(wasmBackend, x);
  const sum = () => readBack(wasmBackend, wasmBackend.reduce("sum", t, [0], "float32"), "float32", 1)[0]!;
  const before = workerChunks();
  const first = sum();
  // On a busy host a worker may not be scheduled before the caller has taken every chunk: sum again until one has.
  for (let i = 0; i < 5 || (workerChunks() === before && wasmMemoryStats().workers > 0 && i < 200); i++) {
    assert.equal(sum(), first);
    if (i >= 5) await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(workerChunks() > before || wasmMemoryStats().workers === 0, "the workers took chunks");
  let exact = 0;
  for (const v of x.data) exact += v;
  assert.ok(Math.abs(first - exact) <= 1e-6 * Math.abs(exact) + 1e-3, `${first} vs ${exact}`);
});

// The reductions, scans, sorting, shape, indexing and scatter fixtures on wasm too (wasm is still the selected backend).
test("the shape-op fixture tests below run on wasm", () => assert.equal(cr.getBackend(), "wasm"));
await import("./torch-shape-fixtures.test.js");
// The tables, for suites that run them on backends this file cannot (test/webgpu/conformance.gpu.ts: a GPU's, in a
// process whose environment finds its driver).
export { TABLE, assertClose, on, type Case, type Input, type Kernel };
