// Forward-mode AD: dual levels, tangents attached to tensors, and their propagation through primitives.
import { isFloating } from "../dtype.js";
import { ArgumentError, AutogradError, DTypeError, ShapeError } from "../errors.js";
import { restoring } from "../restore.js";
import { fmt, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { applyPrimitive } from "./dispatch.js";
import type { Rule } from "./rule.js";

// Levels are numbered in the order they open and never reused, so a tangent left on a tensor from a
// closed level can never be mistaken for one of a later level.
let nextLevel = 0;
const open: number[] = [];
// While a tangent rule for level L runs, levels ≥ L are hidden: the rule's own ops must not
// differentiate themselves at L (perturbation confusion), only at the outer levels.
let hiddenFrom = Infinity;
// A WeakMap rather than a field on Tensor: tangents die with their tensors, and Tensor stays unaware of them.
const tangents = new WeakMap<Tensor, Map<number, Tensor>>();

/**
 * Opens a new dual level (PyTorch's `forward_ad.enter_dual_level`) and returns it. Levels nest:
 * the newest is the innermost, and must be closed first.
 * @example
 * const level = enterDualLevel();
 * try { … makeDual(x, t, level) … } finally { exitDualLevel(level); }
 */
export function enterDualLevel(): number {
  const level = nextLevel++;
  open.push(level);
  return level;
}

/** Closes `level`, the innermost open one; tangents at it are no longer seen. */
export function exitDualLevel(level: number): void {
  if (open[open.length - 1] !== level) {
    throw new AutogradError(`exitDualLevel: level ${level} is not the innermost open dual level (open: [${open.join(", ")}])`);
  }
  open.pop();
}

/** True while some dual level is open: the dispatcher's fast path skips tangents otherwise. */
export function isForwardAdActive(): boolean {
  return open.length > 0;
}

function checkLevel(op: string, level: number): void {
  if (!open.includes(level)) throw new AutogradError(`${op}: dual level ${level} is not open`);
}

/** The tangent of `t` at `level`, or null when it has none (or the level is closed). */
export function tangentOf(t: Tensor, level: number): Tensor | null {
  if (!open.includes(level)) return null;
  return tangents.get(t)?.get(level) ?? null;
}

/** @internal Attaches `tangent` to `t` at `level` (no checks: callers have fitted it). */
export function setTangent(t: Tensor, level: number, tangent: Tensor): void {
  let m = tangents.get(t);
  if (m === undefined) {
    m = new Map();
    tangents.set(t, m);
  }
  m.set(level, tangent);
}

/** @internal Removes `t`'s tangent at `level`, so a value returned from a closed level carries nothing stale. */
export function clearTangent(t: Tensor, level: number): void {
  tangents.get(t)?.delete(level);
}

/** @internal Copies every tangent of `from` onto `to` (a detached copy that must stay dual). */
export function copyTangents(from: Tensor, to: Tensor): void {
  const m = tangents.get(from);
  if (m !== undefined && m.size > 0) tangents.set(to, new Map(m));
}

/** Runs `fn` with the levels from `level` up hidden, as a tangent rule at `level` must be. */
function hidingFrom<T>(level: number, fn: () => T): T {
  const previous = hiddenFrom;
  hiddenFrom = level;
  using _restore = restoring(() => (hiddenFrom = previous));
  return fn();
}

/**
 * @internal Gives a fitted tangent (the output's shape and dtype) or throws naming the op. Rules may
 * return a tangent that broadcasts to the output (`add` with one tangent from a smaller input).
 */
function fitTangent(op: string, level: number, tangent: Tensor, out: Tensor): Tensor {
  let t = tangent;
  if (!shapesEqual(t.shape, out.shape)) {
    try {
      t = hidingFrom(level, () => t.expand(out.shape));
    } catch {
      throw new ShapeError(`${op}: the tangent rule returned shape ${fmt(tangent.shape)} for an output of shape ${fmt(out.shape)}`);
    }
  }
  return t.dtype === out.dtype ? t : hidingFrom(level, () => t.to(out.dtype));
}

/**
 * Gives a tensor equal to `primal` that carries `tangent` at `level` (PyTorch's `forward_ad.make_dual`).
 * It is a view of `primal`, so gradients and outer tangents still flow through it.
 * @example
 * const level = enterDualLevel();
 * const y = makeDual(x, cr.onesLike(x), level).exp();
 * tangentOf(y, level); // exp(x)
 * exitDualLevel(level);
 */
export function makeDual(primal: Tensor, tangent: Tensor, level: number): Tensor {
  checkLevel("makeDual", level);
  if (!isFloating(primal.dtype)) throw new DTypeError(`makeDual: only floating-point tensors can carry tangents, the primal is ${primal.dtype}`);
  if (!shapesEqual(primal.shape, tangent.shape)) {
    throw new ShapeError(`makeDual: the tangent has shape ${fmt(tangent.shape)} but the primal has shape ${fmt(primal.shape)}`);
  }
  if (!isFloating(tangent.dtype)) throw new DTypeError(`makeDual: the tangent must be floating point, got ${tangent.dtype}`);
  const dual = applyPrimitive("reshape", [primal], { shape: primal.shape });
  setTangent(dual, level, tangent.dtype === primal.dtype ? tangent : tangent.to(primal.dtype));
  return dual;
}

/**
 * The primal and the tangent at `level` of `t` (PyTorch's `forward_ad.unpack_dual`): the primal is a
 * view without tangents at that level; the tangent is null when `t` has none.
 * @example
 * const { primal, tangent } = unpackDual(y, level);
 */
export function unpackDual(t: Tensor, level: number): { primal: Tensor; tangent: Tensor | null } {
  checkLevel("unpackDual", level);
  const tangent = tangentOf(t, level);
  const primal = hidingFrom(level, () => applyPrimitive("reshape", [t], { shape: t.shape }));
  return { primal, tangent };
}

/**
 * Runs `fn` inside a fresh dual level, closing it afterwards even if `fn` throws (PyTorch's
 * `with forward_ad.dual_level()`).
 * @example
 * const dy = dualLevel((level) => tangentOf(makeDual(x, t, level).sin(), level)); // cos(x)·t
 */
export function dualLevel<T>(fn: (level: number) => T): T {
  const level = enterDualLevel();
  try {
    return fn(level);
  } finally {
    exitDualLevel(level);
  }
}

/**
 * @internal After an in-place op wrote `value` into `self`: `self` now has `value`'s tangents at
 * the open levels (or none where `value` has none), so no stale tangent survives the write.
 */
export function replaceTangents(self: Tensor, value: Tensor): void {
  if (open.length === 0) return;
  for (const level of open) {
    const t = tangents.get(value)?.get(level);
    if (t === undefined) clearTangent(self, level);
    else setTangent(self, level, t);
  }
}

/**
 * @internal Called by the dispatcher after a primitive's forward: for each open, visible level at
 * which an input has a tangent, computes the output's tangent with the rule's `jvp`. Outer levels go
 * first, so that when an inner level's rule reads the output, the output already carries its outer tangents.
 */
export function propagateTangents<P>(prim: string, rule: Rule<P>, inputs: readonly Tensor[], out: Tensor, params: P): void {
  if (!isFloating(out.dtype)) return; // integer and bool results carry no tangent, as in PyTorch
  for (const level of [...open]) {
    if (level >= hiddenFrom) break;
    const ts = inputs.map((t) => tangents.get(t)?.get(level) ?? null);
    if (ts.every((t) => t === null)) continue;
    if (rule.jvp === undefined) continue;
    const jvp = rule.jvp;
    const ctx = {
      inputs,
      output: out,
      params,
      inputShapes: inputs.map((t) => t.shape),
      inputDtypes: inputs.map((t) => t.dtype),
    };
    const tangent = hidingFrom(level, () => jvp(ts, ctx));
    if (tangent === null || tangent === undefined) throw new ArgumentError(`${prim}: the tangent rule returned nothing`);
    setTangent(out, level, fitTangent(prim, level, tangent, out));
  }
}
