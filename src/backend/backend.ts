// The backend seam: what a backend implements to run chainrule's ops. Backends know buffers, shapes and dtypes,
// never autograd nor tensors. See CONTRIBUTING.md, "Add a backend".
import type { ComputeDType as DType, TypedArray } from "../dtype.js";
import type { Program } from "../ops/program.js";
import type { AdamHyper, LossReduction, ReduceOp, StridedView, Window2d } from "../ops/params.js";
import type { ScanOp, ScatterOp } from "../ops/params.js";
import type { Shape } from "../shape.js";
import type { WindowNd } from "../ops/params.js";
import type { AttentionParams } from "../ops/attention-params.js";
import type { LayerNormParams } from "../ops/layer-norm-params.js";

export type { AdamHyper, LossReduction, ReduceOp, StridedView, Window2d };
export type { ScanOp, ScatterOp };
export type { WindowNd };
export type { AttentionParams };

/** A backend's handle to tensor memory (a typed array on `cpu`, a heap region on `wasm`). Opaque above the seam. */
export type DataBuf = object;

/** A contiguous, row-major tensor as a kernel sees it. */
export interface TensorData {
  /** The backend's handle to the elements. */
  readonly buf: DataBuf;
  /** The sizes, row-major and contiguous. */
  readonly shape: Shape;
  /** The element type, which says how `buf`'s memory is read. */
  readonly dtype: DType;
}

/** A recorded call's kernel work, redone without its JavaScript (see `BackendCore.captureKernels`). */
export interface KernelPlan {
  run(): void;
  /** Frees what the plan reserved (its scratch memory). */
  dispose(): void;
}

/**
 * The backend core: what every backend implements, and all a backend needs for every op of chainrule to run on
 * it. Inputs are contiguous and row-major; kernels return new buffers and never change their inputs, except
 * `assign` and `scatterStrided`, which write into `dst`. Memory is the backend's own: the tensor layer calls
 * `release` when no tensor uses a buffer any more.
 */
export interface BackendCore {
  /** The name it is registered and chosen by (`cr.setBackend(name)`, `tensor.device`): `"cpu"`, `"wasm"`, `"webgpu"`. */
  readonly name: string;

  // ---- memory ----
  /** Moves host data into backend memory; the backend may keep `data` itself, so the caller must not change it afterwards. */
  fromArray(data: TypedArray): DataBuf;
  /** Reads `size` elements of `dtype` back into host memory, as a new typed array. Every backend has it. */
  read(buf: DataBuf, dtype: DType, size: number): Promise<TypedArray>;
  /** `read`, synchronously: only where the memory is in (or next to) host memory. GPU backends leave it out. */
  readSync?(buf: DataBuf, dtype: DType, size: number): TypedArray;
  /** The buffer's memory as a typed array without copying, where the backend keeps it in host memory. */
  view?(buf: DataBuf): TypedArray;
  /** A buffer of `size` elements of `dtype`, every one equal to `value`. */
  full(size: number, value: number, dtype: DType): DataBuf;
  /** Copies `src` into `dst` (same size and dtype) in place. */
  assign(dst: DataBuf, src: TensorData): void;
  /**
   * Called by the tensor layer when no tensor uses `buf` any more (scopes, `dispose()`): the backend may reuse its
   * memory at once. Absent where the garbage collector is enough (memory the JavaScript heap owns).
   */
  release?(buf: DataBuf): void;
  /** Whether `buf` lives in memory only `release` frees (not the JavaScript heap's): the tensor layer then releases it when its tensors are collected. */
  ownsMemory?(buf: DataBuf): boolean;

  // ---- compute ----
  /**
   * Runs an elementwise program (ops/program.ts: the registry's ops composed into one expression) over `inputs`,
   * each broadcast to `outShape` (NumPy rules), writing `outDtype`. Each op's result is rounded to its operands'
   * dtype before the next reads it (float32 math stays float32), so fusing a chain into one program gives the
   * bits of running its ops one by one. A bool result is 1 where the value is non-zero.
   */
  elementwise(program: Program, inputs: readonly TensorData[], outShape: Shape, outDtype: DType): DataBuf;
  /** Reduces over `axes` (sorted, distinct); the result has shape `x.shape` with those axes set to 1. */
  reduce(op: ReduceOp, x: TensorData, axes: readonly number[], outDtype: DType): DataBuf;
  /** Index (int32) of the first maximum or minimum along `axis`; the result keeps that axis as 1. */
  argReduce(op: "argmax" | "argmin", x: TensorData, axis: number): DataBuf;
  /**
   * Batched matrix product of `[...batchA, m, k]` and `[...batchB, k, n]`, batch dims broadcast to `outShape`.
   * With `transA` (`transB`) the operand is stored with its last two dims swapped and used transposed.
   * An `outShape` of just `[m, n]` for operands with batch dims asks for the products summed over their
   * (broadcast) batch: a broadcast weight's gradient, without storing every product.
   */
  matmul(a: TensorData, b: TensorData, outShape: Shape, transA?: boolean, transB?: boolean): DataBuf;
  /** A contiguous copy of the strided view `view` of `x`'s buffer, of shape `outShape`. */
  strided(x: TensorData, view: StridedView, outShape: Shape): DataBuf;
  /**
   * Writes `src` (of the view's shape) into the strided view `view` of `dst`, in place: `dst[view(i)] = src[i]`, or
   * with `accumulate`, `dst[view(i)] += src[i]` (overlapping positions add up). The adjoint of `strided`.
   */
  scatterStrided(dst: DataBuf, src: TensorData, view: StridedView, accumulate: boolean): void;
  /** `out[i][j][k] = x[i][index[i][j][k]][k]` for dim 1, and so on (PyTorch's `gather`); an index out of range throws an IndexError. */
  gather(x: TensorData, dim: number, index: TensorData): DataBuf;
  /** A copy of `base` with `src` added at `index` along `dim` (PyTorch's `scatter_add`). */
  scatterAdd(base: TensorData, dim: number, index: TensorData, src: TensorData): DataBuf;

  // ---- deferred work and captured graphs (optional) ----
  /**
   * Computes `bufs` now where the backend defers work (wasm's fused elementwise chains are computed when
   * read), together where it can; absent where every kernel computes when called.
   */
  evaluate?(bufs: readonly DataBuf[]): void;
  /**
   * Runs `fn` with every kernel computing when it is called, where the backend otherwise defers work: a captured
   * graph records calls and replays them, and work deferred to whatever reads it first would not replay.
   */
  computeEagerly?<T>(fn: () => T): T;
  /**
   * For captured graphs (tensor/capture.ts): runs `call`, this backend's method `method` on `args`, the buffers a
   * replay uses, and returns its result with a plan that redoes its kernel work alone on the same memory, leaving
   * the result in `target` (the buffer the recorded call returned), or null where the call did more than that
   * (`retry`: ask again at the next replay). Absent where a replay always calls the method.
   */
  captureKernels?(method: string, args: readonly unknown[], call: () => unknown, target: unknown): { result: unknown; plan: KernelPlan | null; retry?: boolean };
}

/**
 * Faster ways to do what the core can do: a backend implements the ones it has kernels for, and the library
 * composes the rest from the core (fallbacks.ts). Each says what it computes; the composite computes the same.
 */
export interface AcceleratedMethods {
  /** Reorders dims: output dim i is input dim `perm[i]`. */
  permute(x: TensorData, perm: readonly number[]): DataBuf;
  /** Broadcasts `x` to `outShape` (NumPy rules), copying. */
  expand(x: TensorData, outShape: Shape): DataBuf;
  /** Strided read: output element at index i is input at `starts[d] + i[d] * steps[d]` per dim. */
  slice(x: TensorData, starts: readonly number[], steps: readonly number[], outShape: Shape): DataBuf;
  /** The adjoint of `slice`: zeros of `inShape` with `src` added at the sliced positions. */
  sliceBackward(src: TensorData, inShape: Shape, starts: readonly number[], steps: readonly number[]): DataBuf;
  /** Concatenates along `axis`. */
  cat(xs: readonly TensorData[], axis: number, outShape: Shape): DataBuf;
  /** Picks the slices `index` (1-D int32) along `dim`. */
  indexSelect(x: TensorData, dim: number, index: TensorData): DataBuf;
  /** A copy of `base` with slice j of `src` added at slice `index[j]` along `dim` (PyTorch's `index_add`). */
  indexAdd(base: TensorData, dim: number, index: TensorData, src: TensorData): DataBuf;
  /** im2col: `[N, C, H, W]` → `[N, C·kh·kw, L]`, one column per window position (PyTorch's `unfold`). */
  unfold(x: TensorData, window: Window2d, outShape: Shape): DataBuf;
  /** col2im, the adjoint of `unfold`: `[N, C·kh·kw, L]` → `outShape` `[N, C, H, W]`, summing overlaps. */
  fold(cols: TensorData, window: Window2d, outShape: Shape): DataBuf;
  /**
   * Max pooling's winners: `[N, C, H, W]` → int32 `outShape` `[N, C, oh, ow]`, each the flat index (iy·W + ix)
   * within its plane of its window's largest in-image element: the first in window order, or the last NaN
   * (PyTorch's max_pool2d indices). Padding never wins.
   */
  maxPool2dIndices(x: TensorData, window: Window2d, outShape: Shape): DataBuf;
  /**
   * `x − log Σ exp x` along `axis` (floating dtypes), shifted by each slice's maximum (by 0 where that is
   * infinite) so it never overflows: PyTorch's log_softmax. Same shape as `x`.
   */
  logSoftmax(x: TensorData, axis: number): DataBuf;
  /** logSoftmax's gradient from the output `y` (same shape as `g`): `g − exp(y)·Σ g` along `axis` (PyTorch's _log_softmax_backward_data). */
  logSoftmaxBackward(g: TensorData, y: TensorData, axis: number): DataBuf;
  /**
   * Negative log likelihood of log-probabilities `logp` (`[N, C, d1, …]`, or `[C]`) at int32 class indices
   * `target` (`[N, d1, …]`, or `[]`): `−logp[n, target[n, …], …]`, 0 where the target is `ignoreIndex`; their
   * mean over the targets that count, their sum, or none (`target`'s shape). A target outside [0, C) that is
   * not `ignoreIndex` throws an IndexError.
   */
  nllLoss(logp: TensorData, target: TensorData, ignoreIndex: number, reduction: LossReduction): DataBuf;
  /**
   * nllLoss's gradient (its adjoint, being linear in `logp`): zeros of `inShape` with `−g` (divided by the count
   * of targets that count, for "mean") at each counted target's position; `g` is a scalar, or `target`'s shape for "none".
   */
  nllLossBackward(g: TensorData, target: TensorData, inShape: Shape, ignoreIndex: number, reduction: LossReduction): DataBuf;
  /**
   * `bias` (n elements) added to every row of the product of the matrices `a` [m, k] and `b` [k, n] (transposed
   * where flagged, as for matmul): PyTorch's addmm with a 1-D input, a linear layer. The product is complete before
   * the bias is added, so the bits are those of matmul then add; a backend adds it while the rows are in cache.
   */
  addmm(bias: TensorData, a: TensorData, b: TensorData, outShape: Shape, transA: boolean, transB: boolean): DataBuf;
  /**
   * One Adam step in place on `param` and its moments (and AMSGrad's running maximum when given), every
   * buffer of `param`'s floating dtype and size, in the order and precision of the unfused ops:
   * m = m·β1 + g·(1−β1); v = v·β2 + (g·(1−β2))·g; [v̂ = max(v̂, v)]; p = p − (m·stepSize) / (√v̂ / bc2sqrt + eps).
   */
  adamUpdate(param: TensorData, grad: TensorData, expAvg: DataBuf, expAvgSq: DataBuf, maxExpAvgSq: DataBuf | null, h: AdamHyper): void;
  /**
   * The running sum, product or log-sum-exp along `axis` (PyTorch's cumsum, cumprod, logcumsumexp), same shape and
   * dtype as `x` (int32 wraps as int32 math does). Log-sum-exp combines as PyTorch's: `log1p(exp(lo − hi)) + hi`,
   * NaN propagating and equal infinities kept.
   */
  cumulative(op: ScanOp, x: TensorData, axis: number): DataBuf;
  /**
   * The index (int32) of the running maximum or minimum along `axis` (PyTorch's cummax/cummin indices): a later
   * element equal to the running extreme takes over, and so does every NaN, which no number displaces.
   */
  cumulativeIndex(op: "max" | "min", x: TensorData, axis: number): DataBuf;
  /**
   * The permutation (int32, same shape) that sorts each slice along `axis`: ascending or descending, stable (equal
   * elements keep their order), NaN larger than every number (last ascending, first descending), −0 equal to 0.
   */
  argsort(x: TensorData, axis: number, descending: boolean): DataBuf;
  /**
   * A copy of `base` with `src` scattered at `index` along `dim` (`index` as for `scatterAdd`; `src` at least as
   * large): `assign` writes (the last write to a position wins, PyTorch's scatter); the reductions combine the
   * values sent to a position with its own (`includeSelf`) or without it, as PyTorch's scatter_reduce (mean
   * rounds down for int32; NaN wins amax and amin). An index out of range throws an IndexError and writes nothing.
   */
  scatterReduce(base: TensorData, dim: number, index: TensorData, src: TensorData, op: ScatterOp, includeSelf: boolean): DataBuf;
  /**
   * im2col over any number of spatial dims: `[N, C, ...s]` → `[N, C·∏kernel, ∏o]`, one column per window position
   * (positions and kernel offsets in row-major order), padding read as `window.padValue`. `unfold` for 1-D, 3-D
   * and windows padded unevenly; `o` per dim is `windowNdOut` (ops/window-nd.ts).
   */
  unfoldNd(x: TensorData, window: WindowNd, outShape: Shape): DataBuf;
  /** col2im over any number of spatial dims, the adjoint of `unfoldNd`: `[N, C·∏kernel, ∏o]` → `outShape` `[N, C, ...s]`, summing overlaps. */
  foldNd(cols: TensorData, window: WindowNd, outShape: Shape): DataBuf;
  /**
   * Max pooling's winners over any number of spatial dims: `[N, C, ...s]` → int32 `outShape` `[N, C, ...o]`, each the
   * row-major flat index within its `s` plane of its window's largest in-image element: the first in window order,
   * or the last NaN (PyTorch's max_pool indices). Padding never wins; every window must hold an in-image element.
   */
  maxPoolNdIndices(x: TensorData, window: WindowNd, outShape: Shape): DataBuf;
  /**
   * X solving A X = B for square `a` `[*, n, n]` and `b` `[*, n, k]` (the same batch dims), by LU with partial
   * pivoting: `[*, n, k]`. A singular A (an exactly zero pivot) throws a LinAlgError naming the batch element, or
   * with `check` false gives what the substitution gives (infinities, NaN). Floating dtypes; computed in float64.
   */
  linalgSolve(a: TensorData, b: TensorData, check: boolean): DataBuf;
  /** X solving A X = B by substitution, A `[*, n, n]` triangular (its `upper` or lower triangle read; its diagonal taken as ones with `unitriangular`), B `[*, n, k]`. */
  linalgSolveTriangular(a: TensorData, b: TensorData, upper: boolean, unitriangular: boolean): DataBuf;
  /** Each matrix's determinant, `[*, n, n]` → `[*]` (from its LU). */
  linalgDet(a: TensorData): DataBuf;
  /** Each matrix's sign of the determinant and log of its absolute value, `[*, n, n]` → `[*, 2]`. */
  linalgSlogdet(a: TensorData): DataBuf;
  /** The lower Cholesky factor L (A = L Lᵀ) of each matrix, its lower triangle read; one not positive-definite throws a LinAlgError. */
  linalgCholesky(a: TensorData): DataBuf;
  /**
   * Householder QR of each matrix `[*, m, n]`, LAPACK's signs: Q `[m, q]` then R `[q, n]` packed per matrix into
   * `[*, m·q + q·n]`, q = min(m, n), or m with `complete`.
   */
  linalgQr(a: TensorData, complete: boolean): DataBuf;
  /**
   * Eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix `[*, n, n]`, its `upper` or lower
   * triangle read, packed per matrix as `[n + 1, n]`: the values, then the vectors.
   */
  linalgEigh(a: TensorData, upper: boolean): DataBuf;
  /**
   * SVD of each matrix `[*, m, n]`: U `[m, p]`, the singular values S `[k]` (descending) and Vh `[q, n]` packed per
   * matrix, k = min(m, n) and p = q = k, or with `fullMatrices` p = m and q = n.
   */
  linalgSvd(a: TensorData, fullMatrices: boolean): DataBuf;
  /**
   * Fused scaled-dot-product attention, softmax(q·kᵀ·scale + bias)·v, for q `[*, L, E]`, k `[*, S, E]`, v
   * `[*, S, Ev]` (one batch shape) and an optional additive `bias` broadcasting to the scores `[*, L, S]`
   * (−∞ masks; `causal` masks key j > query i): the output `[*, L, Ev]` then the row logsumexps `[*, L]`,
   * packed in one buffer. A row with every key masked gives zeros and a logsumexp of −∞.
   */
  attention(q: TensorData, k: TensorData, v: TensorData, bias: TensorData | null, p: AttentionParams): DataBuf;
  /** attention's gradients dq, dk, dv packed one after the other, from the output's gradient `g` and attention's packed result. */
  attentionBackward(g: TensorData, q: TensorData, k: TensorData, v: TensorData, saved: TensorData, bias: TensorData | null, p: AttentionParams): DataBuf;
  /** The exact GELU `x·Φ(x)` of a floating `x`, elementwise (PyTorch's `gelu(x, approximate="none")`). */
  gelu(x: TensorData): DataBuf;
  /** GELU's gradient `g·(Φ(x) + x·φ(x))` for the gradient `g` of its output, elementwise (g and x of one shape). */
  geluBackward(g: TensorData, x: TensorData): DataBuf;
  /**
   * Layer normalisation of a floating `x` seen as rows of `p.size` contiguous elements: each row's
   * `(x − mean)/√(var + eps)` with the biased variance, times `weight` and plus `bias` (`p.size` elements each)
   * where given; the result has `x`'s shape (PyTorch's `layer_norm`'s output, its statistics not returned).
   */
  layerNorm(x: TensorData, weight: TensorData | null, bias: TensorData | null, p: LayerNormParams): DataBuf;
}

/** The names of the accelerated methods, for the fallbacks' table and the coverage table. */
export type AcceleratedMethod = keyof AcceleratedMethods;

/** A backend as written: the core, and whichever accelerated methods it has. */
export type Backend = BackendCore & Partial<AcceleratedMethods>;

/** A backend with every method (its own, or the core's composites): what the library calls. */
export type CompleteBackend = BackendCore & AcceleratedMethods;
