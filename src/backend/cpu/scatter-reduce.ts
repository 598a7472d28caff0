// PyTorch's scatter (the last value written wins) and scatter_reduce (sum, prod, mean, amax, amin, with or
// without the base's own value) on the cpu backend: the index's elements in row-major order, each sending
// src's element at the same coordinates to the position the index names along `dim`.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import type { ScatterOp } from "../../ops/params.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";
import { outOfBounds } from "./movement.js";

// What a position holds before the first value reaches it, when the base's own value is left out (int32 has no infinities).
function identity(op: Exclude<ScatterOp, "assign">, dtype: DType): number {
  if (op === "amax") return dtype === "int32" ? -2147483648 : -Infinity;
  if (op === "amin") return dtype === "int32" ? 2147483647 : Infinity;
  return op === "prod" ? 1 : 0;
}

// Calls visit(target, source) for each element of the index: target its position in the base (through the index
// value), source the same coordinates' position in src.
function forEachScatter(shape: Shape, dim: number, index: Int32Array, idxShape: Shape, srcShape: Shape, op: string, visit: (target: number, source: number) => void): void {
  const strides = stridesOf(shape), srcStrides = stridesOf(srcShape);
  const rank = idxShape.length;
  const size = shape[dim] ?? 1;
  const coord = new Array<number>(rank).fill(0);
  const n = sizeOf(idxShape);
  let base = 0, from = 0;
  for (let i = 0; i < n; i++) {
    const v = index[i]!;
    if (v < 0 || v >= size) throw outOfBounds(op, v, dim, size);
    visit(base + v * (rank === 0 ? 0 : strides[dim]!), from);
    for (let d = rank - 1; d >= 0; d--) {
      const step = d === dim ? 0 : strides[d]!;
      if (++coord[d]! < idxShape[d]!) {
        base += step;
        from += srcStrides[d]!;
        break;
      }
      base -= (coord[d]! - 1) * step;
      from -= (coord[d]! - 1) * srcStrides[d]!;
      coord[d] = 0;
    }
  }
}

export function scatterReduce(base: TypedArray, shape: Shape, dim: number, index: Int32Array, idxShape: Shape, src: TypedArray, srcShape: Shape, op: ScatterOp, includeSelf: boolean, dtype: DType): TypedArray {
  // Every index is checked before anything is written.
  forEachScatter(shape, dim, index, idxShape, srcShape, op === "assign" ? "scatter" : "scatterReduce", () => {});
  const out = allocOut(dtype, base.length, "any");
  out.set(base);
  if (op === "assign") {
    forEachScatter(shape, dim, index, idxShape, srcShape, "scatter", (t, s) => (out[t] = src[s]!));
    return out;
  }
  const count = new Int32Array(op === "mean" ? base.length : 0);
  const start = identity(op, dtype);
  if (!includeSelf) forEachScatter(shape, dim, index, idxShape, srcShape, "scatterReduce", (t) => (out[t] = start));
  else if (op === "mean") count.fill(1);
  const isInt = dtype === "int32";
  forEachScatter(shape, dim, index, idxShape, srcShape, "scatterReduce", (t, s) => {
    const v = src[s]!, o = out[t]!;
    switch (op) {
      case "sum": case "mean": out[t] = o + v; break;
      case "prod": out[t] = isInt ? Math.imul(o, v) : o * v; break;
      // NaN wins from either side, as in PyTorch.
      case "amax": out[t] = v !== v || o !== o ? NaN : Math.max(o, v); break;
      case "amin": out[t] = v !== v || o !== o ? NaN : Math.min(o, v); break;
    }
    if (op === "mean") count[t]!++;
  });
  if (op === "mean") {
    for (let t = 0; t < out.length; t++) {
      const c = count[t]!;
      if (c > 0) out[t] = isInt ? Math.floor(out[t]! / c) : out[t]! / c;
    }
  }
  return out;
}
