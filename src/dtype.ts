// Data types, their typed-array storage, and PyTorch's type-promotion rules.
import { DTypeError } from "./errors.js";

/**
 * The element types a tensor can hold. `float32` is the default for floating-point data. `int8`, `uint8`, `int16`,
 * `int64`, `float16` and `bfloat16` are storage dtypes: backends compute them in their compute dtype
 * (`computeDType`) and every result is wrapped or rounded back to the dtype, as PyTorch's CPU results are.
 */
export type DType = "float32" | "float64" | "int32" | "bool" | "int8" | "uint8" | "int16" | "int64" | "float16" | "bfloat16";

/** The dtypes backends compute in; every other dtype is stored and computed as one of these. */
export type ComputeDType = "float32" | "float64" | "int32" | "bool";

/**
 * The typed array that stores each dtype (`bool` is one byte per element, 0 or 1). The storage dtypes are held in
 * their compute dtype's array: int8, uint8 and int16 values in an Int32Array, int64 values (checked to stay within
 * ±2^53) in a Float64Array, float16 and bfloat16 values (already rounded) in a Float32Array.
 */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
  int8: Int32Array;
  uint8: Int32Array;
  int16: Int32Array;
  int64: Float64Array;
  float16: Float32Array;
  bfloat16: Float32Array;
}
export type TypedArray = TypedArrayFor[DType];

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool", "int8", "uint8", "int16", "int64", "float16", "bfloat16"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16" || dtype === "bfloat16";
}

/** Whether `dtype` holds integers (bool excluded). */
export function isIntegral(dtype: DType): boolean {
  return dtype === "int32" || dtype === "int8" || dtype === "uint8" || dtype === "int16" || dtype === "int64";
}

/**
 * The dtype a backend stores and computes `dtype` in: int8, uint8 and int16 in int32; int64 in float64 (integers are
 * exact there up to 2^53); float16 and bfloat16 in float32 (PyTorch's CPU kernels compute them in float32 too).
 */
export function computeDType(dtype: DType): ComputeDType {
  switch (dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return "int32";
    case "int64":
      return "float64";
    case "float16":
    case "bfloat16":
      return "float32";
    default:
      return dtype;
  }
}

/** Whether `dtype` is a storage dtype, computed in another (`computeDType`) and narrowed after each op. */
export function isStorageDType(dtype: DType): boolean {
  return computeDType(dtype) !== dtype;
}

/** Allocates zero-filled storage for `size` elements of `dtype` (its compute dtype's array). */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (computeDType(dtype)) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** The dtype whose storage is this typed array, or undefined for arrays chainrule does not store. */
export function dtypeOfArray(arr: ArrayBufferView): ComputeDType | undefined {
  if (arr instanceof Float32Array) return "float32";
  if (arr instanceof Float64Array) return "float64";
  if (arr instanceof Int32Array) return "int32";
  if (arr instanceof Uint8Array) return "bool";
  return undefined;
}

// Category order used by promotion: bool < integer < floating.
function category(dtype: DType): number {
  return dtype === "bool" ? 0 : isIntegral(dtype) ? 1 : 2;
}

// Rank within a category; two integer dtypes promote to the larger, except that uint8 with a signed one needs a
// signed dtype holding 0…255 (int16 at least); float16 with bfloat16 needs float32 (neither holds the other).
const INT_RANK: Partial<Record<DType, number>> = { uint8: 0, int8: 0, int16: 1, int32: 2, int64: 3 };
const FLOAT_RANK: Partial<Record<DType, number>> = { float16: 0, bfloat16: 0, float32: 1, float64: 2 };

/**
 * PyTorch's `torch.promote_types`: the smallest dtype both convert to (uint8 with int8 gives int16, float16 with
 * bfloat16 gives float32), checked against PyTorch for every pair.
 * @example cr.promoteTypes("int32", "float32") // "float32"
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a);
  const cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  const rank = ca === 1 ? INT_RANK : FLOAT_RANK;
  const ra = rank[a]!;
  const rb = rank[b]!;
  if (ra !== rb) return ra > rb ? a : b;
  // Same rank, different dtypes: uint8/int8 or float16/bfloat16.
  return ca === 1 ? "int16" : "float32";
}

/** What an operand of a binary op is, for PyTorch's three-tier promotion. */
export type Operand =
  | { kind: "tensor"; dtype: DType; ndim: number }
  | { kind: "scalar"; value: number | boolean };

function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int32" : "float32";
}

/**
 * `torch.result_type`: tensors with dimensions take precedence over zero-dim tensors, which take
 * precedence over plain numbers — but only within a category. A plain float with an integer
 * tensor gives the default float dtype (float32), as in PyTorch.
 */
export function resultType(operands: readonly Operand[]): DType {
  let dimResult: DType | undefined;
  let zeroDimResult: DType | undefined;
  let scalarResult: DType | undefined;
  const merge = (acc: DType | undefined, d: DType) => (acc === undefined ? d : promoteTypes(acc, d));
  for (const op of operands) {
    if (op.kind === "tensor") {
      if (op.ndim > 0) dimResult = merge(dimResult, op.dtype);
      else zeroDimResult = merge(zeroDimResult, op.dtype);
    } else {
      scalarResult = merge(scalarResult, scalarDType(op.value));
    }
  }
  let result: DType | undefined = dimResult;
  for (const next of [zeroDimResult, scalarResult]) {
    if (next === undefined) continue;
    if (result === undefined) result = next;
    else if (category(next) > category(result)) {
      // A lower tier only wins when it is of a higher category; plain numbers were already
      // mapped to that category's default dtype.
      result = next;
    }
  }
  if (result === undefined) throw new DTypeError("resultType: no operands");
  return result;
}

/** Throws unless `dtype` is floating point; `op` names the caller. */
export function requireFloating(op: string, dtype: DType): void {
  if (!isFloating(dtype)) {
    throw new DTypeError(`${op}: expected a floating-point tensor (float32, float64, float16 or bfloat16), got ${dtype}`);
  }
}
