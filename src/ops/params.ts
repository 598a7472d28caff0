// The parameter types kernels take besides their tensors, shared by the op registry and the backend seam.

export type ReduceOp = "sum" | "prod" | "max" | "min";

/** How nllLoss reduces the per-target losses: their mean over the targets that count, their sum, or none. */
export type LossReduction = "mean" | "sum" | "none";

/** A 2-D sliding window over `[N, C, H, W]` (convolution and pooling), sizes as [height, width]. */
export interface Window2d {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** What the padding reads as: 0 for convolution, -Infinity for max pooling. */
  readonly padValue: number;
}

/**
 * A strided view of a buffer: the element at multi-index i (over the view's shape) is element
 * `offset + Σ i[d]·strides[d]` of the buffer. Strides may be 0 (a broadcast) and views may overlap
 * (sliding windows); every view op (permute, expand, slice, diagonal, unfold) is one.
 */
export interface StridedView {
  /** The buffer position of the view's first element. */
  readonly offset: number;
  /** The buffer step for one step along each dim of the view. */
  readonly strides: readonly number[];
}

/** The scalars of one fused Adam step (see `AcceleratedMethods.adamUpdate`). */
export interface AdamHyper {
  readonly beta1: number;
  readonly beta2: number;
  /** lr / (1 − β1ᵗ). */
  readonly stepSize: number;
  /** √(1 − β2ᵗ). */
  readonly biasCorrection2Sqrt: number;
  readonly eps: number;
}

/** A running reduction along a dim (`AcceleratedMethods.cumulative`): cumsum, cumprod, logcumsumexp. */
export type ScanOp = "sum" | "prod" | "logsumexp";

/**
 * How `AcceleratedMethods.scatterReduce` combines the values scattered to one position: `assign` (the last one
 * written wins, as PyTorch's scatter), or a reduction (PyTorch's scatter_reduce).
 */
export type ScatterOp = "assign" | "sum" | "prod" | "mean" | "amax" | "amin";
/**
 * A sliding window over `[N, C, ...spatial]` with any number of spatial dims (`kernel.length` of them): the
 * N-d form of `Window2d`, with the padding given per side, so a window may run past the end (pooling's
 * `ceilMode`), pad one side more (`padding: "same"` with an even kernel), or stop short of it (a negative
 * `padAfter`: a transposed convolution's `outputPadding`).
 */
export interface WindowNd {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  /** Padding before each spatial dim (the top, the left, the front). */
  readonly padBefore: readonly number[];
  /** Padding after each spatial dim: it only decides how many windows fit. */
  readonly padAfter: readonly number[];
  readonly dilation: readonly number[];
  /** What the padding reads as: 0 for convolution, -Infinity for max pooling. */
  readonly padValue: number;
}
