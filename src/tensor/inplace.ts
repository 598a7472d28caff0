// In-place ops (PyTorch's trailing underscore): the result is written into the tensor's own memory,
// its version counter is bumped so saved tensors that went stale are caught at backward, and its
// history is rebased onto the op when gradients are being recorded.
import { isGradEnabled } from "../autograd/grad-mode.js";
import { isFloating } from "../dtype.js";
import { AutogradError, DTypeError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import type { Tensor } from "./tensor.js";

/** Writes `compute()` into `self` and returns `self`; `op` names the in-place op in errors. */
export function applyInplace(self: Tensor, op: string, compute: () => Tensor): Tensor {
  if (isGradEnabled() && self.requiresGrad && self.isLeaf) {
    throw new AutogradError(
      `${op}: a leaf tensor that requires grad (shape ${fmt(self.shape)}) cannot be modified in place while gradients are recorded; ` +
        `do it inside cr.noGrad(() => …), as optimizers do`,
    );
  }
  const result = compute();
  if (!shapesEqual(result.shape, self.shape)) {
    throw new ShapeError(`${op}: the result has shape ${fmt(result.shape)}, but the tensor modified in place has shape ${fmt(self.shape)}`);
  }
  if ((isFloating(result.dtype) && !isFloating(self.dtype)) || (result.dtype !== "bool" && self.dtype === "bool")) {
    throw new DTypeError(`${op}: the result is ${result.dtype}, which cannot be written into a ${self.dtype} tensor in place`);
  }
  const value = result.dtype === self.dtype ? result : result.to(self.dtype);
  self._backend.assign(self._buf, value._data());
  self._version.value++;
  if (value.requiresGrad && isGradEnabled()) self._rebase(value);
  return self;
}
