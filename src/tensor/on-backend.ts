// Constants made beside an existing tensor, on its backend (not the current one): what composites and derivative
// rules combine with their operands. Shared by the shape, indexing, sorting and scan ops.
import type { DType } from "../dtype.js";
import { computeDType } from "../dtype.js";
import { narrowScalar } from "./narrow.js";
import { sizeOf } from "../shape.js";
import type { Shape } from "../shape.js";
import { Tensor } from "./tensor.js";

/** A tensor of `shape` filled with `value`, on `like`'s backend. */
export function fullOn(like: Tensor, shape: Shape, dtype: DType, value: number): Tensor {
  return Tensor._create(like._backend.full(sizeOf(shape), narrowScalar(value, dtype), computeDType(dtype)), shape, dtype, like._backend);
}

/** `[0, 1, …, n − 1]` as int32, on `like`'s backend. */
export function arangeOn(like: Tensor, n: number): Tensor {
  return Tensor._create(like._backend.fromArray(Int32Array.from({ length: n }, (_, i) => i)), [n], "int32", like._backend);
}

/** An int32 tensor holding `values` (host numbers, e.g. sizes or positions), on `like`'s backend. */
export function intsOn(like: Tensor, values: readonly number[], shape: Shape = [values.length]): Tensor {
  return Tensor._create(like._backend.fromArray(Int32Array.from(values)), shape, "int32", like._backend);
}

/** The elements of an int32 (or bool) tensor on the host, for ops whose result's shape depends on them. */
export function hostInts(op: string, t: Tensor): Int32Array | Uint8Array {
  return t._readSync(op, "data", t.numel()) as Int32Array | Uint8Array;
}
