// Max pooling: the cpu winners kernel (which both backends run for non-float32 input) against a naive
// definition written window by window, then the tensor ops built on it: values, indices, gradients, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import type { Window2d } from "../src/backend/backend.js";
import { maxPool2dIndices } from "../src/backend/cpu/windows.js";
import { windowOut } from "../src/shape.js";

let seed = 11;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

/**
 * Every window element by its coordinates, in window order (ki, then kj): the in-image ones compete; the
 * winner is the first strictly larger than all before it, or the last NaN (PyTorch's rule).
 */
function naiveWinners(x: ArrayLike<number>, [n, c, h, w]: readonly number[], win: Window2d): number[] {
  const [kh, kw] = win.kernel, [sh, sw] = win.stride, [ph, pw] = win.padding, [dh, dw] = win.dilation;
  const oh = windowOut(h!, kh, sh, ph, dh), ow = windowOut(w!, kw, sw, pw, dw);
  const out: number[] = [];
  for (let p = 0; p < n! * c!; p++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let best = -Infinity, at = -1;
        for (let ki = 0; ki < kh; ki++) {
          for (let kj = 0; kj < kw; kj++) {
            const iy = y * sh - ph + ki * dh, ix = xx * sw - pw + kj * dw;
            if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
            const v = x[p * h! * w! + iy * w! + ix]!;
            if (at < 0 || v > best || Number.isNaN(v)) {
              at = iy * w! + ix;
              best = v;
            }
          }
        }
        out.push(at);
      }
    }
  }
  return out;
}

const windows: Window2d[] = [
  { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], padValue: -Infinity },
  { kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], padValue: -Infinity },
  { kernel: [2, 2], stride: [1, 1], padding: [1, 1], dilation: [2, 2], padValue: -Infinity },
  { kernel: [2, 3], stride: [1, 2], padding: [1, 1], dilation: [2, 1], padValue: -Infinity },
  { kernel: [1, 4], stride: [3, 1], padding: [0, 2], dilation: [1, 1], padValue: -Infinity },
];

test("the cpu winners kernel matches the window-by-window definition: ties, NaN, -Infinity, every window shape", () => {
  const shape = [2, 3, 7, 9];
  for (const win of windows) {
    for (const kind of ["ties", "nan", "ints"] as const) {
      const size = shape.reduce((a, b) => a * b);
      const values = Array.from({ length: size }, () => {
        if (kind === "nan" && rand() < 0.15) return NaN;
        if (kind === "nan" && rand() < 0.15) return -Infinity;
        return Math.floor(rand() * 3);
      });
      const x = kind === "ints" ? Int32Array.from(values) : Float32Array.from(values);
      const oh = windowOut(7, win.kernel[0], win.stride[0], win.padding[0], win.dilation[0]);
      const ow = windowOut(9, win.kernel[1], win.stride[1], win.padding[1], win.dilation[1]);
      const got = maxPool2dIndices(x, shape, win, 6 * oh * ow);
      assert.deepEqual([...got], naiveWinners(x, shape, win), `${kind} ${JSON.stringify(win)}`);
    }
  }
});

test("a window of -Infinity points at its first in-image element, never at the padding", () => {
  const x = cr.full([1, 1, 3, 3], -Infinity);
  const [values, indices] = cr.maxPool2dWithIndices(x, 3, { stride: 1, padding: 1 });
  assert.deepEqual(indices.reshape([9]).tolist(), [0, 0, 1, 0, 0, 1, 3, 3, 4]);
  assert.ok((values.reshape([9]).tolist() as number[]).every((v) => v === -Infinity));
});

for (const backend of ["cpu", "wasm"] as const) {
  test(`maxPool2dWithIndices on ${backend}: the values are the input at the indices, and the gradient goes there`, () => {
    cr.setBackend(backend);
    try {
      const x = cr.tensor(Float32Array.from({ length: 2 * 3 * 8 * 8 }, () => Math.floor(rand() * 4))).reshape([2, 3, 8, 8]).requiresGrad_(true);
      const [values, indices] = cr.maxPool2dWithIndices(x, 3, { stride: 2, padding: 1 });
      assert.deepEqual(values.shape, [2, 3, 4, 4]);
      assert.equal(indices.dtype, "int32");
      const flatX = x.detach().reshape([6, 64]).tolist() as number[][];
      const idx = indices.reshape([6, 16]).tolist() as number[][];
      const vals = values.detach().reshape([6, 16]).tolist() as number[][];
      idx.forEach((row, p) => row.forEach((at, j) => assert.equal(vals[p]![j], flatX[p]![at])));
      // The gradient of Σ wᵢ·valueᵢ: each window's weight lands on its winner, summed where winners repeat.
      const weights = cr.arange(0, 96).reshape([2, 3, 4, 4]).to("float32");
      values.mul(weights).sum().backward();
      const want = new Float32Array(6 * 64);
      idx.forEach((row, p) => row.forEach((at, j) => (want[p * 64 + at]! += p * 16 + j)));
      assert.deepEqual([...x.grad!.toTypedArray()], [...want]);
    } finally {
      cr.setBackend("cpu");
    }
  });
}

test("maxPool2d has second derivatives: gradgradcheck in float64", () => {
  const x = cr.tensor(Float64Array.from({ length: 2 * 5 * 5 }, (_, i) => ((i * 37) % 50) * 0.1 - 2.5)).reshape([1, 2, 5, 5]).requiresGrad_(true);
  const f = (t: cr.Tensor) => cr.maxPool2d(t, 3, { stride: 2, padding: 1 }).square();
  assert.equal(cr.autograd.gradcheck(f, [x]), true);
  assert.equal(cr.autograd.gradgradcheck(f, [x]), true);
});

test("functional maxPool2dWithIndices takes unbatched [C, H, W] input and names the op in its errors", () => {
  const x = cr.arange(0, 32).reshape([2, 4, 4]).to("float32");
  const [values, indices] = cr.nn.functional.maxPool2dWithIndices(x, 2);
  assert.deepEqual(values.shape, [2, 2, 2]);
  assert.deepEqual(indices.tolist(), [[[5, 7], [13, 15]], [[5, 7], [13, 15]]]);
  // cr.maxPool2dWithIndices is the same function (as torch.max_pool2d is F.max_pool2d).
  assert.deepEqual(cr.maxPool2dWithIndices(x, 2)[1].tolist(), indices.tolist());
  assert.throws(() => cr.maxPool2dWithIndices(x.reshape([8, 4]), 2), /maxPool2d: expected input \[N, C, H, W\] or \[C, H, W\], got \[8,4\]/);
  assert.throws(() => cr.maxPool2d(x.unsqueeze(0), 2, { padding: 2 }), /maxPool2d: padding \[2,2\] must be at most half the kernel \[2,2\]/);
  // ceilMode rounds the output up: a 4×4 plane pooled 3 at a time with stride 2 gives 2×2 rather than 1×1.
  assert.deepEqual(cr.nn.functional.maxPool2d(x, 3, { stride: 2, ceilMode: true }).shape, [2, 2, 2]);
  // A dilated window that skips the whole (2-pixel-high) image: an error naming it, not -Infinity at a bogus index.
  assert.throws(() => cr.maxPool2d(cr.ones([1, 1, 2, 4]), 2, { stride: 1, padding: 1, dilation: 3 }), /maxPool2d: window 0 along height covers only padding/);
});
