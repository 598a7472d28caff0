// The few ONNX messages an exported model is made of (onnx.proto's ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto), as plain objects, and their encoding with the protobuf writer.
import type { DType } from "../dtype.js";
import { ProtoWriter } from "./protobuf.js";

/** ONNX's TensorProto.DataType numbers for chainrule's dtypes (and int64, which ONNX wants for shapes and axes). */
export const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11, uint8: 2, int8: 3, int16: 5, float16: 10, bfloat16: 16 } as const;
/** A dtype an exported tensor may have. */
export type OnnxDType = DType | "int64";

/** A node attribute: ONNX's AttributeProto, one of the kinds the exporter writes. */
export type OnnxAttribute =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "ints"; value: readonly number[] }
  | { name: string; kind: "float"; value: number }
  | { name: string; kind: "string"; value: string };

/** One operator application. */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly OnnxAttribute[];
  name: string;
}

/** A constant tensor (an initializer): its values as little-endian bytes. */
export interface OnnxInitializer {
  name: string;
  dtype: OnnxDType;
  dims: readonly number[];
  raw: Uint8Array;
}

/** A graph input or output: a name, a dtype, and a shape whose strings are symbolic (dynamic) dimensions. */
export interface OnnxValueInfo {
  name: string;
  dtype: OnnxDType;
  dims: readonly (number | string)[];
}

/** A whole graph, ready to encode. */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

// AttributeProto.AttributeType
const ATTR_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

function attribute(a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  switch (a.kind) {
    case "float": w.float(2, a.value); break;
    case "int": w.int(3, a.value); break;
    case "string": w.string(4, a.value); break;
    case "ints": w.packedInts(8, a.value); break;
  }
  return w.int(20, ATTR_TYPE[a.kind]);
}

function node(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes) w.message(5, attribute(a));
  return w;
}

function tensorProto(t: OnnxInitializer): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  return w.int(2, ONNX_DTYPE[t.dtype]).string(8, t.name).bytes(9, t.raw);
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === "number" ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE[v.dtype]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Encodes a graph as an ONNX ModelProto for the default ("ai.onnx") domain at `opset`. */
export function encodeModel(graph: OnnxGraph, opts: { opset: number; producerVersion: string; docString?: string }): Uint8Array {
  const g = new ProtoWriter();
  for (const n of graph.nodes) g.message(1, node(n));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensorProto(t));
  for (const i of graph.inputs) g.message(11, valueInfo(i));
  for (const o of graph.outputs) g.message(12, valueInfo(o));
  const m = new ProtoWriter()
    // IR version 8 is the one that goes with opsets 17 and 18 (onnx/docs/Versioning.md).
    .int(1, opts.opset >= 19 ? 9 : 8)
    .string(2, "chainrule")
    .string(3, opts.producerVersion);
  if (opts.docString !== undefined) m.string(6, opts.docString);
  m.message(7, g);
  m.message(8, new ProtoWriter().string(1, "").int(2, opts.opset));
  return m.finish();
}
