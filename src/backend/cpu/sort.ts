// Sorting on the cpu backend: the permutation that sorts each slice along an axis, stable, with NaN counted as
// larger than every number (PyTorch's order: last ascending, first descending).
import type { TypedArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";
import { splitAt } from "./strided.js";

export function argsort(x: TypedArray, shape: Shape, axis: number, descending: boolean): Int32Array {
  const [outer, size, inner] = splitAt(shape, axis);
  const out = allocOut("int32", x.length, "any") as Int32Array;
  const values = new Float64Array(size);
  const order = new Int32Array(size);
  // A total order (ties broken by position), so the result is the stable sort whatever algorithm sorts it.
  const ascending = (i: number, j: number): number => {
    const a = values[i]!, b = values[j]!;
    if (a < b) return -1;
    if (a > b) return 1;
    const an = a !== a, bn = b !== b;
    if (an !== bn) return an ? 1 : -1;
    return i - j;
  };
  const descendingOrder = (i: number, j: number): number => {
    const a = values[i]!, b = values[j]!;
    if (a > b) return -1;
    if (a < b) return 1;
    const an = a !== a, bn = b !== b;
    if (an !== bn) return an ? -1 : 1;
    return i - j;
  };
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const start = o * size * inner + j;
      for (let i = 0; i < size; i++) {
        values[i] = x[start + i * inner]!;
        order[i] = i;
      }
      order.sort(descending ? descendingOrder : ascending);
      for (let i = 0; i < size; i++) out[start + i * inner] = order[i]!;
    }
  }
  return out;
}
