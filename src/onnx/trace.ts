// Runs a model's forward pass once and records every primitive it applies (through the dispatcher's primitive
// hook), with what the exporter needs to map it: which tensors are the inputs, the parameters, and constants
// made inside forward (their values read while they are alive: a sealed module call frees its intermediates).
import { setPrimitiveHook } from "../autograd/dispatch.js";
import type { Primitive } from "../autograd/primitives.js";
import { noGrad } from "../autograd/grad-mode.js";
import type { AnyModule } from "../nn/module.js";
import { Tensor } from "../tensor/tensor.js";

/** One primitive applied during the traced forward pass. */
export interface TracedOp {
  readonly prim: Primitive;
  readonly inputs: readonly Tensor[];
  readonly params: unknown;
  readonly out: Tensor;
}

/** A constant the forward pass made (not an input, a parameter, or a result of them), with its values. */
export interface TracedConstant {
  readonly tensor: Tensor;
  readonly values: ArrayLike<number | boolean>;
}

/** What one forward pass did. */
export interface ForwardTrace {
  /** The primitives that depend on an input or a parameter, in the order they ran. */
  readonly ops: readonly TracedOp[];
  /** Tensors computed from constants alone (folded into constants), and constants made in forward. */
  readonly constants: ReadonlyMap<Tensor, TracedConstant>;
  /** The forward pass's results, flattened (arrays walked, null skipped). */
  readonly outputs: readonly Tensor[];
}

function flattenOutputs(out: unknown, into: Tensor[]): Tensor[] {
  if (out instanceof Tensor) into.push(out);
  else if (Array.isArray(out)) for (const o of out) flattenOutputs(o, into);
  else if (out !== null && out !== undefined) {
    throw new TypeError(`onnx.export: the model's forward returned ${typeof out}; it must return a Tensor or an array of Tensors (null entries are skipped)`);
  }
  return into;
}

/**
 * Runs `model.forward(...inputs)` without gradients and records its primitives. `live` starts as the inputs
 * and the parameters; every result of a primitive with a live input is live, and is recorded. A primitive on
 * constants alone is folded: its result becomes a constant, its values read at once.
 */
export function traceForward(model: AnyModule, inputs: readonly Tensor[]): ForwardTrace {
  const live = new Set<Tensor>(inputs);
  for (const [, p] of model.namedParameters()) live.add(p);
  for (const [, b] of model.namedBuffers()) live.add(b);
  const ops: TracedOp[] = [];
  const constants = new Map<Tensor, TracedConstant>();
  const constant = (t: Tensor): void => {
    if (!constants.has(t)) constants.set(t, { tensor: t, values: t.toTypedArray() as ArrayLike<number | boolean> });
  };
  // detach() makes a tensor with no primitive, sharing its source's memory and version counter: found by that,
  // it is the source (forward's values are the same; gradients don't matter here).
  const sources = new Map<object, Tensor[]>();
  const addLive = (t: Tensor): void => {
    live.add(t);
    const list = sources.get(t._version);
    if (list === undefined) sources.set(t._version, [t]);
    else list.push(t);
  };
  for (const t of [...live]) addLive(t);
  const resolve = (t: Tensor): Tensor => {
    if (live.has(t)) return t;
    // Views share a counter too; those of the same shape and dtype share the values.
    const same = sources.get(t._version)?.findLast((s) => s.shape.join() === t.shape.join() && s.dtype === t.dtype);
    return same ?? t;
  };
  let result: unknown;
  {
    using _hook = setPrimitiveHook((prim, given, params, out) => {
      const ins = given.map(resolve);
      if (ins.some((t) => live.has(t))) {
        for (const t of ins) if (!live.has(t)) constant(t);
        addLive(out);
        ops.push({ prim, inputs: ins, params, out });
      } else {
        constant(out);
      }
    });
    result = noGrad(() => (model.forward as (...a: Tensor[]) => unknown)(...inputs));
  }
  const outputs = flattenOutputs(result, []).map(resolve);
  if (outputs.length === 0) throw new TypeError("onnx.export: the model's forward returned no tensor");
  for (const o of outputs) if (!live.has(o)) constant(o);
  return { ops, constants, outputs };
}
