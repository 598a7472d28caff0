// Turning user data (numbers, nested arrays, typed arrays) into tensor storage, and back into nested arrays.
import type { DType, TypedArray } from "../dtype.js";
import { DTYPES, allocArray, dtypeOfArray, isDType } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { fmt, stridesOf } from "../shape.js";
import type { Shape } from "../shape.js";

/** Numbers, booleans and arrays of them nested to any depth: what `cr.tensor` accepts besides typed arrays. */
export type NestedArray = number | boolean | readonly NestedArray[];
/** What `tolist()` returns: numbers (booleans for bool tensors) nested like the tensor's dims. */
export type NestedList = number | boolean | NestedList[];

export function checkDType(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) {
    throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.map((d) => `"${d}"`).join(", ")})`);
  }
  return dtype;
}

/** Infers the shape of nested arrays and flattens them, checking that they are rectangular. */
export function flattenNested(op: string, data: NestedArray): { shape: number[]; values: (number | boolean)[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as readonly NestedArray[])[0]!;
  }
  const values: (number | boolean)[] = [];
  // Iterative walk: deep or large inputs must not overflow the stack.
  const stack: { item: NestedArray; depth: number; path: string }[] = [{ item: data, depth: 0, path: "" }];
  while (stack.length > 0) {
    const { item, depth, path } = stack.pop()!;
    if (depth === shape.length) {
      if (typeof item !== "number" && typeof item !== "boolean") {
        throw new ArgumentError(`${op}: expected a number or boolean at data${path}, got ${describe(item)}`);
      }
      values.push(item);
      continue;
    }
    if (!Array.isArray(item)) {
      throw new ShapeError(`${op}: data is not rectangular: data${path} is ${describe(item)}, expected an array of length ${shape[depth]}`);
    }
    const arr = item as readonly NestedArray[];
    if (arr.length !== shape[depth]) {
      throw new ShapeError(`${op}: data is not rectangular: data${path} has length ${arr.length}, expected ${shape[depth]} (shape ${fmt(shape)})`);
    }
    for (let i = arr.length - 1; i >= 0; i--) stack.push({ item: arr[i]!, depth: depth + 1, path: `${path}[${i}]` });
  }
  return { shape, values };
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  return typeof x === "object" ? "an object" : `${typeof x} ${String(x)}`;
}

/** Whether `v` is an int32 value (rather than one that would wrap around when stored). */
export function fitsInt32(v: number): boolean {
  return v >= -2147483648 && v <= 2147483647;
}

/** The error for a value an int32 tensor cannot hold (PyTorch: "value cannot be converted to type int32 without overflow"). */
export function int32RangeMessage(op: string, v: number, where = ""): string {
  return `${op}: value ${v} ${where}cannot be converted to int32 without overflow (int32 holds -2147483648 to 2147483647); use float64 for larger values`;
}

/** Storage and shape for `cr.tensor(data, { dtype })`; numbers default to float32 (JavaScript has no integer literals). */
/** The typed arrays of the storage dtypes that `cr.tensor` also takes (int8, int16, int64 by default). */
export type StorageArray = Int8Array | Int16Array | BigInt64Array;

export function dataToArray(op: string, data: NestedArray | TypedArray | StorageArray, dtype: DType | undefined): { arr: TypedArray; shape: Shape; dtype?: DType } {
  if (data instanceof Int8Array || data instanceof Int16Array || data instanceof BigInt64Array) {
    // The storage dtypes' own arrays: their values, in the dtype's compute array (checked for int64).
    const own: DType = data instanceof Int8Array ? "int8" : data instanceof Int16Array ? "int16" : "int64";
    const values = Array.from(data as ArrayLike<number | bigint>, Number);
    return { ...dataToArray(op, values, dtype ?? own), dtype: dtype ?? own };
  }
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfArray(data);
    if (own === undefined) throw new DTypeError(`${op}: unsupported typed array ${data.constructor.name} (use Float32Array, Float64Array, Int32Array, Uint8Array (bool), Int8Array, Int16Array or BigInt64Array)`);
    const target = dtype ?? own;
    if (target === "int32" && own !== "int32" && own !== "bool") {
      const bad = Array.prototype.findIndex.call(data, (v: number) => !Number.isInteger(v));
      if (bad >= 0) throw new DTypeError(`${op}: value ${data[bad]} at index ${bad} is not an integer, but dtype is int32`);
      const out = Array.prototype.findIndex.call(data, (v: number) => !fitsInt32(v));
      if (out >= 0) throw new DTypeError(int32RangeMessage(op, data[out]!, `at index ${out} `));
    }
    const arr = allocArray(target, data.length);
    if (target === "bool") for (let i = 0; i < data.length; i++) arr[i] = data[i] ? 1 : 0;
    else arr.set(data);
    return { arr, shape: [data.length] };
  }
  const { shape, values } = flattenNested(op, data);
  const inferred: DType = values.length > 0 && values.every((v) => typeof v === "boolean") ? "bool" : "float32";
  const target = dtype ?? inferred;
  const arr = allocArray(target, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const n = typeof v === "boolean" ? (v ? 1 : 0) : v;
    if (target === "int32" && !Number.isInteger(n)) {
      throw new DTypeError(`${op}: value ${n} at flat index ${i} is not an integer, but dtype is int32`);
    }
    if (target === "int32" && !fitsInt32(n)) throw new DTypeError(int32RangeMessage(op, n, `at flat index ${i} `));
    arr[i] = target === "bool" ? (n ? 1 : 0) : n;
  }
  return { arr, shape };
}

/** Rebuilds nested arrays from flat storage (recursion depth is the number of dims, not the size). */
export function toNested(arr: TypedArray, shape: Shape, dtype: DType): NestedList {
  const strides = stridesOf(shape);
  const build = (d: number, off: number): NestedList => {
    if (d === shape.length) return dtype === "bool" ? arr[off] !== 0 : arr[off]!;
    return Array.from({ length: shape[d]! }, (_, i) => build(d + 1, off + i * strides[d]!));
  };
  return build(0, 0);
}
