// Collects the nodes and initializers of the graph being exported: fresh value names, constants (made once
// per value), and the names of the traced tensors.
import type { Tensor } from "../tensor/tensor.js";
import { bfloat16Bits, float16Bits } from "../half-bits.js";
import type { OnnxAttribute, OnnxDType, OnnxInitializer, OnnxNode } from "./model.js";

/**
 * An error for a model the exporter cannot express in ONNX; the message names the op.
 * @example
 * ```ts
 * class RunningTotal extends cr.nn.Module<[cr.Tensor], cr.Tensor> {
 *   forward(t: cr.Tensor): cr.Tensor { return t.cumsum(1); }
 * }
 * cr.onnx.exportBytes(new RunningTotal(), cr.randn([2, 3])); // throws OnnxExportError: no ONNX mapping for the primitive 'cumsum'
 * ```
 */
export class OnnxExportError extends Error {
  override name = "OnnxExportError";
}

/** Little-endian bytes of `values` as `dtype` (the layout of TensorProto's raw_data). */
export function rawBytes(values: ArrayLike<number | boolean | bigint>, dtype: OnnxDType): Uint8Array {
  const n = values.length;
  switch (dtype) {
    case "float32": return bytesOf(Float32Array.from({ length: n }, (_, i) => Number(values[i])));
    case "float64": return bytesOf(Float64Array.from({ length: n }, (_, i) => Number(values[i])));
    case "int32": return bytesOf(Int32Array.from({ length: n }, (_, i) => Number(values[i])));
    case "int64": return bytesOf(BigInt64Array.from({ length: n }, (_, i) => BigInt(values[i]!)));
    case "bool": return Uint8Array.from({ length: n }, (_, i) => (values[i] ? 1 : 0));
    case "int8": return bytesOf(Int8Array.from({ length: n }, (_, i) => Number(values[i])));
    case "uint8": return Uint8Array.from({ length: n }, (_, i) => Number(values[i]));
    case "int16": return bytesOf(Int16Array.from({ length: n }, (_, i) => Number(values[i])));
    case "float16": return bytesOf(Uint16Array.from({ length: n }, (_, i) => float16Bits(Number(values[i]))));
    case "bfloat16": return bytesOf(Uint16Array.from({ length: n }, (_, i) => bfloat16Bits(Number(values[i]))));
  }
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  // JavaScript engines run little-endian on every platform they ship on, as raw_data requires.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The graph under construction. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  /** The value name of each traced tensor (inputs, parameters, constants, results). */
  readonly names = new Map<Tensor, string>();
  readonly #used = new Set<string>();
  readonly #constants = new Map<string, string>();

  /** A name no other value has, from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.#used.has(name); i++) name = `${base}_${i}`;
    this.#used.add(name);
    return name;
  }

  /** Reserves `name` exactly (graph inputs, outputs, parameters); throws if taken. */
  reserve(name: string): string {
    if (this.#used.has(name)) throw new OnnxExportError(`onnx.export: the name "${name}" is used twice`);
    this.#used.add(name);
    return name;
  }

  /** Adds an initializer named `name` (already reserved or fresh). */
  initializer(name: string, dtype: OnnxDType, dims: readonly number[], values: ArrayLike<number | boolean | bigint>): string {
    this.initializers.push({ name, dtype, dims: [...dims], raw: rawBytes(values, dtype) });
    return name;
  }

  /** A constant tensor, shared by every node that asks for the same one. */
  constant(dtype: OnnxDType, dims: readonly number[], values: ArrayLike<number | boolean | bigint>): string {
    const key = `${dtype}|${dims.join(",")}|${Array.from(values, (v) => (Object.is(v, -0) ? "-0" : String(v))).join(",")}`;
    let name = this.#constants.get(key);
    if (name === undefined) {
      name = this.initializer(this.fresh(dims.length === 0 ? "scalar" : "const"), dtype, dims, values);
      this.#constants.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, starts and ends of slices). */
  ints(values: readonly number[]): string {
    return this.constant("int64", [values.length], values);
  }

  /** A 0-D constant of `dtype`. */
  scalar(value: number | boolean, dtype: OnnxDType): string {
    return this.constant(dtype, [], [value]);
  }

  /** Adds a node; returns its output names (`outputs` fresh names unless given). */
  node(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === "number" ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : [...outputs];
    this.nodes.push({ opType, inputs, outputs: outs, attributes, name: this.fresh(`${opType}_node`) });
    return outs;
  }

  /** A node with one output; returns its name. */
  op(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = []): string {
    return this.node(opType, inputs, attributes)[0]!;
  }
}

/** Attribute helpers. */
export const attr = {
  int: (name: string, value: number): OnnxAttribute => ({ name, kind: "int", value }),
  ints: (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: "ints", value }),
  float: (name: string, value: number): OnnxAttribute => ({ name, kind: "float", value }),
};
