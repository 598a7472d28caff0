// Runs a primitive: its forward kernel on the backend, and, when gradients are needed, a graph node.
import type { CompleteBackend, DataBuf } from "../backend/backend.js";
import type { DType } from "../dtype.js";
import { computeDType, isStorageDType } from "../dtype.js";
import { ArgumentError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { narrowArray, narrowBuffer } from "../tensor/narrow.js";
import { restoring } from "../restore.js";
import { Tensor } from "../tensor/tensor.js";
import { checkForward, isAnomalyEnabled } from "./anomaly.js";
import { isForwardAdActive, propagateTangents } from "./forward-ad.js";
import { FunctionNode } from "./function-node.js";
import { isGradEnabled } from "./grad-mode.js";
import type { Node } from "./node.js";
import { rules } from "./primitives.js";
import type { Primitive, PrimitiveParams } from "./primitives.js";
import type { Rule } from "./rule.js";

// Primitives whose result is integer positions (int32), whatever their input's dtype.
const INDEX_RESULTS: ReadonlySet<string> = new Set(["argmax", "argmin", "cumulativeIndex", "argsort", "maxPool2dIndices", "maxPoolNdIndices"]);

// Primitives whose parameters name their result's dtype exactly (a cast of int64 to float64 stays float64).
const EXACT_DTYPE: ReadonlySet<string> = new Set(["elementwise", "sum"]);

// The dtype of a primitive's result. Backends compute the storage dtypes (int8, float16, …) in their compute dtype,
// so a rule reports the compute dtype unless it names the storage one itself (elementwise and sum do, from their
// parameters): a result computed in an input's compute dtype then has that input's dtype, as PyTorch's would.
function storageDTypeOf(prim: string, inputs: readonly Tensor[], dtype: DType): DType {
  if (isStorageDType(dtype) || EXACT_DTYPE.has(prim)) return dtype;
  for (const t of inputs) {
    if (t._computeDtype === dtype) return t.dtype === dtype || INDEX_RESULTS.has(prim) ? dtype : t.dtype;
  }
  return dtype;
}

// A fresh result of a storage dtype, brought into it (wrapped, rounded); an input's own buffer is never released.
function narrowResult(op: string, backend: CompleteBackend, inputs: readonly Tensor[], buf: DataBuf, size: number, dtype: DType): DataBuf {
  if (inputs.some((t) => t._storage === buf)) {
    const copy = backend.readSync?.(buf, computeDType(dtype), size);
    return copy === undefined ? narrowBuffer(backend, buf, size, dtype, op) : backend.fromArray(narrowArray(op, copy.slice(), dtype));
  }
  return narrowBuffer(backend, buf, size, dtype, op);
}

const backwardNames = new Map<string, string>();
function backwardName(prim: string): string {
  let name = backwardNames.get(prim);
  if (name === undefined) {
    name = `${prim[0]!.toUpperCase()}${prim.slice(1)}Backward`;
    backwardNames.set(prim, name);
  }
  return name;
}

// viz's `trace` sees each recorded node with its result here (to show intermediate values); null costs nothing.
let recordHook: ((node: Node, output: Tensor) => void) | null = null;
/** @internal The hook installed now (a nested trace calls it too). */
export function currentRecordHook(): ((node: Node, output: Tensor) => void) | null {
  return recordHook;
}

/** @internal Installs the hook that sees every recorded node and its result, until the returned Disposable is disposed. */
export function setRecordHook(hook: ((node: Node, output: Tensor) => void) | null): Disposable {
  const previous = recordHook;
  recordHook = hook;
  return restoring(() => (recordHook = previous));
}

// onnx's exporter sees every primitive applied (recorded or not) with its inputs, parameters and result; null costs nothing.
let primitiveHook: ((prim: Primitive, inputs: readonly Tensor[], params: unknown, out: Tensor) => void) | null = null;

/** @internal Installs the hook that sees every primitive applied, until the returned Disposable is disposed. */
export function setPrimitiveHook(hook: ((prim: Primitive, inputs: readonly Tensor[], params: unknown, out: Tensor) => void) | null): Disposable {
  const previous = primitiveHook;
  primitiveHook = hook;
  return restoring(() => (primitiveHook = previous));
}

/**
 * @internal Whether a trace sees every primitive now (onnx's exporter): ops with a fused primitive and a composite
 * (attention) then take the composite, made of ops other engines know.
 */
export function tracingPrimitives(): boolean {
  return primitiveHook !== null;
}

/** Applies primitive `prim` to `inputs`; the single entry point from the tensor API to the backends. */
export function applyPrimitive<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P]): Tensor {
  const rule = rules[prim] as Rule<PrimitiveParams[P]>;
  const op = rule.name === undefined ? prim : rule.name(params);
  const backend = inputs[0]!._backend;
  for (const t of inputs) {
    if (t._backend !== backend) {
      throw new ArgumentError(`${op}: tensors live on different backends (${backend.name} and ${t._backend.name})`);
    }
  }
  const result = rule.forward(backend, inputs.map((t) => t._data()), params);
  const dtype = storageDTypeOf(prim, inputs, result.dtype);
  const buf = rule.view || !isStorageDType(dtype) ? result.buf : narrowResult(op, backend, inputs, result.buf, sizeOf(result.shape), dtype);
  const out = Tensor._create(buf, result.shape, dtype, backend, rule.view ? inputs[0]!._version : undefined);
  primitiveHook?.(prim, inputs, params, out);
  if (isAnomalyEnabled()) checkForward(op, backwardName(op), inputs, out); // before recording: a throw leaves nothing behind
  if (rule.view) {
    // In-place changes through the base or any view must reach the others' histories (tensor/inplace.ts).
    out._viewBase = inputs[0]!._viewBase ?? inputs[0]!;
    out._historyVersion = out._version.value;
  }
  const differentiable = rule.vjp !== undefined && (rule.differentiable === undefined || rule.differentiable(params));
  if (differentiable && isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    const edges = inputs.map((t) => (t.requiresGrad ? t._gradientEdge() : null));
    out._setGradFn(new FunctionNode(backwardName(op), edges, rule, params, inputs, out));
    recordHook?.(out.gradFn!, out);
  }
  if (differentiable && isForwardAdActive()) propagateTangents(op, rule, inputs, out, params);
  return out;
}
