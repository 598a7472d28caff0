// Creating tensors: from data, filled, ranges, identity, and seeded random numbers.
import type { CompleteBackend } from "../backend/backend.js";
import { currentBackend } from "../backend/registry.js";
import type { DType, TypedArray } from "../dtype.js";
import { allocArray, isFloating, isStorageDType } from "../dtype.js";
import { narrowArray } from "./narrow.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { checkShape, sizeOf } from "../shape.js";
import { defaultGenerator } from "../random.js";
import type { Generator } from "../random.js";
import { checkDType, dataToArray, fitsInt32, int32RangeMessage } from "./convert.js";
import type { NestedArray, StorageArray } from "./convert.js";
import { Tensor } from "./tensor.js";

/** Options every creation function takes. */
export interface TensorOptions {
  /** The element type (float32 when not given, unless the function says otherwise). */
  dtype?: DType;
  /** Record operations on the new tensor for backward (floating-point dtypes only). */
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; the default one is seeded by `cr.manualSeed`. */
  generator?: Generator;
}

// The backend a `*Like` function creates on: its tensor's, as PyTorch's `zeros_like` keeps the device.
let likeBackend: CompleteBackend | null = null;
function onBackendOf<T>(x: Tensor, fn: () => T): T {
  const previous = likeBackend;
  likeBackend = x._backend;
  try {
    return fn();
  } finally {
    likeBackend = previous;
  }
}

function make(op: string, arr: TypedArray, shape: readonly number[], dtype: DType, requiresGrad: boolean | undefined): Tensor {
  const backend = likeBackend ?? currentBackend();
  if (isStorageDType(dtype)) narrowArray(op, arr, dtype);
  const t = Tensor._create(backend.fromArray(arr), shape, dtype, backend);
  if (requiresGrad) {
    if (!isFloating(dtype)) {
      throw new DTypeError(`${op}: only floating-point tensors can require gradients, got dtype ${dtype}`);
    }
    t.requiresGrad = true;
  }
  return t;
}

function finite(op: string, name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ArgumentError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

function dtypeOr(op: string, dtype: DType | undefined, fallback: DType): DType {
  return dtype === undefined ? fallback : checkDType(op, dtype);
}

/**
 * A tensor from a number, nested arrays or a typed array. Numbers give float32 (JavaScript has no
 * integer literals), booleans give bool, typed arrays keep their type (Int8Array gives int8, Int16Array int16,
 * BigInt64Array int64, checked within ±(2^53 − 1)), unless `dtype` says otherwise.
 * @example const x = cr.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 */
export function tensor(data: NestedArray | TypedArray | StorageArray, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype === undefined ? undefined : checkDType("tensor", opts.dtype);
  const { arr, shape, dtype: fromArray } = dataToArray("tensor", data, dtype);
  return make("tensor", arr, shape, dtype ?? fromArray ?? (arr instanceof Uint8Array ? "bool" : arr instanceof Int32Array ? "int32" : arr instanceof Float64Array ? "float64" : "float32"), opts.requiresGrad);
}

/** A tensor of `shape` filled with `value` (NaN and ±Infinity allowed, as in PyTorch). @example cr.full([2], 7) // [7, 7] */
export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  const s = checkShape("full", shape);
  const fallback: DType = typeof value === "boolean" ? "bool" : "float32";
  const dtype = dtypeOr("full", opts.dtype, fallback);
  if (typeof value !== "number" && typeof value !== "boolean") throw new ArgumentError(`full: value must be a number or boolean, got ${typeof value}`);
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (dtype === "int32" && !Number.isInteger(v)) throw new DTypeError(`full: value ${v} is not an integer, but dtype is int32`);
  if (dtype === "int32" && !fitsInt32(v)) throw new DTypeError(int32RangeMessage("full", v));
  const arr = allocArray(dtype, sizeOf(s));
  if (v !== 0) arr.fill(dtype === "bool" ? (v ? 1 : 0) : v);
  return make("full", arr, s, dtype, opts.requiresGrad);
}

/** A tensor of zeros. @example cr.zeros([2, 3]) */
export const zeros = (shape: readonly number[], opts: TensorOptions = {}): Tensor => full(shape, 0, opts);
/** A tensor of ones. @example cr.ones([3], { dtype: "float64" }) */
export const ones = (shape: readonly number[], opts: TensorOptions = {}): Tensor => full(shape, 1, opts);

function likeOpts(x: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: opts.dtype ?? x.dtype, requiresGrad: opts.requiresGrad ?? false };
}
/** Zeros with the shape (and, unless given, dtype) of `x`. */
export const zerosLike = (x: Tensor, opts: TensorOptions = {}): Tensor => onBackendOf(x, () => full(x.shape, 0, likeOpts(x, opts)));
/** Ones with the shape (and, unless given, dtype) of `x`. */
export const onesLike = (x: Tensor, opts: TensorOptions = {}): Tensor => onBackendOf(x, () => full(x.shape, 1, likeOpts(x, opts)));
/** `value` with the shape (and, unless given, dtype) of `x`. */
export const fullLike = (x: Tensor, value: number, opts: TensorOptions = {}): Tensor => onBackendOf(x, () => full(x.shape, value, likeOpts(x, opts)));

/**
 * Values from `start` (inclusive) to `end` (exclusive) in steps of `step`; `arange(end)` starts at 0.
 * Integer arguments give int32, as PyTorch gives integers; any fraction gives float32.
 * @example cr.arange(5) // tensor([0, 1, 2, 3, 4]), int32
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: TensorOptions): Tensor;
export function arange(a: number, b?: number | TensorOptions, c?: number, d?: TensorOptions): Tensor {
  const [start, end, step, opts] = typeof b === "number" ? [a, b, c ?? 1, d ?? {}] : [0, a, 1, b ?? {}];
  finite("arange", "start", start);
  finite("arange", "end", end);
  finite("arange", "step", step);
  if (step === 0) throw new ArgumentError("arange: step must not be zero");
  if ((end - start) / step < 0) throw new ArgumentError(`arange: the step ${step} does not lead from ${start} to ${end}`);
  const integral = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = dtypeOr("arange", opts.dtype, integral ? "int32" : "float32");
  const n = Math.ceil((end - start) / step);
  if (dtype === "int32" && n > 0) {
    for (const v of [start, start + (n - 1) * step]) if (!fitsInt32(v)) throw new DTypeError(int32RangeMessage("arange", v));
  }
  const arr = allocArray(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return make("arange", arr, [n], dtype, opts.requiresGrad);
}

/** `steps` evenly spaced values from `start` to `end`, both included. @example cr.linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1] */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  finite("linspace", "start", start);
  finite("linspace", "end", end);
  if (!Number.isInteger(steps) || steps < 0) throw new ArgumentError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = dtypeOr("linspace", opts.dtype, "float32");
  const arr = allocArray(dtype, steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last value is exactly `end` (a single step is `start`).
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) arr[i] = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
  return make("linspace", arr, [steps], dtype, opts.requiresGrad);
}

/** The `n × m` identity matrix (`m` defaults to `n`). @example cr.eye(2) // [[1, 0], [0, 1]] */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const o = (typeof m === "object" ? m : opts) ?? {};
  const s = checkShape("eye", [n, cols]);
  const dtype = dtypeOr("eye", o.dtype, "float32");
  const arr = allocArray(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) arr[i * cols + i] = 1;
  return make("eye", arr, s, dtype, o.requiresGrad);
}

function randomFloat(op: string, shape: readonly number[], opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  const s = checkShape(op, shape);
  const dtype = dtypeOr(op, opts.dtype, "float32");
  if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const g = opts.generator ?? defaultGenerator;
  const arr = allocArray(dtype, sizeOf(s));
  for (let i = 0; i < arr.length; i++) arr[i] = draw(g);
  return make(op, arr, s, dtype, opts.requiresGrad);
}

/** Uniform random numbers in [0, 1). @example cr.manualSeed(0); cr.rand([2, 2]) */
export const rand = (shape: readonly number[], opts: RandomOptions = {}): Tensor => randomFloat("rand", shape, opts, (g) => g.uniform());
/** Standard normal random numbers. */
export const randn = (shape: readonly number[], opts: RandomOptions = {}): Tensor => randomFloat("randn", shape, opts, (g) => g.normal());
/** Uniform random numbers in [0, 1) shaped like `x`. */
export const randLike = (x: Tensor, opts: RandomOptions = {}): Tensor => onBackendOf(x, () => rand(x.shape, { dtype: x.dtype, ...opts }));
/** Standard normal random numbers shaped like `x`. */
export const randnLike = (x: Tensor, opts: RandomOptions = {}): Tensor => onBackendOf(x, () => randn(x.shape, { dtype: x.dtype, ...opts }));

/**
 * Random integers in [low, high) (int32 unless `dtype` says otherwise); `randint(high, shape)` starts at 0.
 * @example cr.randint(0, 10, [5])
 */
export function randint(high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor;
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomOptions, d?: RandomOptions): Tensor {
  const [low, high, shape, opts] = typeof b === "number" ? [a, b, c as readonly number[], d ?? {}] : [0, a, b, (c as RandomOptions | undefined) ?? {}];
  finite("randint", "low", low);
  finite("randint", "high", high);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError(`randint: expected integers low < high, got low ${low} and high ${high}`);
  }
  const s = checkShape("randint", shape);
  const dtype = dtypeOr("randint", opts.dtype, "int32");
  if (dtype === "int32" && (!fitsInt32(low) || !fitsInt32(high - 1))) throw new DTypeError(int32RangeMessage("randint", fitsInt32(low) ? high - 1 : low));
  const g = opts.generator ?? defaultGenerator;
  const arr = allocArray(dtype, sizeOf(s));
  for (let i = 0; i < arr.length; i++) arr[i] = g.integer(low, high);
  return make("randint", arr, s, dtype, opts.requiresGrad);
}
