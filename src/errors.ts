// Error classes thrown by chainrule, so callers can tell a shape problem from a dtype or autograd one.

/**
 * Thrown when tensor shapes do not fit an op; the message names the op and the shapes.
 * @example cr.ones([2, 3]).matmul(cr.ones([4, 5])) // throws ShapeError
 */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/**
 * Thrown when a dtype is not allowed for an op, or two dtypes cannot be combined.
 * @example cr.tensor([1.5]).bitwiseAnd(1) // throws DTypeError
 */
export class DTypeError extends Error {
  override name = "DTypeError";
}

/**
 * Thrown for misuse of autograd: backward through a freed graph, a non-scalar output without a gradient, …
 * @example cr.ones([2], { requiresGrad: true }).mul(2).backward() // throws AutogradError
 */
export class AutogradError extends Error {
  override name = "AutogradError";
}

/**
 * Thrown when `gradcheck` finds an analytical gradient that differs from the numerical one.
 * @example
 * ```ts
 * try {
 *   cr.autograd.gradcheck(wrongGradient, [cr.randn([3], { dtype: "float64", requiresGrad: true })]);
 * } catch (e) {
 *   if (e instanceof cr.GradcheckError) console.log(e.message); // which input, and the two Jacobians
 * }
 * ```
 */
export class GradcheckError extends Error {
  override name = "GradcheckError";
}

/**
 * Thrown for an index outside the dim it indexes (gather, indexSelect, …).
 * @example cr.arange(3).indexSelect(0, cr.tensor([5], { dtype: "int32" })) // throws IndexError
 */
export class IndexError extends Error {
  override name = "IndexError";
}

/**
 * Thrown for an argument that is out of range or of the wrong kind (a dim, a size, a non-finite number).
 * @example cr.ones([2]).sum(3) // throws ArgumentError
 */
export class ArgumentError extends Error {
  override name = "ArgumentError";
}

/**
 * Thrown when a disposed tensor is used (dispose(), or the end of the scope that made it, freed its memory).
 * @example
 * ```ts
 * const t = cr.ones([2]);
 * t.dispose();
 * t.sum(); // throws DisposedError
 * ```
 */
export class DisposedError extends Error {
  override name = "DisposedError";
}

/**
 * Thrown when `captureGraph` cannot record a function as a replayable graph, or a graph is misused.
 * @example cr.captureGraph(() => cr.rand([3])) // throws CaptureError
 */
export class CaptureError extends Error {
  override name = "CaptureError";
}

/**
 * Thrown by a synchronous read (`item()`, `tolist()`) of a tensor on a backend that reads only asynchronously (a GPU's).
 * @example
 * ```ts
 * await cr.initBackend("webgpu");
 * cr.setBackend("webgpu");
 * cr.ones([2]).tolist(); // throws ReadError: use await x.tolistAsync()
 * ```
 */
export class ReadError extends Error {
  override name = "ReadError";
}

/**
 * Thrown by `cr.linalg` for a matrix that is singular or not positive-definite, or an algorithm that does not
 * converge (PyTorch's `torch.linalg.LinAlgError`). `batch` is the batch element (null for a single matrix) and
 * `index` the 1-based position PyTorch reports: the zero pivot, or the order of the leading minor that is not
 * positive-definite.
 * @example cr.linalg.cholesky(cr.tensor([[1, 2], [2, 1]])) // throws LinAlgError
 */
export class LinAlgError extends Error {
  override name = "LinAlgError";
  constructor(
    message: string,
    /** The failing matrix's position in the batch (flat over the batch dims), or null for a single matrix. */
    readonly batch: number | null = null,
    /** PyTorch's 1-based position: the zero pivot, or the order of the leading minor that is not positive-definite. */
    readonly index = 0,
  ) {
    super(message);
  }
}
