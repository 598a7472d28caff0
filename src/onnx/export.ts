// cr.onnx.export: a model's forward pass, traced on example inputs, as an ONNX model (opset 17 or 18) with
// dynamic axes (the batch by default). The pass is traced twice, the second time with every dynamic axis one
// longer, so the shapes that follow those axes are told apart from fixed ones.
import type { Primitive } from "../autograd/primitives.js";
import { ArgumentError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { AnyModule } from "../nn/module.js";
import type { Shape } from "../shape.js";
import { cat } from "../tensor/movement.js";
import { Tensor } from "../tensor/tensor.js";
import { GraphBuilder, OnnxExportError } from "./builder.js";
import { findFusions } from "./fuse.js";
import { encodeModel } from "./model.js";
import type { OnnxValueInfo } from "./model.js";
import { LOWERINGS } from "./structural.js";
import type { LowerContext } from "./structural.js";
import { traceForward } from "./trace.js";
import type { ForwardTrace } from "./trace.js";

/** Options of {@link exportBytes} and {@link exportModel | export}. */
export interface OnnxExportOptions {
  /** Names of the graph inputs, in the order of the example inputs (default `input`, or `input_0`, `input_1`, …). */
  inputNames?: readonly string[];
  /** Names of the graph outputs, in the order forward returns them (default `output`, or `output_0`, …). */
  outputNames?: readonly string[];
  /**
   * The axes of inputs (by input name) whose size may change, each with a symbolic name: PyTorch's
   * `dynamic_axes`. Default: axis 0 of every input, named `batch`. `{}` exports fixed shapes. Outputs' dynamic
   * axes are found by tracing (the axes that follow the inputs' ones), and named after them.
   */
  dynamicAxes?: Readonly<Record<string, Readonly<Record<number, string>>>>;
  /** The ONNX opset, 17 (default) or 18. */
  opset?: number;
  /** A description stored in the model (ModelProto's doc_string). */
  docString?: string;
}

const VERSION = "0.1.0";

function names(given: readonly string[] | undefined, n: number, base: string, what: string): string[] {
  if (given !== undefined) {
    if (given.length !== n) throw new ArgumentError(`onnx.export: ${what} has ${given.length} names for ${n} ${what === "inputNames" ? "inputs" : "outputs"}`);
    return [...given];
  }
  return n === 1 ? [base] : Array.from({ length: n }, (_, i) => `${base}_${i}`);
}

function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

// The two traces must apply the same ops: only then do their parameters tell which shapes follow the batch.
function checkSameStructure(t1: ForwardTrace, t2: ForwardTrace): void {
  const differ = t1.ops.length !== t2.ops.length || t1.ops.some((op, i) => op.prim !== t2.ops[i]!.prim) || t1.outputs.length !== t2.outputs.length;
  if (differ) {
    throw new OnnxExportError("onnx.export: the forward pass applies different ops when a dynamic axis changes size; export with fixed shapes (dynamicAxes: {}) or make forward's ops independent of those sizes");
  }
  const c1 = [...t1.constants.values()], c2 = [...t2.constants.values()];
  if (c1.length !== c2.length) throw new OnnxExportError("onnx.export: forward makes a different number of constants when a dynamic axis changes size");
  for (let i = 0; i < c1.length; i++) {
    const a = c1[i]!, b = c2[i]!;
    const what = `a tensor forward makes from no input or parameter (shape [${a.tensor.shape.join(", ")}])`;
    if (a.tensor.shape.join() !== b.tensor.shape.join()) {
      throw new OnnxExportError(`onnx.export: ${what} changes shape with the dynamic axes (to [${b.tensor.shape.join(", ")}]); it cannot be a constant of the graph (a tensor made with a size read from the input, or detach() of one?)`);
    }
    if (!sameValues(a.values, b.values)) {
      throw new OnnxExportError(`onnx.export: ${what} has different values in two forward passes (random numbers, or detach() of an input?); it cannot be a constant of the graph`);
    }
  }
}

// Each input one longer along each of its dynamic axes (its first slice repeated).
function grown(inputs: readonly Tensor[], axes: readonly (readonly number[])[]): Tensor[] {
  return inputs.map((x, i) => {
    let y = x;
    for (const a of axes[i]!) y = cat([y, y.narrow(a, 0, 1)], a);
    return y;
  });
}

function lowerAll(b: GraphBuilder, t1: ForwardTrace, t2: ForwardTrace, model: AnyModule, opset: number): void {
  const params = new Map<Tensor, string>();
  for (const [name, p] of model.namedParameters()) params.set(p, name);
  for (const [name, p] of model.namedBuffers()) params.set(p, name);
  const nameOf = (t: Tensor, user: string): string => {
    const known = b.names.get(t);
    if (known !== undefined) return known;
    let name: string;
    const param = params.get(t);
    if (param !== undefined) name = b.initializer(b.reserve(param), t.dtype, t.shape, t.toTypedArray() as ArrayLike<number | boolean>);
    else {
      const c = t1.constants.get(t);
      if (c === undefined) throw new OnnxExportError(`onnx.export: internal: an operand of ${user} was neither computed, an input, a parameter nor a constant`);
      name = b.constant(t.dtype, t.shape, c.values);
    }
    b.names.set(t, name);
    return name;
  };
  const fusions = findFusions(t1.ops, t1.outputs, (t) => params.has(t));
  const replaced = new Set(fusions.flatMap((f) => f.replaced));
  const fused = new Map(fusions.map((f) => [f.last, f]));
  t1.ops.forEach((op, i) => {
    if (replaced.has(op)) return;
    const fusion = fused.get(op);
    if (fusion !== undefined) {
      b.names.set(op.out, fusion.emit(b, (t) => nameOf(t, "Conv")));
      return;
    }
    const lower = LOWERINGS[op.prim] as ((c: LowerContext<unknown>) => string) | undefined;
    if (lower === undefined) throw new OnnxExportError(`onnx.export: no ONNX mapping for the primitive '${op.prim}'; mapped: ${Object.keys(LOWERINGS).join(", ")}`);
    const twin = t2.ops[i]!;
    const out = lower({
      b, opset, x: op.inputs.map((t) => nameOf(t, op.prim)), inputs: op.inputs, out: op.out, params: op.params,
      other: { params: twin.params, inShapes: twin.inputs.map((t) => t.shape), outShape: twin.out.shape },
    });
    b.names.set(op.out, out);
  });
  // Outputs that are constants or parameters still need a name.
  for (const o of t1.outputs) nameOf(o, "the output");
}

// The graph outputs under their own names: the node that makes each is renamed; an input, a constant or a
// repeated output gets an Identity.
function nameOutputs(b: GraphBuilder, outputs: readonly Tensor[], outNames: readonly string[], inputNames: ReadonlySet<string>): void {
  const renamed = new Set<string>();
  outputs.forEach((t, i) => {
    const internal = b.names.get(t)!;
    const target = b.reserve(outNames[i]!);
    const producer = b.nodes.findIndex((n) => n.outputs.includes(internal));
    if (producer < 0 || renamed.has(internal) || inputNames.has(internal)) {
      b.node("Identity", [internal], [], [target]);
      return;
    }
    renamed.add(internal);
    for (let k = 0; k < b.nodes.length; k++) {
      const n = b.nodes[k]!;
      if (n.inputs.includes(internal) || n.outputs.includes(internal)) {
        b.nodes[k] = { ...n, inputs: n.inputs.map((s) => (s === internal ? target : s)), outputs: n.outputs.map((s) => (s === internal ? target : s)) };
      }
    }
    for (const [tensor, name] of b.names) if (name === internal) b.names.set(tensor, target);
  });
}

function valueInfo(name: string, t: Tensor, other: Shape, symbols: ReadonlyMap<number, string> | undefined, fallback: string): OnnxValueInfo {
  return {
    name, dtype: t.dtype,
    dims: t.shape.map((d, i) => symbols?.get(i) ?? (d !== other[i] ? fallback : d)),
  };
}

/**
 * The ONNX model of `model`'s forward pass on `exampleInputs`, as bytes (in the browser too). The forward pass is
 * traced (in eval mode: Dropout off, BatchNorm on its running statistics; the modules' modes are restored after)
 * and each primitive it applies mapped to ONNX operators; one without a mapping throws an `OnnxExportError`
 * naming it. Axis 0 of every input is dynamic (the batch) unless `dynamicAxes` says otherwise. Runs on a
 * backend whose tensors can be read synchronously (cpu, wasm).
 *
 * @example
 * ```ts
 * const model = new cr.nn.Sequential(new cr.nn.Linear(4, 8), new cr.nn.ReLU(), new cr.nn.Linear(8, 2));
 * const bytes = cr.onnx.exportBytes(model, cr.randn([1, 4]));   // any batch size in ONNX Runtime
 * ```
 */
export function exportBytes(model: AnyModule, exampleInputs: Tensor | readonly Tensor[], options: OnnxExportOptions = {}): Uint8Array {
  const inputs = exampleInputs instanceof Tensor ? [exampleInputs] : [...exampleInputs];
  for (const x of inputs) if (!(x instanceof Tensor)) throw new TypeError("onnx.export: exampleInputs must be a Tensor or an array of Tensors");
  if (inputs.length === 0) throw new ArgumentError("onnx.export: at least one example input is needed");
  const opset = options.opset ?? 17;
  if (opset !== 17 && opset !== 18) throw new ArgumentError(`onnx.export: opset ${opset} is not supported (17 or 18)`);
  const inNames = names(options.inputNames, inputs.length, "input", "inputNames");
  const dynamic = options.dynamicAxes ?? Object.fromEntries(inNames.map((n) => [n, { 0: "batch" }]));
  for (const key of Object.keys(dynamic)) if (!inNames.includes(key)) throw new ArgumentError(`onnx.export: dynamicAxes names "${key}", which is not an input (${inNames.join(", ")}); outputs' dynamic axes follow from the inputs'`);
  const symbols = inNames.map((n, i) => {
    const m = new Map<number, string>();
    for (const [axis, sym] of Object.entries(dynamic[n] ?? {})) {
      const a = Number(axis);
      if (!Number.isInteger(a) || a < 0 || a >= inputs[i]!.ndim) throw new ArgumentError(`onnx.export: dynamicAxes of "${n}" names axis ${axis}, but the input has ${inputs[i]!.ndim} dims`);
      m.set(a, sym);
    }
    return m;
  });
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  let t1: ForwardTrace, t2: ForwardTrace;
  try {
    t1 = traceForward(model, inputs);
    t2 = traceForward(model, grown(inputs, symbols.map((m) => [...m.keys()])));
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
  checkSameStructure(t1, t2);
  const outNames = names(options.outputNames, t1.outputs.length, "output", "outputNames");
  const b = new GraphBuilder();
  inputs.forEach((x, i) => {
    if (b.names.has(x)) throw new ArgumentError("onnx.export: the same tensor is given as two inputs");
    b.names.set(x, b.reserve(inNames[i]!));
  });
  lowerAll(b, t1, t2, model, opset);
  nameOutputs(b, t1.outputs, outNames, new Set(inNames));
  const allSymbols = [...new Set(symbols.flatMap((m) => [...m.values()]))];
  const fallback = allSymbols.length === 1 ? allSymbols[0]! : "dynamic";
  return encodeModel({
    name: model.constructor.name,
    nodes: b.nodes,
    initializers: b.initializers,
    inputs: inputs.map((x, i) => valueInfo(inNames[i]!, x, x.shape, symbols[i], fallback)),
    outputs: t1.outputs.map((o, i) => valueInfo(outNames[i]!, o, t2.outputs[i]!.shape, undefined, fallback)),
  }, { opset, producerVersion: VERSION, ...(options.docString !== undefined ? { docString: options.docString } : {}) });
}

/**
 * Exports `model` to an ONNX file at `path` (Node; in a browser use {@link exportBytes}): its forward pass on
 * `exampleInputs` traced and mapped to ONNX operators (opset 17 by default), axis 0 of each input dynamic.
 * The file runs in ONNX Runtime (`onnxruntime-node`, `onnxruntime-web`) and any other ONNX engine.
 *
 * @example
 * ```ts
 * const model = new cr.nn.Sequential(new cr.nn.Linear(784, 128), new cr.nn.ReLU(), new cr.nn.Linear(128, 10));
 * cr.onnx.export(model, cr.randn([1, 784]), "mlp.onnx", { inputNames: ["pixels"], outputNames: ["logits"] });
 * ```
 */
export function exportModel(model: AnyModule, exampleInputs: Tensor | readonly Tensor[], path: string, options: OnnxExportOptions = {}): void {
  writeFileAtomic(path, exportBytes(model, exampleInputs, options), "onnx.export");
}

/** The primitives the exporter maps (the others throw an OnnxExportError naming themselves). */
export const SUPPORTED_PRIMITIVES: readonly Primitive[] = Object.keys(LOWERINGS) as Primitive[];
