// The cpu kernels gather, scatterAdd and argReduce (which both backends run) against naive definitions
// written coordinate by coordinate: every dim, ranks 1 to 4, an index smaller than the input in the other
// dims, a source larger than the index, NaN and ties.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gather, scatterAdd } from "../src/backend/cpu/movement.js";
import { argReduce } from "../src/backend/cpu/reduce.js";
import { sizeOf, stridesOf } from "../src/shape.js";
import type { Shape } from "../src/shape.js";

let seed = 7;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

function coords(i: number, shape: Shape): number[] {
  const st = stridesOf(shape);
  return shape.map((_, d) => Math.floor(i / st[d]!) % shape[d]!);
}
const flat = (c: readonly number[], shape: Shape): number => c.reduce((acc, v, d) => acc + v * stridesOf(shape)[d]!, 0);

// Shapes: the input, and an index no larger in any dim (gather/scatterAdd's contract), for each dim.
const cases: { shape: Shape; idx: Shape }[] = [
  { shape: [7], idx: [5] },
  { shape: [3, 4], idx: [3, 4] },
  { shape: [4, 5], idx: [2, 3] },
  { shape: [2, 3, 4], idx: [2, 2, 3] },
  { shape: [3, 2, 4, 5], idx: [2, 2, 3, 4] },
];

test("gather and scatterAdd match their coordinate-by-coordinate definitions on every dim", () => {
  for (const { shape, idx } of cases) {
    for (let dim = 0; dim < shape.length; dim++) {
      const x = Float32Array.from({ length: sizeOf(shape) }, () => Math.round(rand() * 100) / 4);
      const index = Int32Array.from({ length: sizeOf(idx) }, () => Math.floor(rand() * shape[dim]!));
      // gather: out[c] = x[c with c[dim] = index[c]]
      const want = Float32Array.from({ length: index.length }, (_, i) => {
        const c = coords(i, idx);
        c[dim] = index[i]!;
        return x[flat(c, shape)]!;
      });
      assert.deepEqual(gather(x, shape, dim, index, idx, "float32"), want, `gather ${JSON.stringify(shape)} by ${JSON.stringify(idx)} on dim ${dim}`);
      // scatterAdd with a source larger than the index (one more along each dim): its extra elements are unused.
      const srcShape = idx.map((d) => d + 1);
      const src = Float32Array.from({ length: sizeOf(srcShape) }, () => Math.round(rand() * 100) / 8);
      const base = Float32Array.from({ length: x.length }, () => Math.round(rand() * 100) / 2);
      const sum = Float64Array.from(base);
      for (let i = 0; i < index.length; i++) {
        const c = coords(i, idx);
        const s = flat(c, srcShape);
        c[dim] = index[i]!;
        sum[flat(c, shape)]! += src[s]!;
      }
      assert.deepEqual(scatterAdd(base, shape, dim, index, idx, src, srcShape, "float32"), Float32Array.from(sum), `scatterAdd on dim ${dim}`);
    }
  }
  assert.throws(() => gather(new Float32Array(6), [2, 3], 1, Int32Array.of(0, 3), [2, 1], "float32"), /index 3 is out of bounds for dim 1 of size 3/);
});

test("argmax and argmin along every axis: the first extreme wins, and the first NaN beats everything", () => {
  for (const shape of [[9], [4, 6], [3, 5, 4], [2, 3, 4, 5]] as Shape[]) {
    // Few distinct values, so ties are common; some NaN.
    const x = Float32Array.from({ length: sizeOf(shape) }, () => (rand() < 0.05 ? Number.NaN : Math.floor(rand() * 5)));
    for (let axis = 0; axis < shape.length; axis++) {
      for (const op of ["argmax", "argmin"] as const) {
        const outShape = shape.filter((_, d) => d !== axis);
        const want = Int32Array.from({ length: sizeOf(outShape) }, (_, i) => {
          const c = coords(i, outShape);
          let best = Number.NaN, at = -1;
          for (let j = 0; j < shape[axis]!; j++) {
            const v = x[flat([...c.slice(0, axis), j, ...c.slice(axis)], shape)]!;
            if (Number.isNaN(v)) return j;
            if (at < 0 || (op === "argmax" ? v > best : v < best)) [best, at] = [v, j];
          }
          return at;
        });
        assert.deepEqual(argReduce(op, x, shape, axis), want, `${op} of ${JSON.stringify(shape)} along ${axis}`);
      }
    }
  }
});
