// Jacobians by reverse mode (one vjp per output element) or forward mode (one jvp per input element), hessian, hvp.
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { stack } from "../tensor/movement.js";
import type { Tensor } from "../tensor/tensor.js";
import { argIndices, unitOn, fullOn } from "./args.js";
import type { Argnums, JacobianOf, Selected } from "./args.js";
import { jvp, pushForward } from "./forward.js";
import { perArgument, pullBackFlat, trace, valueAndGrad } from "./reverse.js";
import { flatten } from "./tree.js";
import type { TensorTree } from "./tree.js";

/** Options of `jacobian` and `hessian`. */
export interface JacobianOptions<N extends Argnums = Argnums> {
  /** Which argument(s) to differentiate with respect to (default 0); an array gives an array per output. */
  argnums?: N;
  /** `f` returns `[output, aux]`: the result is then `[jacobian, aux]`, aux passed through undifferentiated. */
  hasAux?: boolean;
  /** "reverse" (jacrev: one backward pass per output element, best for few outputs) or "forward" (jacfwd: one forward pass per input element). */
  mode?: "reverse" | "forward";
}

// The unit vectors e_i of a tensor's shape, one per element, made one at a time (an identity
// matrix would take n² memory).
function basis(x: Tensor): (i: number) => Tensor {
  return (i) => unitOn(x, i);
}

// Rows (reverse) or columns (forward) stacked into a [...out.shape, ...in.shape] block.
function block(parts: readonly Tensor[], out: Tensor, input: Tensor, dim: 0 | -1): Tensor {
  const shape = [...out.shape, ...input.shape];
  if (parts.length === 0 || out.numel() === 0 || input.numel() === 0) return fullOn(out, 0, shape);
  return stack(parts, dim).reshape(shape);
}

// With hasAux, f returns [output, aux].
function splitAux(op: string, r: unknown, hasAux: boolean): [unknown, unknown] {
  if (!hasAux) return [r, undefined];
  if (!Array.isArray(r) || r.length !== 2) throw new ArgumentError(`${op}: with hasAux, f must return [output, aux]`);
  return [r[0], r[1]];
}

function checkOutput(op: string, o: Tensor, k: number): void {
  if (!isFloating(o.dtype)) throw new DTypeError(`${op}: output ${k} is ${o.dtype}; only floating-point outputs have a jacobian`);
}

function jacrev(op: string, f: (...args: never[]) => unknown, argnums: Argnums, args: readonly unknown[], hasAux = false): unknown {
  const { indices, single } = argIndices(op, argnums, args.length);
  const outputsOf = (r: unknown) => flatten(splitAux(op, r, hasAux)[0], `${op}: output`).leaves;
  const traced = trace(op, f, args, indices, outputsOf);
  const [output, aux] = splitAux(op, traced.result, hasAux);
  const out = flatten(output, `${op}: output`);
  const inputs = traced.tracked.flatMap((t) => t.inputs);
  const perOutput = out.leaves.map((o, k) => {
    checkOutput(op, o, k);
    const unit = basis(o);
    const rows: Tensor[][] = [];
    for (let i = 0; i < o.numel(); i++) rows.push(pullBackFlat(traced, [o], [unit(i)]));
    const blocks = inputs.map((x, q) => block(rows.map((r) => r[q]!), o, x, 0));
    const perArg = perArgument(traced, blocks);
    return single ? perArg[0] : perArg;
  });
  return hasAux ? [out.rebuild(perOutput), aux] : out.rebuild(perOutput);
}

function jacfwd(op: string, f: (...args: never[]) => unknown, argnums: Argnums, args: readonly unknown[], hasAux = false): unknown {
  const { indices, single } = argIndices(op, argnums, args.length);
  const selected = indices.map((i) => flatten(args[i], `${op}: argument ${i}`));
  for (const [a, s] of selected.entries()) {
    for (const x of s.leaves) if (!isFloating(x.dtype)) throw new DTypeError(`${op}: argument ${indices[a]} holds a ${x.dtype} tensor; only floating-point inputs can be differentiated`);
  }
  // One forward pass per input element; the first pass without tangents gives the output's structure.
  const outputOf = (r: unknown) => splitAux(op, r, hasAux)[0];
  const plain = pushForward(op, f, args, [], () => null, outputOf);
  const out = flatten(plain.output, `${op}: output`);
  out.leaves.forEach((o, k) => checkOutput(op, o, k));
  // blocks[a][j][k]: output k with respect to leaf j of selected argument a.
  const blocks = selected.map((s, a) =>
    s.leaves.map((x, j) => {
      const unit = basis(x);
      const cols: Tensor[][] = out.leaves.map(() => []);
      for (let e = 0; e < x.numel(); e++) {
        const tangent = (i: number, jj: number) => (i === indices[a] && jj === j ? unit(e) : null);
        const { tangents } = pushForward(op, f, args, [indices[a]!], tangent, outputOf);
        flatten(tangents, `${op}: output`).leaves.forEach((t, k) => cols[k]!.push(t));
      }
      return out.leaves.map((o, k) => block(cols[k]!, o, x, -1));
    }),
  );
  const perOutput = out.leaves.map((_, k) => {
    const perArg = selected.map((s, a) => s.rebuild(s.leaves.map((_x, j) => blocks[a]![j]![k])));
    return single ? perArg[0] : perArg;
  });
  return hasAux ? [out.rebuild(perOutput), splitAux(op, plain.result, true)[1]] : out.rebuild(perOutput);
}

/**
 * The jacobian of `f` as a function (torch.func.jacrev / jacfwd, jax.jacrev / jacfwd): for an output
 * of shape O and an argument of shape I, a tensor of shape [...O, ...I]. `mode: "reverse"` (default)
 * takes one backward pass per output element, `"forward"` one forward-mode pass per input element.
 * Several outputs (an array) give an array of jacobians; several argnums an array per output.
 * @example
 * const A = cr.randn([3, 4]);
 * cr.func.jacobian((x: cr.Tensor) => A.matmul(x))(cr.randn([4])); // equals A
 * cr.func.jacobian(f, { mode: "forward", argnums: [0, 1] })(x, y); // [∂f/∂x, ∂f/∂y]
 */
export function jacobian<A extends unknown[], R extends TensorTree, const N extends Argnums = 0>(
  f: (...args: A) => R,
  opts?: JacobianOptions<N> & { hasAux?: false },
): (...args: A) => JacobianOf<R, Selected<A, N>>;
export function jacobian<A extends unknown[], R extends TensorTree, Aux, const N extends Argnums = 0>(
  f: (...args: A) => readonly [R, Aux],
  opts: JacobianOptions<N> & { hasAux: true },
): (...args: A) => [JacobianOf<R, Selected<A, N>>, Aux];
export function jacobian(f: (...args: never[]) => unknown, opts: JacobianOptions = {}): (...args: unknown[]) => unknown {
  const mode = opts.mode ?? "reverse";
  if (mode !== "reverse" && mode !== "forward") throw new ArgumentError(`jacobian: mode must be "reverse" or "forward", got ${String(mode)}`);
  const hasAux = opts.hasAux ?? false;
  return (...args) => (mode === "reverse" ? jacrev : jacfwd)("jacobian", f, opts.argnums ?? 0, args, hasAux);
}

/**
 * The Hessian of a function with one-element output (torch.func.hessian): the forward-mode jacobian
 * of its reverse-mode gradient, of shape [...I, ...I] for an argument of shape I.
 * @example
 * const A = cr.tensor([[1, 2], [3, 4]]);
 * cr.func.hessian((x: cr.Tensor) => x.dot(A.matmul(x)))(cr.tensor([1, 1])); // A + Aᵀ
 */
export function hessian<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Tensor,
  opts: { argnums?: N } = {},
): (...args: A) => JacobianOf<Selected<A, N>, Selected<A, N>> {
  const argnums = opts.argnums ?? 0;
  const inner = (...args: unknown[]) => jacrev("hessian", f as (...args: never[]) => unknown, argnums, args);
  return (...args: A) => jacfwd("hessian", inner, argnums, args) as JacobianOf<Selected<A, N>, Selected<A, N>>;
}

/**
 * Hessian-vector product by forward-over-reverse (torch.autograd.functional.hvp): the value of `f`
 * at `primals` and H·tangents, one entry per primal, without forming the Hessian.
 * @example
 * const [value, [hv]] = cr.func.hvp((x: cr.Tensor) => x.pow(3).sum(), [x], [v]); // Σx³, 6x·v
 */
export function hvp<A extends TensorTree[]>(f: (...primals: A) => Tensor, primals: readonly [...A], tangents: readonly [...A]): [Tensor, A] {
  if (!Array.isArray(primals) || primals.length === 0) throw new ArgumentError("hvp: primals must be a non-empty array (one entry per argument of f)");
  const argnums = primals.map((_, i) => i);
  const gradAndValue = (...xs: TensorTree[]): readonly [TensorTree, Tensor] => {
    const [value, grads] = valueAndGrad(f as (...a: TensorTree[]) => Tensor, { argnums })(...xs);
    return [grads as TensorTree, value];
  };
  const forward = jvp as (f: (...a: TensorTree[]) => readonly [TensorTree, Tensor], p: readonly TensorTree[], t: readonly TensorTree[], o: { hasAux: true }) => [TensorTree, TensorTree, Tensor];
  const [, hv, value] = forward(gradAndValue, primals, tangents, { hasAux: true });
  return [value, hv as A];
}
