// The accelerated methods composed from the backend core, in one place: a backend that implements only the core
// runs every op through these, and gets faster method by method as it adds its own kernels. Each computes what
// its method's documentation (backend.ts) says; the conformance suite runs them against the cpu kernels.
import type { ComputeDType as DType } from "../dtype.js";
import { Expr, select } from "../ops/expr.js";
import { makeProgram, opProgram } from "../ops/program.js";
import { broadcastStrides, sizeOf, stridesOf, windowOut } from "../shape.js";
import type { Shape } from "../shape.js";
import type { AcceleratedMethod, AcceleratedMethods, Backend, BackendCore, CompleteBackend, DataBuf, StridedView, TensorData, Window2d } from "./backend.js";
import { argsortFallback, cumulativeFallback, cumulativeIndexFallback, scatterReduceFallback } from "./ordering-fallbacks.js";
import type { WindowNd } from "./backend.js";
import type { Program } from "../ops/program.js";
import { windowNdOut } from "../ops/window-nd.js";
import type { TypedArray } from "../dtype.js";
import { ArgumentError } from "../errors.js";
import * as linalg from "./linalg/batched.js";
import { attentionBackwardFallback, attentionFallback } from "./attention-fallback.js";
import { geluGradProgram, geluProgram } from "./gelu-fallback.js";
import { layerNormFallback } from "./layer-norm-fallback.js";

type Fallbacks = { [K in AcceleratedMethod]: (b: CompleteBackend, ...args: Parameters<AcceleratedMethods[K]>) => ReturnType<AcceleratedMethods[K]> };

const data = (buf: DataBuf, shape: Shape, dtype: DType): TensorData => ({ buf, shape, dtype });

/** Runs `fn` with temporaries it registers released afterwards (backends with their own memory need it). */
function withTemps<T>(b: BackendCore, fn: (temp: (buf: DataBuf) => DataBuf) => T): T {
  const temps: DataBuf[] = [];
  try {
    return fn((buf) => (temps.push(buf), buf));
  } finally {
    for (const t of temps) b.release?.(t);
  }
}

const scalarOn = (b: BackendCore, value: number, dtype: DType): TensorData => data(b.full(1, value, dtype), [], dtype);

// An image padded on every side: a fresh buffer of `padValue` with the image written in its middle.
function padded(b: CompleteBackend, x: TensorData, window: Window2d): { buf: DataBuf; hp: number; wp: number } {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [ph, pw] = window.padding;
  const hp = h + 2 * ph, wp = w + 2 * pw;
  if (ph === 0 && pw === 0) return { buf: x.buf, hp, wp };
  const buf = b.full(n * c * hp * wp, window.padValue, x.dtype);
  b.scatterStrided(buf, x, { offset: ph * wp + pw, strides: [c * hp * wp, hp * wp, wp, 1] }, false);
  return { buf, hp, wp };
}

// The windows of a padded image as one strided view [N, C, kh, kw, oh, ow]: im2col's layout, read in one pass.
function windowsView(shape: Shape, window: Window2d, hp: number, wp: number, oh: number, ow: number): { view: StridedView; shape: number[] } {
  const [n, c] = shape as [number, number];
  const [kh, kw] = window.kernel, [sh, sw] = window.stride, [dh, dw] = window.dilation;
  return { view: { offset: 0, strides: [c * hp * wp, hp * wp, dh * wp, dw, sh * wp, sw] }, shape: [n, c, kh, kw, oh, ow] };
}

// An index of `index.shape` along `dim` read as the whole of `shape` (a 1-D index broadcast over the other dims).
function broadcastIndex(b: CompleteBackend, index: TensorData, dim: number, shape: Shape): TensorData {
  const strides = shape.map((_, d) => (d === dim ? 1 : 0));
  return data(b.strided(index, { offset: 0, strides }, shape), shape, "int32");
}

// Programs the fallbacks run, made once.
const shiftByMax = makeProgram("logSoftmax", 2, (x, m) => x!.sub(select(Expr.call("isinf", m!).and(m!.lt(0)), 0, m!))); // +∞: NaN, as PyTorch
const minusLogSum = makeProgram("logSoftmax", 2, (s, sum) => s!.sub(sum!.log()));
const logSoftmaxGrad = makeProgram("logSoftmaxBackward", 3, (g, y, s) => g!.sub(y!.exp().mul(s!)));
const safeTarget = makeProgram("nllLoss", 2, (t, ignore) => select(t!.eq(ignore!), 0, t!));
const negUnlessIgnored = makeProgram("nllLoss", 3, (t, ignore, v) => select(t!.eq(ignore!), 0, v!.neg()));
const counted = makeProgram("nllLoss", 2, (t, ignore) => select(t!.ne(ignore!), 1, 0));
const scaledUnlessIgnored = makeProgram("nllLossBackward", 4, (t, ignore, g, count) => select(t!.eq(ignore!), 0, g!.neg().div(count!)));
const divide = makeProgram("div", 2, (a, b) => a!.div(b!));
const adamMoment = makeProgram("adamUpdate", 4, (m, g, beta, oneMinus) => m!.mul(beta!).add(g!.mul(oneMinus!)));
const adamSecond = makeProgram("adamUpdate", 4, (v, g, beta, oneMinus) => v!.mul(beta!).add(g!.mul(oneMinus!).mul(g!)));
const largestInWindow = makeProgram("maxPool2dIndices", 3, (valid, x, largest) => select(valid!.and(x!.eq(largest!)), 1, 0));
const nanInWindow = makeProgram("maxPool2dIndices", 2, (valid, x) => select(valid!.and(Expr.call("isnan", x!)), 1, 0));
// A window's winner (in window order: the last NaN where there is one, else the first largest) as a position in
// the plane: the window's first position, then (k div kw) rows of rowStep and (k mod kw) columns of colStep
// (int32 division truncates, and k >= 0).
const windowPosition = makeProgram("maxPool2dIndices", 8, (anyNan, lastNanFromEnd, first, origin, k, kw, rowStep, colStep) => {
  const winner = select(anyNan!.gt(0), k!.sub(1).sub(lastNanFromEnd!), first!);
  const row = winner.div(kw!);
  return origin!.add(row.mul(rowStep!)).add(winner.sub(row.mul(kw!)).mul(colStep!));
});
const adamParam = makeProgram("adamUpdate", 6, (p, m, v, lr, bc, eps) => p!.sub(m!.mul(lr!).div(v!.sqrt().div(bc!).add(eps!))));

/** Every accelerated method as a composite of the core. */
export const FALLBACKS: Fallbacks = {
  permute(b, x, perm) {
    const st = stridesOf(x.shape);
    return b.strided(x, { offset: 0, strides: perm.map((p) => st[p]!) }, perm.map((p) => x.shape[p]!));
  },
  expand(b, x, outShape) {
    return b.strided(x, { offset: 0, strides: broadcastStrides(x.shape, outShape) }, outShape);
  },
  slice(b, x, starts, steps, outShape) {
    const st = stridesOf(x.shape);
    return b.strided(x, { offset: starts.reduce((o, s, d) => o + s * st[d]!, 0), strides: steps.map((s, d) => s * st[d]!) }, outShape);
  },
  sliceBackward(b, src, inShape, starts, steps) {
    const st = stridesOf(inShape);
    const out = b.full(sizeOf(inShape), 0, src.dtype);
    b.scatterStrided(out, src, { offset: starts.reduce((o, s, d) => o + s * st[d]!, 0), strides: steps.map((s, d) => s * st[d]!) }, true);
    return out;
  },
  cat(b, xs, axis, outShape) {
    const out = b.full(sizeOf(outShape), 0, xs[0]!.dtype);
    const st = stridesOf(outShape);
    let start = 0;
    for (const x of xs) {
      if (sizeOf(x.shape) > 0) b.scatterStrided(out, x, { offset: start * st[axis]!, strides: st }, false);
      start += x.shape[axis]!;
    }
    return out;
  },
  indexSelect(b, x, dim, index) {
    const shape = x.shape.map((s, d) => (d === dim ? sizeOf(index.shape) : s));
    return withTemps(b, (temp) => {
      const idx = broadcastIndex(b, { ...index, shape: [sizeOf(index.shape)] }, dim, shape);
      temp(idx.buf);
      return b.gather(x, dim, idx);
    });
  },
  indexAdd(b, base, dim, index, src) {
    return withTemps(b, (temp) => {
      const idx = broadcastIndex(b, { ...index, shape: [sizeOf(index.shape)] }, dim, src.shape);
      temp(idx.buf);
      return b.scatterAdd(base, dim, idx, src);
    });
  },
  unfold(b, x, window, outShape) {
    const [, , h, w] = x.shape as [number, number, number, number];
    const oh = windowOut(h, window.kernel[0], window.stride[0], window.padding[0], window.dilation[0]);
    const ow = windowOut(w, window.kernel[1], window.stride[1], window.padding[1], window.dilation[1]);
    return withTemps(b, (temp) => {
      const p = padded(b, x, window);
      if (p.buf !== x.buf) temp(p.buf);
      const { view, shape } = windowsView(x.shape, window, p.hp, p.wp, oh, ow);
      void outShape; // [N, C·kh·kw, L] is [N, C, kh, kw, oh, ow] laid out row-major
      return b.strided(data(p.buf, x.shape, x.dtype), view, shape);
    });
  },
  fold(b, cols, window, outShape) {
    const [n, c, h, w] = outShape as [number, number, number, number];
    const [ph, pw] = window.padding;
    const hp = h + 2 * ph, wp = w + 2 * pw;
    const oh = windowOut(h, window.kernel[0], window.stride[0], ph, window.dilation[0]);
    const ow = windowOut(w, window.kernel[1], window.stride[1], pw, window.dilation[1]);
    return withTemps(b, (temp) => {
      const canvas = temp(b.full(n * c * hp * wp, 0, cols.dtype));
      const { view, shape } = windowsView(outShape, window, hp, wp, oh, ow);
      b.scatterStrided(canvas, { ...cols, shape }, view, true);
      return b.strided(data(canvas, [n, c, hp, wp], cols.dtype), { offset: ph * wp + pw, strides: [c * hp * wp, hp * wp, wp, 1] }, outShape);
    });
  },
  // Each window's winner as PyTorch picks it: the last NaN where the window has one, else the first of its largest
  // elements, padding never. The windows come from `unfold`; which of their positions lie in the image is a
  // pattern worked out here.
  maxPool2dIndices(b, x, window, outShape) {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const [, , oh, ow] = outShape as [number, number, number, number];
    const [kh, kw] = window.kernel;
    const k = kh * kw, l = oh * ow;
    const dt = x.dtype;
    return withTemps(b, (temp) => {
      const cols = data(temp(FALLBACKS.unfold(b, x, window, [n, c * k, l])), [n, c, k, l], dt);
      const inside = new Uint8Array(k * l);
      const base = new Int32Array(l);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const y0 = oy * window.stride[0] - window.padding[0], x0 = ox * window.stride[1] - window.padding[1];
          base[oy * ow + ox] = y0 * w + x0;
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const iy = y0 + i * window.dilation[0], ix = x0 + j * window.dilation[1];
              inside[(i * kw + j) * l + oy * ow + ox] = Number(iy >= 0 && iy < h && ix >= 0 && ix < w);
            }
          }
        }
      }
      const valid = data(temp(b.fromArray(inside)), [k, l], "bool");
      const lowest = data(temp(b.full(1, dt === "int32" ? -2147483648 : -Infinity, dt)), [], dt);
      const kept = [n, c, 1, l];
      const masked = data(temp(b.elementwise(opProgram("where"), [valid, cols, lowest], cols.shape, dt)), cols.shape, dt);
      const largest = data(temp(b.reduce("max", masked, [2], dt)), kept, dt);
      const isLargest = data(temp(b.elementwise(largestInWindow, [valid, cols, largest], cols.shape, "float32")), cols.shape, "float32");
      const first = data(temp(b.argReduce("argmax", isLargest, 2)), kept, "int32");
      const nans = data(temp(b.elementwise(nanInWindow, [valid, cols], cols.shape, "float32")), cols.shape, "float32");
      const anyNan = data(temp(b.reduce("max", nans, [2], "float32")), kept, "float32");
      // The last NaN: the first in the windows read backwards.
      const backwards = data(temp(b.strided(nans, { offset: (k - 1) * l, strides: [c * k * l, k * l, -l, 1] }, cols.shape)), cols.shape, "float32");
      const lastNanFromEnd = data(temp(b.argReduce("argmax", backwards, 2)), kept, "int32");
      const int = (v: number) => data(temp(b.full(1, v, "int32")), [], "int32");
      const operands = [anyNan, lastNanFromEnd, first, data(temp(b.fromArray(base)), [1, 1, 1, l], "int32"), int(k), int(kw), int(window.dilation[0] * w), int(window.dilation[1])];
      return b.elementwise(windowPosition, operands, kept, "int32");
    });
  },
  logSoftmax(b, x, axis) {
    return withTemps(b, (temp) => {
      const kept = x.shape.map((s, d) => (d === axis ? 1 : s));
      const m = data(temp(b.reduce("max", x, [axis], x.dtype)), kept, x.dtype);
      const shifted = data(temp(b.elementwise(shiftByMax, [x, m], x.shape, x.dtype)), x.shape, x.dtype);
      const e = data(temp(b.elementwise(opProgram("exp"), [shifted], x.shape, x.dtype)), x.shape, x.dtype);
      const s = data(temp(b.reduce("sum", e, [axis], x.dtype)), kept, x.dtype);
      return b.elementwise(minusLogSum, [shifted, s], x.shape, x.dtype);
    });
  },
  logSoftmaxBackward(b, g, y, axis) {
    return withTemps(b, (temp) => {
      const s = data(temp(b.reduce("sum", g, [axis], g.dtype)), g.shape.map((v, d) => (d === axis ? 1 : v)), g.dtype);
      return b.elementwise(logSoftmaxGrad, [g, y, s], g.shape, g.dtype);
    });
  },
  nllLoss(b, logp, target, ignoreIndex, reduction) {
    return withTemps(b, (temp) => {
      const ignore = scalarOn(b, ignoreIndex, "int32");
      temp(ignore.buf);
      const picked = pickTargets(b, logp, target, ignore, temp);
      const per = b.elementwise(negUnlessIgnored, [target, ignore, picked], target.shape, logp.dtype);
      if (reduction === "none") return per;
      temp(per);
      const all = target.shape.map((_, d) => d);
      const total = data(temp(b.reduce("sum", data(per, target.shape, logp.dtype), all, logp.dtype)), [], logp.dtype);
      if (reduction === "sum") return b.elementwise(opProgram("cast"), [total], [], logp.dtype);
      const count = countTargets(b, target, ignore, logp.dtype, temp);
      return b.elementwise(divide, [total, count], [], logp.dtype);
    });
  },
  nllLossBackward(b, g, target, inShape, ignoreIndex, reduction) {
    return withTemps(b, (temp) => {
      const ignore = scalarOn(b, ignoreIndex, "int32");
      temp(ignore.buf);
      const count = reduction === "mean" ? countTargets(b, target, ignore, g.dtype, temp) : scalarOn(b, 1, g.dtype);
      if (reduction !== "mean") temp(count.buf);
      const w = data(temp(b.elementwise(scaledUnlessIgnored, [target, ignore, g, count], target.shape, g.dtype)), target.shape, g.dtype);
      const at = targetIndex(b, target, ignore, temp);
      const zeros = data(temp(b.full(sizeOf(inShape), 0, g.dtype)), inShape, g.dtype);
      return b.scatterAdd(zeros, inShape.length === 1 ? 0 : 1, at, { ...w, shape: at.shape });
    });
  },
  addmm(b, bias, a, m, outShape, transA, transB) {
    return withTemps(b, (temp) => {
      const product = data(temp(b.matmul(a, m, outShape, transA, transB)), outShape, a.dtype);
      return b.elementwise(opProgram("add"), [product, bias], outShape, a.dtype);
    });
  },
  adamUpdate(b, p, g, m, v, vmax, h) {
    withTemps(b, (temp) => {
      const dt = p.dtype;
      const s = (value: number) => data(temp(b.full(1, value, dt)), [], dt);
      const like = (buf: DataBuf) => data(buf, p.shape, dt);
      const m2 = temp(b.elementwise(adamMoment, [like(m), g, s(h.beta1), s(1 - h.beta1)], p.shape, dt));
      b.assign(m, like(m2));
      const v2 = temp(b.elementwise(adamSecond, [like(v), g, s(h.beta2), s(1 - h.beta2)], p.shape, dt));
      b.assign(v, like(v2));
      let second = v;
      if (vmax !== null) {
        b.assign(vmax, like(temp(b.elementwise(opProgram("maximum"), [like(vmax), like(v)], p.shape, dt))));
        second = vmax;
      }
      const p2 = temp(b.elementwise(adamParam, [p, like(m), like(second), s(h.stepSize), s(h.biasCorrection2Sqrt), s(h.eps)], p.shape, dt));
      b.assign(p.buf, like(p2));
    });
  },
  cumulative: cumulativeFallback,
  cumulativeIndex: cumulativeIndexFallback,
  argsort: argsortFallback,
  scatterReduce: scatterReduceFallback,
  unfoldNd(b, x, window, outShape) {
    void outShape; // [N, C·∏k, ∏o] is [N, C, ...k, ...o] laid out row-major
    return withTemps(b, (temp) => {
      const canvas = canvasNd(b, x, window, temp);
      const { view, shape } = windowsViewNd(x.shape, window, canvas.extent);
      return b.strided(data(canvas.buf, x.shape, x.dtype), view, shape);
    });
  },
  foldNd(b, cols, window, outShape) {
    const [n, c] = outShape as [number, number];
    const extent = canvasExtent(outShape.slice(2), window);
    const canvasShape = [n, c, ...extent];
    return withTemps(b, (temp) => {
      const canvas = temp(b.full(sizeOf(canvasShape), 0, cols.dtype));
      const { view, shape } = windowsViewNd(outShape, window, extent);
      b.scatterStrided(canvas, { ...cols, shape }, view, true);
      const cs = stridesOf(canvasShape);
      const offset = window.padBefore.reduce((o, p, d) => o + p * cs[2 + d]!, 0);
      return b.strided(data(canvas, canvasShape, cols.dtype), { offset, strides: cs }, outShape);
    });
  },
  // The 2-D composite's method in any number of dims: the windows from `unfoldNd`, each window's winner by
  // reductions, and its position in the plane decoded from its place in the window.
  maxPoolNdIndices(b, x, window, outShape) {
    const [n, c] = x.shape as [number, number];
    const spatial = x.shape.slice(2), outs = outShape.slice(2);
    const dims = spatial.length;
    const k = sizeOf(window.kernel), l = sizeOf(outs);
    const planeStrides = stridesOf(spatial);
    const dt = x.dtype;
    return withTemps(b, (temp) => {
      const cols = data(temp(FALLBACKS.unfoldNd(b, x, window, [n, c * k, l])), [n, c, k, l], dt);
      const inside = new Uint8Array(k * l);
      const base = new Int32Array(l);
      const o = new Array<number>(dims).fill(0);
      for (let j = 0; j < l; j++) {
        let rest = j;
        for (let d = dims - 1; d >= 0; d--) {
          o[d] = rest % outs[d]!;
          rest = Math.floor(rest / outs[d]!);
        }
        base[j] = o.reduce((sum, od, d) => sum + (od * window.stride[d]! - window.padBefore[d]!) * planeStrides[d]!, 0);
        for (let kk = 0; kk < k; kk++) {
          let r = kk, ok = true;
          for (let d = dims - 1; d >= 0; d--) {
            const at = o[d]! * window.stride[d]! - window.padBefore[d]! + (r % window.kernel[d]!) * window.dilation[d]!;
            r = Math.floor(r / window.kernel[d]!);
            if (at < 0 || at >= spatial[d]!) ok = false;
          }
          inside[kk * l + j] = Number(ok);
        }
      }
      const valid = data(temp(b.fromArray(inside)), [k, l], "bool");
      const lowest = data(temp(b.full(1, dt === "int32" ? -2147483648 : -Infinity, dt)), [], dt);
      const kept = [n, c, 1, l];
      const masked = data(temp(b.elementwise(opProgram("where"), [valid, cols, lowest], cols.shape, dt)), cols.shape, dt);
      const largest = data(temp(b.reduce("max", masked, [2], dt)), kept, dt);
      const isLargest = data(temp(b.elementwise(largestInWindow, [valid, cols, largest], cols.shape, "float32")), cols.shape, "float32");
      const first = data(temp(b.argReduce("argmax", isLargest, 2)), kept, "int32");
      const nans = data(temp(b.elementwise(nanInWindow, [valid, cols], cols.shape, "float32")), cols.shape, "float32");
      const anyNan = data(temp(b.reduce("max", nans, [2], "float32")), kept, "float32");
      const backwards = data(temp(b.strided(nans, { offset: (k - 1) * l, strides: [c * k * l, k * l, -l, 1] }, cols.shape)), cols.shape, "float32");
      const lastNanFromEnd = data(temp(b.argReduce("argmax", backwards, 2)), kept, "int32");
      const int = (v: number) => data(temp(b.full(1, v, "int32")), [], "int32");
      const operands = [
        anyNan, lastNanFromEnd, first, data(temp(b.fromArray(base)), [1, 1, 1, l], "int32"), int(k),
        ...window.kernel.map(int), ...window.dilation.map((dil, d) => int(dil * planeStrides[d]!)),
      ];
      return b.elementwise(windowPositionNd(dims), operands, kept, "int32"); // [N, C, 1, ∏o]: outShape's elements in its order
    });
  },
  // Dense linear algebra is sequential work on small matrices: the host kernels (linalg/batched.ts) on the data read
  // back, where the backend can read synchronously.
  linalgSolve: (b, a, rhs, check) => onHost(b, "linalgSolve", [a, rhs], ([x, y]) => linalg.solve(x!, a.shape, y!, rhs.shape, check, a.dtype)),
  linalgSolveTriangular: (b, a, rhs, upper, unit) =>
    onHost(b, "linalgSolveTriangular", [a, rhs], ([x, y]) => linalg.solveTriangular(x!, a.shape, y!, rhs.shape, upper, unit, a.dtype)),
  linalgDet: (b, a) => onHost(b, "linalgDet", [a], ([x]) => linalg.determinant(x!, a.shape, false, a.dtype)),
  linalgSlogdet: (b, a) => onHost(b, "linalgSlogdet", [a], ([x]) => linalg.determinant(x!, a.shape, true, a.dtype)),
  linalgCholesky: (b, a) => onHost(b, "linalgCholesky", [a], ([x]) => linalg.choleskyBatched(x!, a.shape, a.dtype)),
  linalgQr: (b, a, complete) => onHost(b, "linalgQr", [a], ([x]) => linalg.qr(x!, a.shape, complete, a.dtype)),
  linalgEigh: (b, a, upper) => onHost(b, "linalgEigh", [a], ([x]) => linalg.eigh(x!, a.shape, upper, a.dtype)),
  linalgSvd: (b, a, full) => onHost(b, "linalgSvd", [a], ([x]) => linalg.svd(x!, a.shape, full, a.dtype)),
  attention: attentionFallback,
  attentionBackward: attentionBackwardFallback,
  gelu: (b, x) => b.elementwise(geluProgram, [x], x.shape, x.dtype),
  geluBackward: (b, g, x) => b.elementwise(geluGradProgram, [g, x], x.shape, x.dtype),
  layerNorm: layerNormFallback,
};

// Runs a host kernel on `inputs` read back from the backend, its result moved onto the backend.
function onHost(b: CompleteBackend, method: string, inputs: readonly TensorData[], kernel: (arrays: TypedArray[]) => TypedArray): DataBuf {
  if (b.readSync === undefined) {
    throw new ArgumentError(`${method}: the ${b.name} backend reads its memory only asynchronously and has no kernel of its own for this linear-algebra op; compute it on the cpu: move the operands with \`await x.toAsync("cpu")\` (a move is not recorded for autograd) and the result back with \`await y.toAsync("${b.name}")\``);
  }
  return b.fromArray(kernel(inputs.map((t) => b.readSync!(t.buf, t.dtype, sizeOf(t.shape)))));
}

// How far the padded image reaches along each spatial dim: the padding before, the image, and whichever reaches
// further of the padding after and the image's own end (a negative padAfter stops the windows short of it).
function canvasExtent(spatial: Shape, window: WindowNd): number[] {
  return spatial.map((size, d) => window.padBefore[d]! + size + Math.max(window.padAfter[d]!, 0));
}

// The image inside a canvas of `padValue` reaching `extent` (the image itself where nothing is padded).
function canvasNd(b: CompleteBackend, x: TensorData, window: WindowNd, temp: (buf: DataBuf) => DataBuf): { buf: DataBuf; extent: number[] } {
  const spatial = x.shape.slice(2);
  const extent = canvasExtent(spatial, window);
  if (extent.every((e, d) => e === spatial[d])) return { buf: x.buf, extent };
  const canvasShape = [x.shape[0]!, x.shape[1]!, ...extent];
  const cs = stridesOf(canvasShape);
  const buf = temp(b.full(sizeOf(canvasShape), window.padValue, x.dtype));
  const offset = window.padBefore.reduce((o, p, d) => o + p * cs[2 + d]!, 0);
  b.scatterStrided(buf, x, { offset, strides: cs }, false);
  return { buf, extent };
}

// The windows of a canvas as one strided view [N, C, ...kernel, ...out]: im2col's layout, read in one pass.
function windowsViewNd(shape: Shape, window: WindowNd, extent: readonly number[]): { view: StridedView; shape: number[] } {
  const [n, c] = shape as [number, number];
  const cs = stridesOf([n, c, ...extent]);
  const outs = windowNdOut(shape.slice(2), window);
  const strides = [cs[0]!, cs[1]!, ...window.dilation.map((dil, d) => dil * cs[2 + d]!), ...window.stride.map((st, d) => st * cs[2 + d]!)];
  return { view: { offset: 0, strides }, shape: [n, c, ...window.kernel, ...outs] };
}

// A window's winner as a position in its plane (see maxPoolNdIndices): the last NaN where there is one, else the
// first largest, decoded dim by dim from the last (int32 division truncates, and positions are >= 0).
const positionPrograms = new Map<number, Program>();
function windowPositionNd(dims: number): Program {
  let program = positionPrograms.get(dims);
  if (program === undefined) {
    program = makeProgram("maxPoolNdIndices", 5 + 2 * dims, (...inputs) => {
      const [anyNan, lastNanFromEnd, first, origin, k] = inputs as [Expr, Expr, Expr, Expr, Expr];
      let rest = select(anyNan.gt(0), k.sub(1).sub(lastNanFromEnd), first);
      let position = origin;
      for (let d = dims - 1; d >= 0; d--) {
        const size = inputs[5 + d]!, step = inputs[5 + dims + d]!;
        const quotient = rest.div(size);
        position = position.add(rest.sub(quotient.mul(size)).mul(step));
        rest = quotient;
      }
      return position;
    });
    positionPrograms.set(dims, program);
  }
  return program;
}

// The target as an index into `logp` along its class dim (0 where ignored), shaped with that dim as 1.
function targetIndex(b: CompleteBackend, target: TensorData, ignore: TensorData, temp: (buf: DataBuf) => DataBuf): TensorData {
  const shape = target.shape.length === 0 ? [1] : [target.shape[0]!, 1, ...target.shape.slice(1)];
  return data(temp(b.elementwise(safeTarget, [target, ignore], target.shape, "int32")), shape, "int32");
}

// `logp` at each target (0-index where ignored), shaped as the target.
function pickTargets(b: CompleteBackend, logp: TensorData, target: TensorData, ignore: TensorData, temp: (buf: DataBuf) => DataBuf): TensorData {
  const at = targetIndex(b, target, ignore, temp);
  return data(temp(b.gather(logp, logp.shape.length === 1 ? 0 : 1, at)), target.shape, logp.dtype);
}

function countTargets(b: CompleteBackend, target: TensorData, ignore: TensorData, dtype: DType, temp: (buf: DataBuf) => DataBuf): TensorData {
  const flags = data(temp(b.elementwise(counted, [target, ignore], target.shape, dtype)), target.shape, dtype);
  return data(temp(b.reduce("sum", flags, target.shape.map((_, d) => d), dtype)), [], dtype);
}

const ACCELERATED = Object.keys(FALLBACKS) as AcceleratedMethod[];

/** The accelerated methods' names: those a backend may leave to the composites here. */
export const ACCELERATED_METHODS: readonly AcceleratedMethod[] = ACCELERATED;

/**
 * `backend` with every accelerated method it lacks composed from its core: the object tensors use. Its methods
 * call each other through it, so a method patched on it (a captured graph records calls) is seen by all.
 */
export function complete(backend: Backend): CompleteBackend {
  const full = backend as CompleteBackend;
  for (const name of ACCELERATED) {
    if (full[name] !== undefined) continue;
    const fallback = FALLBACKS[name] as (b: CompleteBackend, ...args: unknown[]) => never;
    const method = (...args: unknown[]): never => fallback(full, ...args);
    composed.add(method);
    (full as unknown as Record<string, unknown>)[name] = method;
  }
  return full;
}

const composed = new WeakSet<object>();

/** The accelerated methods `backend` has kernels of its own for (the coverage table lists them). */
export function acceleratedMethods(backend: Backend): AcceleratedMethod[] {
  return ACCELERATED.filter((name) => backend[name] !== undefined && !isFallback(backend, name));
}

function isFallback(backend: Backend, name: AcceleratedMethod): boolean {
  const fn = backend[name];
  return fn !== undefined && composed.has(fn);
}

/** The core alone of `backend` (every accelerated method removed), completed by the fallbacks: for tests. */
export function coreOnly(backend: Backend, name = `${backend.name}-core`): CompleteBackend {
  const core: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(backend)) if (!(ACCELERATED as string[]).includes(key)) core[key] = value;
  core.name = name;
  return complete(core as unknown as Backend);
}
