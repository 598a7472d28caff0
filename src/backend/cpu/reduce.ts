// Reduction kernels of the cpu backend: sum, prod, max, min over any set of axes, and argmax/argmin.
import type { DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { ReduceOp } from "../backend.js";
import { forEachRow, splitAt } from "./strided.js";

export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = sizeOf(outShape);
  // Accumulate in float64 whatever the dtype, so long float32 sums keep their precision.
  const acc = new Float64Array(outSize);
  const init = op === "sum" ? 0 : op === "prod" ? 1 : op === "max" ? -Infinity : Infinity;
  acc.fill(init);
  const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const last = shape.length - 1;
  const so = outStrides[last] ?? 0;
  let ix = 0;
  forEachRow(shape, [outStrides], (off, n) => {
    let o = off[0]!;
    switch (op) {
      case "sum": for (let i = 0; i < n; i++, o += so) acc[o]! += x[ix++]!; break;
      case "prod": for (let i = 0; i < n; i++, o += so) acc[o]! *= x[ix++]!; break;
      // `v !== v` takes a NaN, and no later comparison replaces it: max and min propagate NaN.
      case "max": for (let i = 0; i < n; i++, o += so) { const v = x[ix++]!; if (v > acc[o]! || v !== v) acc[o] = v; } break;
      case "min": for (let i = 0; i < n; i++, o += so) { const v = x[ix++]!; if (v < acc[o]! || v !== v) acc[o] = v; } break;
    }
  });
  const out = allocArray(outDtype, outSize);
  if (outDtype === "bool") for (let i = 0; i < outSize; i++) out[i] = acc[i] ? 1 : 0;
  else out.set(acc);
  return out;
}

export function argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
  const [outer, size, inner] = splitAt(shape, axis);
  const out = new Int32Array(outer * inner);
  const better = op === "argmax" ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * size * inner + j;
      let best = x[base]!;
      let idx = 0;
      // NaN counts as the extreme, and the first one wins, as in PyTorch.
      if (best === best) {
        for (let i = 1; i < size; i++) {
          const v = x[base + i * inner]!;
          if (v !== v) { idx = i; break; }
          if (better(v, best)) { best = v; idx = i; }
        }
      }
      out[o * inner + j] = idx;
    }
  }
  return out;
}
