// The shape of a primitive's definition: its forward kernel call and its derivative rule, side by side.
import type { Backend, DataBuf } from "../backend/backend.js";
import type { TensorData } from "../backend/backend.js";
import type { DType } from "../dtype.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";

/** What a primitive's forward produces. */
export interface ForwardResult {
  buf: DataBuf;
  shape: Shape;
  dtype: DType;
}

/** What a derivative rule sees: the op's inputs and output as tensors (so rules stay differentiable), and its params. */
export interface VjpContext<P> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: P;
  /** Shapes and dtypes of the inputs, kept even when the tensors themselves are not saved. */
  readonly inputShapes: readonly Shape[];
  readonly inputDtypes: readonly DType[];
  /** Which inputs need a gradient: a rule may skip the others' work and return null for them. */
  readonly needsInputGrad: readonly boolean[];
}

/**
 * One differentiable primitive. `vjp` returns, for each input, the gradient of the loss with
 * respect to it (or null where none flows); it may return a gradient of the broadcast output
 * shape, and the engine sums it down to the input's shape.
 */
export interface Rule<P> {
  forward(backend: Backend, inputs: readonly TensorData[], params: P): ForwardResult;
  /** Absent for ops without a derivative (comparisons, argmax): their results never require grad. */
  vjp?: (grad: Tensor, ctx: VjpContext<P>) => (Tensor | null)[];
  /** What the derivative rule reads; the rest is not kept alive by the graph. Default: both. */
  saves?: "inputs" | "output" | "both" | "none";
  /** True for ops whose output shares the input's memory (reshape): they share its version counter too. */
  view?: boolean;
}
