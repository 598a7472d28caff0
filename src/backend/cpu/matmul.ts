// Batched matrix multiplication on the cpu backend: a register-blocked kernel over a transposed copy of B.
import type { DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { forEachRow } from "./strided.js";

// Bᵀ for one matrix, so the kernel reads both operands along contiguous rows.
function transposeInto(b: TypedArray, bOff: number, k: number, n: number, bt: Float64Array): void {
  for (let p = 0; p < k; p++) {
    const row = bOff + p * n;
    for (let j = 0; j < n; j++) bt[j * k + p] = b[row + j]!;
  }
}

/**
 * C[m,n] = A[m,k] · B[k,n] for one matrix pair. 4×4 blocks of C are accumulated in 16 local
 * variables (registers), reading 4 rows of A and 4 rows of Bᵀ once per k step: in V8 the stores
 * into typed arrays are what cost, and this does one store per element of C.
 */
function gemm(a: TypedArray, aOff: number, bt: Float64Array, c: TypedArray, cOff: number, m: number, k: number, n: number): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!, x3 = a[a3 + p]!;
        const y0 = bt[b0 + p]!, y1 = bt[b1 + p]!, y2 = bt[b2 + p]!, y3 = bt[b3 + p]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const r0 = cOff + i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      c[r0] = c00; c[r0 + 1] = c01; c[r0 + 2] = c02; c[r0 + 3] = c03;
      c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
      c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
      c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
    }
  }
  // Edges: the rows and columns left over by the 4×4 blocks, one dot product each.
  for (let i = 0; i < m; i++) {
    const jStart = i < m4 ? n4 : 0;
    const ai = aOff + i * k;
    for (let j = jStart; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * bt[bj + p]!;
      c[cOff + i * n + j] = s;
    }
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
  const bt = new Float64Array(k * n);
  let lastB = -1;
  // Treat the batch dims as a shape with a trailing 1 so forEachRow visits one batch at a time.
  const walk = [...batchShape, 1];
  let c = 0;
  forEachRow(walk, [[...sa, 0], [...sb, 0]], (off) => {
    // A broadcast B is the same matrix for every batch: transpose it once.
    if (off[1] !== lastB) {
      transposeInto(b, off[1]!, k, n, bt);
      lastB = off[1]!;
    }
    gemm(a, off[0]!, bt, out, c, m, k, n);
    c += m * n;
  });
  return out;
}
