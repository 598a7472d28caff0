// Forward-mode transform: jvp pushes tangents through f alongside its values, one dual level per call.
import { clearTangent, enterDualLevel, exitDualLevel, makeDual, tangentOf } from "../autograd/forward-ad.js";
import { AutogradError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { fullOn } from "./args.js";
import { flatten } from "./tree.js";
import type { TensorTree } from "./tree.js";

/**
 * Runs `f` with `tangent(arg, leaf)` attached to the leaves of the arguments `indices` at a fresh dual level and returns
 * f's result with the tangent of each output leaf (zeros where an output does not depend on them).
 * Leaves for which `tangent` gives null carry none.
 */
export function pushForward(
  op: string,
  f: (...args: never[]) => unknown,
  args: readonly unknown[],
  indices: readonly number[],
  tangent: (arg: number, leaf: number, primal: Tensor) => Tensor | null,
  outputOf: (result: unknown) => unknown,
): { result: unknown; output: unknown; tangents: unknown } {
  const level = enterDualLevel();
  try {
    const duals = args.map((a, i) => {
      if (!indices.includes(i)) return a;
      const flat = flatten(a, `${op}: primals[${i}]`);
      return flat.rebuild(flat.leaves.map((p, j) => {
        const t = tangent(i, j, p);
        return t === null ? p : makeDual(p, t, level);
      }));
    });
    const result = (f as (...a: unknown[]) => unknown)(...duals);
    const out = flatten(outputOf(result), `${op}: output`);
    const touts = out.leaves.map((o) => tangentOf(o, level) ?? fullOn(o));
    // Nothing stale is left on what is handed back: the level closes now.
    for (const o of out.leaves) clearTangent(o, level);
    return { result, output: outputOf(result), tangents: out.rebuild(touts) };
  } finally {
    exitDualLevel(level);
  }
}

/**
 * Jacobian-vector product by true forward mode (torch.func.jvp, jax.jvp): runs `f(...primals)` and,
 * alongside, the directional derivative ∂f/∂primals · tangents. Returns `[output, tangentOut]`
 * (and `aux` third with `hasAux`). Each tangent has its primal's shape. Composes with the other
 * transforms: `jvp` of `grad` is a Hessian-vector product (forward-over-reverse).
 * @example
 * const [y, dy] = cr.func.jvp((x: cr.Tensor) => x.exp(), [x], [t]); // exp(x), exp(x)·t
 */
export function jvp<A extends TensorTree[], R extends TensorTree>(
  f: (...primals: A) => R,
  primals: readonly [...A],
  tangents: readonly [...A],
  opts?: { hasAux?: false },
): [R, R];
export function jvp<A extends TensorTree[], R extends TensorTree, Aux>(
  f: (...primals: A) => readonly [R, Aux],
  primals: readonly [...A],
  tangents: readonly [...A],
  opts: { hasAux: true },
): [R, R, Aux];
export function jvp(f: (...args: never[]) => unknown, primals: readonly unknown[], tangents: readonly unknown[], opts: { hasAux?: boolean } = {}): unknown[] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) throw new TypeError("jvp: primals and tangents must be arrays (one entry per argument of f)");
  if (primals.length !== tangents.length) throw new AutogradError(`jvp: got ${primals.length} primal(s) but ${tangents.length} tangent(s)`);
  const tflat = tangents.map((t, i) => flatten(t, `jvp: tangents[${i}]`).leaves);
  primals.forEach((p, i) => {
    const leaves = flatten(p, `jvp: primals[${i}]`).leaves;
    if (leaves.length !== tflat[i]!.length) throw new AutogradError(`jvp: tangents[${i}] does not have the structure of primals[${i}]`);
    leaves.forEach((x, j) => {
      const t = tflat[i]![j]!;
      if (!shapesEqual(x.shape, t.shape)) throw new ShapeError(`jvp: tangents[${i}] has shape ${fmt(t.shape)} but primals[${i}] has shape ${fmt(x.shape)}`);
    });
  });
  const hasAux = opts.hasAux ?? false;
  const outputOf = (r: unknown) => {
    if (!hasAux) return r;
    if (!Array.isArray(r) || r.length !== 2) throw new AutogradError("jvp: with hasAux, f must return [output, aux]");
    return r[0] as unknown;
  };
  const { result, output, tangents: tout } = pushForward("jvp", f, primals, primals.map((_, i) => i), (i, j) => tflat[i]![j]!, outputOf);
  return hasAux ? [output, tout, (result as unknown[])[1]] : [output, tout];
}
