// In-place ops (PyTorch's trailing underscore): the result is written into the tensor's own memory,
// its version counter is bumped so saved tensors that went stale are caught at backward, and its
// history is rebased onto the op when gradients are being recorded.
import { isForwardAdActive, replaceTangents } from "../autograd/forward-ad.js";
import { FunctionNode } from "../autograd/function-node.js";
import { enableGrad, isGradEnabled } from "../autograd/grad-mode.js";
import { peekSequenceNr } from "../autograd/node.js";
import type { Node } from "../autograd/node.js";
import { isFloating } from "../dtype.js";
import { AutogradError, DTypeError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import { asTensor, where } from "./elementwise.js";
import { popFrame, pushFrame } from "./lifetime.js";
import { reshape } from "./movement.js";
import type { Tensor } from "./tensor.js";
import { overlaps } from "./view-geometry.js";
import { copySlices } from "./view-inplace.js";

/**
 * The op's own nodes (created after `start`) may have saved `self` (or a view of it) for their
 * derivative: `x.mul_(w)` needs the old `x` for `w`'s gradient. They get a copy of the old value, as
 * PyTorch saves `self.clone()`; otherwise the op's own write would make its node fail at backward.
 */
function protectOwnSaves(self: Tensor, result: Tensor, start: number): void {
  const copies = new Map<Tensor, Tensor>();
  const copyOf = (t: Tensor) => {
    let c = copies.get(t);
    if (c === undefined) {
      c = t.clone();
      copies.set(t, c);
    }
    return c;
  };
  const seen = new Set<Node>();
  const stack: Node[] = result.gradFn !== null && result.gradFn.sequenceNr >= start ? [result.gradFn] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof FunctionNode) node._saveCopiesOf(self._version, copyOf);
    for (const e of node.nextEdges) if (e !== null && e.node.sequenceNr >= start) stack.push(e.node);
  }
}

// The writes PyTorch refuses through a view: into a broadcast (several elements are one in memory), and into an
// output of split/chunk/unbind while its base's gradient is recorded.
function checkViewWrite(self: Tensor, op: string, base: Tensor | null): void {
  const link = self._viewOf!;
  if (overlaps(link.geometry)) {
    throw new AutogradError(
      `${op}: unsupported operation: more than one element of the written-to tensor (shape ${fmt(self.shape)}, a view made by expand ` +
        `or another broadcasting view) refers to a single memory location; clone() it before the in-place operation`,
    );
  }
  if (link.noGrad && isGradEnabled() && base !== null && base.requiresGrad) {
    throw new AutogradError(
      `${op}: this view (shape ${fmt(self.shape)}) was made inside noGrad and is being modified in place while gradients are ` +
        `recorded, which PyTorch refuses as ambiguous; make the view outside noGrad, or modify it inside noGrad too`,
    );
  }
  if (link.multi && isGradEnabled() && base !== null && base.requiresGrad) {
    throw new AutogradError(
      `${op}: this view (shape ${fmt(self.shape)}) is one of several outputs of split, chunk or unbind, and such views cannot be ` +
        `modified in place while gradients are recorded; clone() it first, or use narrow/select for a single view`,
    );
  }
}

/**
 * Writes `compute()` into `self` and returns `self`; `op` names the in-place op in errors.
 * `overwrites` is for ops whose result does not read `self` (fill_, copy_): `self`'s old history
 * then gets a zero gradient, as PyTorch's FillBackward gives, rather than a stale one.
 */
export function applyInplace(self: Tensor, op: string, compute: () => Tensor, overwrites = false): Tensor {
  const base = self._viewBase;
  if (isGradEnabled() && self.requiresGrad && self.isLeaf) {
    throw new AutogradError(
      `${op}: a leaf tensor that requires grad (shape ${fmt(self.shape)}) cannot be modified in place while gradients are recorded; ` +
        `do it inside cr.noGrad(() => …), as optimizers do`,
    );
  }
  if (isGradEnabled() && base !== null && base.requiresGrad && base.isLeaf) {
    throw new AutogradError(
      `${op}: a view (shape ${fmt(self.shape)}) of a leaf tensor that requires grad (shape ${fmt(base.shape)}) cannot be modified ` +
        `in place while gradients are recorded; do it inside cr.noGrad(() => …), or modify a clone()`,
    );
  }
  const link = self._viewOf;
  if (link !== null) checkViewWrite(self, op, base);
  const start = peekSequenceNr();
  // The value is computed in a scope of its own: once written into `self`, what computing it made is freed at
  // once (a loop of in-place updates without scopes leaves nothing to the garbage collector), unless it is
  // now part of `self`'s history.
  const frame = pushFrame(start);
  let recorded = false;
  try {
    const result = compute();
    if (!shapesEqual(result.shape, self.shape)) {
      throw new ShapeError(`${op}: the result has shape ${fmt(result.shape)}, but the tensor modified in place has shape ${fmt(self.shape)}`);
    }
    if ((isFloating(result.dtype) && !isFloating(self.dtype)) || (result.dtype !== "bool" && self.dtype === "bool")) {
      throw new DTypeError(`${op}: the result is ${result.dtype}, which cannot be written into a ${self.dtype} tensor in place`);
    }
    let value = result.dtype === self.dtype ? result : result.to(self.dtype);
    if (overwrites && isGradEnabled() && self.requiresGrad) value = where(asTensor(true, "bool", self._backend), value, self); // value's data, self's history with a zero gradient
    if (value.requiresGrad) protectOwnSaves(self, value, start);
    self._backend.assign(self._buf, value._data());
    // A view with a buffer of its own writes its new elements into its root's memory too.
    if (link !== null && !link.root._disposed) {
      self._backend.scatterStrided(link.root._buf, self._data(), { offset: link.geometry.offset, strides: link.geometry.strides }, false);
    }
    self._version.value++;
    self._dataVersion = self._version.value;
    replaceTangents(self, value);
    if (value.requiresGrad && isGradEnabled()) {
      self._rebase(value);
      if (base !== null && link !== null) {
        // PyTorch's CopySlices: the base's history continues as "the old base with the view's elements replaced by
        // the new value", and the view's becomes a strided view of that (regenerated when next needed).
        base._rebase(enableGrad(() => copySlices(base, value, link.geometry)));
        self._staleHistory();
      } else if (base !== null) {
        // The base's memory changed too: its history continues from this view's (its other views refresh from it).
        base._rebase(enableGrad(() => reshape(self, base.shape)));
      }
    }
    recorded = value.requiresGrad || isForwardAdActive(); // a tangent moved to `self` may be one of the frame's
  } finally {
    popFrame(frame, recorded ? new Set(frame.tensors) : new Set());
  }
  return self;
}
