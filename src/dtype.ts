// Data types, their typed-array storage, and PyTorch's type-promotion rules.
import { DTypeError } from "./errors.js";

/** The element types a tensor can hold. `float32` is the default for floating-point data. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** The typed array that stores each dtype (`bool` is one byte per element, 0 or 1). */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}
export type TypedArray = TypedArrayFor[DType];

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** Allocates zero-filled storage for `size` elements of `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
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
export function dtypeOfArray(arr: ArrayBufferView): DType | undefined {
  if (arr instanceof Float32Array) return "float32";
  if (arr instanceof Float64Array) return "float64";
  if (arr instanceof Int32Array) return "int32";
  if (arr instanceof Uint8Array) return "bool";
  return undefined;
}

// Category order used by promotion: bool < integer < floating.
function category(dtype: DType): number {
  return dtype === "bool" ? 0 : dtype === "int32" ? 1 : 2;
}

/** PyTorch's `torch.promote_types` for the dtypes chainrule has. @example cr.promoteTypes("int32", "float32") // "float32" */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a);
  const cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  // Same category, different dtypes: only float32 vs float64 is possible.
  return "float64";
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
    throw new DTypeError(`${op}: expected a floating-point tensor (float32 or float64), got ${dtype}`);
  }
}
