// The ops that are not elementwise (reductions, products, data movement, indexing, the fused loss kernels): their
// parameters and what runs them. The autograd primitive table is keyed by these names (a missing rule is a
// compile error), and the op-coverage table in the docs is generated from this list and the elementwise one.
import type { DType } from "../dtype.js";
import type { Shape } from "../shape.js";
import type { LossReduction, Window2d } from "./params.js";
import type { ScanOp, ScatterOp } from "./params.js";
import type { WindowNd } from "./params.js";
import type { AttentionParams } from "./attention-params.js";
import type { LayerNormPrimitiveParams } from "./layer-norm-params.js";

interface ReduceParams { axes: readonly number[]; keepdim: boolean }
interface SliceParams { starts: readonly number[]; steps: readonly number[]; outShape: Shape; inShape: Shape }
interface NllParams { ignoreIndex: number; reduction: LossReduction }
interface WindowParams { window: Window2d; outShape: Shape; inShape: Shape }
/** A strided view of the input's elements (see StridedView): shape, strides and offset in elements; inShape is the input's. */
interface AsStridedParams { shape: Shape; strides: readonly number[]; offset: number; inShape: Shape }
/**
 * An operand flagged `trans` is stored with its last two dims swapped: the product uses its transpose without
 * copying it. `sumBatch`: the products over the operands' (broadcast) batch dims summed into one [m, n] result.
 */
interface MatmulParams { transA: boolean; transB: boolean; sumBatch?: boolean }

/** Every structural op and the parameters it takes besides its tensor inputs. */
export interface StructuralParams {
  sum: ReduceParams & { dtype: DType };
  amax: ReduceParams;
  amin: ReduceParams;
  argmax: { axis: number; keepdim: boolean };
  argmin: { axis: number; keepdim: boolean };
  logSoftmax: { axis: number };
  logSoftmaxBackward: { axis: number };
  nllLoss: NllParams;
  nllLossBackward: NllParams & { inShape: Shape };
  matmul: MatmulParams;
  addmm: { transA: boolean; transB: boolean };
  reshape: { shape: Shape };
  permute: { perm: readonly number[] };
  expand: { shape: Shape };
  slice: SliceParams;
  sliceBackward: SliceParams;
  cat: { axis: number };
  asStrided: AsStridedParams;
  asStridedBackward: AsStridedParams;
  unfold: WindowParams;
  fold: WindowParams;
  maxPool2dIndices: { window: Window2d; outShape: Shape };
  gather: { dim: number };
  scatterAdd: { dim: number };
  indexSelect: { dim: number };
  indexAdd: { dim: number };
  prod: { axis: number; keepdim: boolean };
  cumsum: { axis: number };
  cumprod: { axis: number };
  logcumsumexp: { axis: number };
  cumulativeIndex: { op: "max" | "min"; axis: number };
  argsort: { axis: number; descending: boolean };
  selectAll: { op: "max" | "min" | "median" };
  vectorNorm: { ord: number; axes: readonly number[]; keepdim: boolean };
  scatterReduce: { dim: number; op: ScatterOp; includeSelf: boolean };
  unfoldNd: WindowNdParams;
  foldNd: WindowNdParams;
  maxPoolNdIndices: { window: WindowNd; outShape: Shape };
  linalgSolve: { check: boolean };
  linalgSolveTriangular: { upper: boolean; unitriangular: boolean };
  linalgDet: Record<string, never>;
  linalgSlogdet: Record<string, never>;
  linalgCholesky: Record<string, never>;
  linalgQr: { mode: "reduced" | "complete" | "r" };
  linalgEigh: { upper: boolean };
  linalgSvd: { fullMatrices: boolean };
  attention: AttentionParams;
  attentionBackward: AttentionParams;
  gelu: Record<string, never>;
  geluBackward: Record<string, never>;
  layerNorm: LayerNormPrimitiveParams;
  attentionStacked: AttentionParams;
}

interface WindowNdParams { window: WindowNd; outShape: Shape; inShape: Shape }

/** The running reductions among the structural ops, by the backend's name for them. */
export const SCAN_OPS: Readonly<Record<"cumsum" | "cumprod" | "logcumsumexp", ScanOp>> = { cumsum: "sum", cumprod: "prod", logcumsumexp: "logsumexp" };

/** A structural op's name. */
export type StructuralOp = keyof StructuralParams;

export interface StructuralOpDef {
  /** What it computes, for the docs. */
  readonly doc: string;
  /** The backend method that runs it ("none": no kernel, a reshape shares memory); a test checks each exists. */
  readonly method: string;
}

/** The structural ops. */
export const STRUCTURAL: { readonly [K in StructuralOp]: StructuralOpDef } = {
  sum: { doc: "Sum over dims.", method: "reduce" },
  amax: { doc: "Largest elements over dims; ties share the gradient.", method: "reduce" },
  amin: { doc: "Smallest elements over dims; ties share the gradient.", method: "reduce" },
  argmax: { doc: "Index of the first maximum along a dim.", method: "argReduce" },
  argmin: { doc: "Index of the first minimum along a dim.", method: "argReduce" },
  logSoftmax: { doc: "`x − log Σ exp x` along a dim, in one kernel.", method: "logSoftmax" },
  logSoftmaxBackward: { doc: "logSoftmax's gradient as an op (for double backward).", method: "logSoftmaxBackward" },
  nllLoss: { doc: "Negative log likelihood at class indices.", method: "nllLoss" },
  nllLossBackward: { doc: "nllLoss's gradient as an op (its adjoint).", method: "nllLossBackward" },
  matmul: { doc: "Batched matrix product, operands optionally read transposed.", method: "matmul" },
  addmm: { doc: "A bias row plus a matrix product: a linear layer.", method: "addmm" },
  reshape: { doc: "The same memory in a new shape.", method: "none" },
  permute: { doc: "Dims reordered.", method: "permute" },
  expand: { doc: "Broadcast to a shape.", method: "expand" },
  slice: { doc: "A strided slice.", method: "slice" },
  sliceBackward: { doc: "slice's adjoint: zeros with the slice added.", method: "sliceBackward" },
  cat: { doc: "Concatenation along a dim.", method: "cat" },
  asStrided: { doc: "Any strided view of the elements, copied (diagonal, flip, Tensor.unfold, …).", method: "strided" },
  asStridedBackward: { doc: "asStrided's adjoint: zeros with the view's elements added (overlaps add up).", method: "scatterStrided" },
  unfold: { doc: "im2col: sliding windows as columns.", method: "unfold" },
  fold: { doc: "col2im: columns summed back into an image.", method: "fold" },
  maxPool2dIndices: { doc: "Max pooling's winners.", method: "maxPool2dIndices" },
  gather: { doc: "Picks along a dim by an index tensor.", method: "gather" },
  scatterAdd: { doc: "Adds along a dim at an index tensor.", method: "scatterAdd" },
  indexSelect: { doc: "Picks whole slices along a dim.", method: "indexSelect" },
  indexAdd: { doc: "Adds whole slices along a dim.", method: "indexAdd" },
  prod: { doc: "Product along a dim; the gradient handles zeros as PyTorch's (exclusive products).", method: "reduce" },
  cumsum: { doc: "Running sum along a dim.", method: "cumulative" },
  cumprod: { doc: "Running product along a dim; the gradient handles zeros (the first zero's, 0 after it).", method: "cumulative" },
  logcumsumexp: { doc: "Running `log Σ exp` along a dim, computed stably.", method: "cumulative" },
  cumulativeIndex: { doc: "Positions of the running maximum or minimum (cummax/cummin's indices).", method: "cumulativeIndex" },
  argsort: { doc: "The stable sorting permutation along a dim (NaN largest); sort's values are a gather at it.", method: "argsort" },
  selectAll: { doc: "The max, min or lower median of all elements; the gradient split evenly over the elements equal to it (the NaNs for NaN).", method: "reduce" },
  vectorNorm: { doc: "The vector p-norm over dims (p = 0, ±∞ included), with PyTorch's gradient at 0.", method: "reduce" },
  scatterReduce: { doc: "Values scattered along a dim: written (scatter) or reduced by sum, prod, mean, amax, amin.", method: "scatterReduce" },
  unfoldNd: { doc: "im2col over any number of spatial dims, padded per side (conv1d/3d, ceilMode pooling).", method: "unfoldNd" },
  foldNd: { doc: "col2im over any number of spatial dims (transposed convolutions, unfoldNd's gradient).", method: "foldNd" },
  maxPoolNdIndices: { doc: "Max pooling's winners over any number of spatial dims.", method: "maxPoolNdIndices" },
  linalgSolve: { doc: "X solving A X = B (LU with partial pivoting); linalg.solve and linalg.inv.", method: "linalgSolve" },
  linalgSolveTriangular: { doc: "X solving A X = B for triangular A (substitution).", method: "linalgSolveTriangular" },
  linalgDet: { doc: "Determinants (from the LU).", method: "linalgDet" },
  linalgSlogdet: { doc: "Sign and log |det|, packed [*, 2].", method: "linalgSlogdet" },
  linalgCholesky: { doc: "Lower Cholesky factors.", method: "linalgCholesky" },
  linalgQr: { doc: "Householder QR, Q and R packed.", method: "linalgQr" },
  linalgEigh: { doc: "Symmetric eigendecomposition (Jacobi), values and vectors packed.", method: "linalgEigh" },
  linalgSvd: { doc: "SVD (one-sided Jacobi), U, S and Vh packed.", method: "linalgSvd" },
  attention: { doc: "Fused scaled-dot-product attention (online softmax, no L×S matrix kept); output and row logsumexps packed.", method: "attention" },
  attentionBackward: { doc: "attention's gradients dq, dk, dv packed, the probabilities recomputed from the logsumexps (for double backward).", method: "attentionBackward" },
  gelu: { doc: "The exact GELU `x·Φ(x)` in one kernel (x·½(1 + erf(x/√2)) as one program where a backend has none).", method: "gelu" },
  geluBackward: { doc: "GELU's gradient `g·(Φ(x) + x·φ(x))` in one kernel (for double backward).", method: "geluBackward" },
  layerNorm: { doc: "Layer normalisation over the last dims, `(x − mean)/√(var + eps)·weight + bias`, in one pass per row (the statistics are recomputed by the backward, never kept).", method: "layerNorm" },
  attentionStacked: { doc: "attention over q, k, v stacked as `[3, ..., L, E]`; its gradient is attentionBackward's packed dq, dk, dv as they are.", method: "attention" },
};

/** Every structural op's name. */
export const STRUCTURAL_OPS = Object.keys(STRUCTURAL) as StructuralOp[];
