// The history of a base after an in-place op through one of its views (PyTorch's CopySlices), as ordinary
// differentiable ops: the old base where the view does not reach, the view's new value where it does.
import { applyPrimitive } from "../autograd/dispatch.js";
import { noGrad } from "../autograd/grad-mode.js";
import { onesLike } from "./creation.js";
import { where } from "./elementwise.js";
import type { Tensor } from "./tensor.js";
import type { ViewGeometry } from "./view-geometry.js";

/**
 * `base` with the elements at `geometry` replaced by `value` (of the view's shape). Its gradient is the incoming
 * one outside the view (exact zeros inside), and the incoming one read through the view for `value`.
 */
export function copySlices(base: Tensor, value: Tensor, geometry: ViewGeometry): Tensor {
  const params = { shape: [...geometry.shape], strides: [...geometry.strides], offset: geometry.offset, inShape: base.shape };
  // Which elements the view covers; the temporaries are nobody else's, so they are freed at once.
  const covered = noGrad(() => {
    const ones = onesLike(value, { dtype: "float32" });
    const counts = applyPrimitive("asStridedBackward", [ones], params);
    const mask = counts.ne(0);
    ones.dispose();
    counts.dispose();
    return mask;
  });
  const placed = applyPrimitive("asStridedBackward", [value.to(base.dtype)], params);
  const out = where(covered, placed, base);
  const node = out._gradFnUnchecked();
  if (node !== null) (node as { name: string }).name = "CopySlices"; // PyTorch's name for this history
  return out;
}
