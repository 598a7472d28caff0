// Error classes thrown by chainrule, so callers can tell a shape problem from a dtype or autograd one.

/** Thrown when tensor shapes do not fit an op; the message names the op and the shapes. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/** Thrown when a dtype is not allowed for an op, or two dtypes cannot be combined. */
export class DTypeError extends Error {
  override name = "DTypeError";
}

/** Thrown for misuse of autograd: backward through a freed graph, a non-scalar output without a gradient, … */
export class AutogradError extends Error {
  override name = "AutogradError";
}

/** Thrown when `gradcheck` finds an analytical gradient that differs from the numerical one. */
export class GradcheckError extends Error {
  override name = "GradcheckError";
}

/** Thrown for an index outside the dim it indexes (gather, indexSelect, …). */
export class IndexError extends Error {
  override name = "IndexError";
}

/** Thrown for an argument that is out of range or of the wrong kind (a dim, a size, a non-finite number). */
export class ArgumentError extends Error {
  override name = "ArgumentError";
}

/** Thrown when a disposed tensor is used (dispose(), or the end of the scope that made it, freed its memory). */
export class DisposedError extends Error {
  override name = "DisposedError";
}

/** Thrown when `captureGraph` cannot record a function as a replayable graph, or a graph is misused. */
export class CaptureError extends Error {
  override name = "CaptureError";
}

/** Thrown by a synchronous read (`item()`, `tolist()`) of a tensor on a backend that reads only asynchronously (a GPU's). */
export class ReadError extends Error {
  override name = "ReadError";
}

/**
 * Thrown by `cr.linalg` for a matrix that is singular or not positive-definite, or an algorithm that does not
 * converge (PyTorch's `torch.linalg.LinAlgError`). `batch` is the batch element (null for a single matrix) and
 * `index` the 1-based position PyTorch reports: the zero pivot, or the order of the leading minor that is not
 * positive-definite.
 */
export class LinAlgError extends Error {
  override name = "LinAlgError";
  constructor(message: string, readonly batch: number | null = null, readonly index = 0) {
    super(message);
  }
}
