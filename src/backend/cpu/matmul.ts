// Batched matrix multiplication on the cpu backend.
import type { DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { forEachRow } from "./strided.js";

// C[m,n] += A[m,k] · B[k,n] for one matrix pair, i-k-j order so the inner loop streams rows of B and C.
function gemm(
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number,
  m: number, k: number, n: number,
): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) row[j]! += av * b[bp + j]!;
    }
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) c[ci + j] = row[j]!;
  }
}

export function matmul(a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, dtype: DType): TypedArray {
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  const out = allocArray(dtype, sizeOf(outShape));
  const batchShape = outShape.slice(0, -2);
  const sa = broadcastStrides(aShape.slice(0, -2), batchShape).map((s) => s * m * k);
  const sb = broadcastStrides(bShape.slice(0, -2), batchShape).map((s) => s * k * n);
  // Treat the batch dims as a shape with a trailing 1 so forEachRow visits one batch at a time.
  const walk = [...batchShape, 1];
  let c = 0;
  forEachRow(walk, [[...sa, 0], [...sb, 0]], (off) => {
    gemm(a, off[0]!, b, off[1]!, out, c, m, k, n);
    c += m * n;
  });
  return out;
}
