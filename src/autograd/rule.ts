// The shape of a primitive's definition: its forward kernel call and its derivative rule, side by side.
import type { CompleteBackend, DataBuf } from "../backend/backend.js";
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

/** What a tangent rule sees: the same as a derivative rule, at forward time. */
export type JvpContext<P> = Omit<VjpContext<P>, "needsInputGrad">;

/** A derivative rule (reverse mode): the gradient of the loss for each input, or null where none flows. */
export type Vjp<P> = (grad: Tensor, ctx: VjpContext<P>) => (Tensor | null)[];
/**
 * A tangent rule (forward mode): the output's tangent from the inputs' tangents (null where an input
 * has none; at least one is not). It may return a tangent of a shape that broadcasts to the output's.
 */
export type Jvp<P> = (tangents: readonly (Tensor | null)[], ctx: JvpContext<P>) => Tensor;

/** The two derivative rules of a differentiable primitive: having one without the other is a compile error. */
export interface Derivatives<P> {
  vjp: Vjp<P>;
  jvp: Jvp<P>;
}
/** Ops without a derivative (comparisons, argmax): their results never require grad nor carry tangents. */
export interface NoDerivatives {
  vjp?: undefined;
  jvp?: undefined;
}

/** Which of an op's tensors its derivative rule reads: one flag per input, and one for the output. */
export interface SaveSpec {
  readonly inputs: readonly boolean[];
  readonly output: boolean;
}

interface RuleBase<P> {
  forward(backend: CompleteBackend, inputs: readonly TensorData[], params: P): ForwardResult;
  /**
   * What the derivative rule reads; the rest is not kept alive by the graph. Default: both. A function
   * decides per input from which inputs need a gradient (mul keeps `a` only for `b`'s gradient), so an
   * in-place change to a tensor no rule will read is allowed, as in PyTorch.
   */
  saves?: "inputs" | "output" | "both" | "none" | ((needsInputGrad: readonly boolean[], params: P) => SaveSpec);
  /** True for ops whose output shares the input's memory (reshape): they share its version counter too. */
  view?: boolean;
  /** For a primitive whose params decide whether it is differentiable (elementwise: not for tests). */
  differentiable?: (params: P) => boolean;
  /** The op's name in graph nodes and errors, where the params decide it (elementwise: the program's). */
  name?: (params: P) => string;
}

/**
 * One primitive. `vjp` returns, for each input, the gradient of the loss with respect to it (or
 * null where none flows); it may return a gradient of the broadcast output shape, and the engine
 * sums it down to the input's shape. `jvp` pushes input tangents forward (forward-mode AD).
 */
export type Rule<P> = RuleBase<P> & (Derivatives<P> | NoDerivatives);
