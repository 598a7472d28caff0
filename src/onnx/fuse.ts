// Patterns of primitives that ONNX has one operator for. chainrule computes a convolution as im2col (unfold), a
// matrix product and reshapes, a transposed one as a matrix product and col2im (fold), and max pooling as its
// winners' indices and a gather; mapped one primitive at a time they give a correct but slow graph (a one-hot
// convolution, then a MatMul). Found here, each becomes ONNX's own Conv, ConvTranspose or MaxPool, which every
// ONNX engine runs with its fastest kernels.
import type { StructuralParams } from "../ops/structural.js";
import type { Tensor } from "../tensor/tensor.js";
import { attr } from "./builder.js";
import type { GraphBuilder } from "./builder.js";
import type { TracedOp } from "./trace.js";
import { asWindowNd, maxPoolAttrs, windowNdAttrs } from "./windows.js";

/** A fused pattern: the op whose result it computes, the ops it replaces, and how it is written. */
export interface Fusion {
  readonly last: TracedOp;
  readonly replaced: readonly TracedOp[];
  readonly emit: (b: GraphBuilder, nameOf: (t: Tensor) => string) => string;
}


/** Finds the convolutions and max poolings among `ops` whose intermediates nothing else reads. */
export function findFusions(ops: readonly TracedOp[], outputs: readonly Tensor[], isParam: (t: Tensor) => boolean): Fusion[] {
  const producer = new Map<Tensor, TracedOp>();
  const uses = new Map<Tensor, number>();
  for (const op of ops) {
    producer.set(op.out, op);
    for (const t of op.inputs) uses.set(t, (uses.get(t) ?? 0) + 1);
  }
  for (const o of outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  // An intermediate the fused operator hides must be read by the pattern alone.
  const private_ = (op: TracedOp | undefined): op is TracedOp => op !== undefined && uses.get(op.out) === 1;
  const fusions: Fusion[] = [];

  for (const last of ops) {
    if (last.prim === "fold" || last.prim === "foldNd") {
      const fusion = convTranspose(last, producer, private_, isParam);
      if (fusion !== null) fusions.push(fusion);
      continue;
    }
    if (last.prim !== "reshape" || last.out.ndim < 3) continue;
    const mid = producer.get(last.inputs[0]!);
    if (!private_(mid)) continue;

    // Conv: reshape(matmul(reshape(W), [reshape](unfold(x)))) with W a [O, C/g, ...kernel] parameter (unfoldNd
    // for 3-d, and for uneven padding).
    if (mid.prim === "matmul") {
      const p = mid.params as StructuralParams["matmul"];
      if (p.transA || p.transB || p.sumBatch === true) continue;
      const wr = producer.get(mid.inputs[0]!);
      let cols = producer.get(mid.inputs[1]!);
      const grouped = cols?.prim === "reshape" && private_(cols) ? cols : null;
      if (grouped !== null) cols = producer.get(grouped.inputs[0]!);
      if (wr?.prim !== "reshape" || !private_(wr) || (cols?.prim !== "unfold" && cols?.prim !== "unfoldNd") || !private_(cols)) continue;
      const w = wr.inputs[0]!;
      const x = cols.inputs[0]!;
      const window = asWindowNd((cols.params as StructuralParams["unfold" | "unfoldNd"]).window);
      if (!isParam(w) || w.ndim !== x.ndim || last.out.ndim !== x.ndim || window.padValue !== 0 || window.padAfter.some((p) => p < 0)) continue;
      const groups = x.shape[1]! / w.shape[1]!;
      if (!Number.isInteger(groups) || last.out.shape[1] !== w.shape[0]) continue;
      fusions.push({
        last, replaced: [wr, cols, ...(grouped === null ? [] : [grouped]), mid],
        emit: (b, nameOf) => b.op("Conv", [nameOf(x), nameOf(w)], [...windowNdAttrs(window), attr.int("group", groups)]),
      });
      continue;
    }

    // MaxPool: reshape(gather(reshape(x), reshape(maxPool2dIndices(x)), dim 2)), or maxPoolNdIndices.
    if (mid.prim === "gather" && (mid.params as StructuralParams["gather"]).dim === 2) {
      const flat = producer.get(mid.inputs[0]!);
      const idx = producer.get(mid.inputs[1]!);
      const pool = idx === undefined ? undefined : producer.get(idx.inputs[0]!);
      if (flat?.prim !== "reshape" || !private_(flat) || idx?.prim !== "reshape" || !private_(idx) || (pool?.prim !== "maxPool2dIndices" && pool?.prim !== "maxPoolNdIndices") || !private_(pool)) continue;
      const x = pool.inputs[0]!;
      if (flat.inputs[0] !== x || x.ndim !== last.out.ndim) continue;
      if (pool.prim === "maxPoolNdIndices") {
        const { window } = pool.params as StructuralParams["maxPoolNdIndices"];
        if (x.ndim !== window.kernel.length + 2) continue;
        fusions.push({ last, replaced: [pool, flat, idx, mid], emit: (b, nameOf) => b.op("MaxPool", [nameOf(x)], maxPoolAttrs(window)) });
        continue;
      }
      if (x.ndim !== 4) continue;
      const { window, outShape } = pool.params as StructuralParams["maxPool2dIndices"];
      const floorSize = (d: number) => Math.floor((x.shape[d + 2]! + 2 * window.padding[d]! - window.dilation[d]! * (window.kernel[d]! - 1) - 1) / window.stride[d]!) + 1;
      const ceil = outShape[2] !== floorSize(0) || outShape[3] !== floorSize(1) ? 1 : 0;
      fusions.push({
        last, replaced: [pool, flat, idx, mid],
        emit: (b, nameOf) => b.op("MaxPool", [nameOf(x)], [...windowNdAttrs(asWindowNd(window)), attr.int("ceil_mode", ceil)]),
      });
    }
  }
  return fusions;
}

/**
 * ConvTranspose: fold(reshape(matmul(reshape(W)ᵀ, reshape(x)))) with W a `[Cin, Cout/g, ...kernel]` parameter, as
 * convTransposeNd computes it. The output's size decides the end of ONNX's `pads` (what the full result loses at the
 * end), or `output_padding` where it is longer than the full result (output padding beyond the padding).
 */
function convTranspose(
  last: TracedOp,
  producer: ReadonlyMap<Tensor, TracedOp>,
  private_: (op: TracedOp | undefined) => op is TracedOp,
  isParam: (t: Tensor) => boolean,
): Fusion | null {
  const cols = producer.get(last.inputs[0]!);
  if (cols?.prim !== "reshape" || !private_(cols)) return null;
  const mm = producer.get(cols.inputs[0]!);
  if (mm?.prim !== "matmul" || !private_(mm)) return null;
  const p = mm.params as StructuralParams["matmul"];
  if (!p.transA || p.transB || p.sumBatch === true) return null;
  const wr = producer.get(mm.inputs[0]!), xr = producer.get(mm.inputs[1]!);
  if (wr?.prim !== "reshape" || !private_(wr) || xr?.prim !== "reshape" || !private_(xr)) return null;
  const w = wr.inputs[0]!, x = xr.inputs[0]!;
  const window = asWindowNd((last.params as StructuralParams["fold" | "foldNd"]).window);
  const dims = window.kernel.length;
  if (!isParam(w) || w.ndim !== dims + 2 || x.ndim !== dims + 2 || last.out.ndim !== dims + 2) return null;
  if (w.shape.slice(2).some((k, d) => k !== window.kernel[d])) return null;
  const cin = w.shape[0]!, coutG = w.shape[1]!;
  const groups = last.out.shape[1]! / coutG;
  if (x.shape[1] !== cin || !Number.isInteger(groups) || cin % groups !== 0) return null;
  // The size comes from fold's output shape: a 2-d fold's window pads evenly whenever that gives the same windows.
  const beyond = last.out.shape.slice(2).map((size, d) => {
    const full = (x.shape[d + 2]! - 1) * window.stride[d]! + window.dilation[d]! * (window.kernel[d]! - 1) + 1 - window.padBefore[d]!;
    return full - size;
  });
  const attrs = [
    attr.ints("kernel_shape", window.kernel),
    attr.ints("strides", window.stride),
    attr.ints("dilations", window.dilation),
    attr.ints("pads", [...window.padBefore, ...beyond.map((e) => Math.max(e, 0))]),
    attr.ints("output_padding", beyond.map((e) => Math.max(-e, 0))),
    attr.int("group", groups),
  ];
  return { last, replaced: [wr, xr, mm, cols], emit: (b, nameOf) => b.op("ConvTranspose", [nameOf(x), nameOf(w)], attrs) };
}
