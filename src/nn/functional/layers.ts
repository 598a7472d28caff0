// Functional layers without state: linear, embedding, dropout and oneHot.
import { requireFloating } from "../../dtype.js";
import { ArgumentError, DTypeError, IndexError, ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { unrecorded } from "../../tensor/capture.js";
import { arange, randLike } from "../../tensor/creation.js";
import { checkTensor, eq, where } from "../../tensor/elementwise.js";
import { linearBT, matmulBT } from "../../tensor/linalg.js";
import type { Tensor } from "../../tensor/tensor.js";
import { asIndexTensor } from "../../tensor/index-dtype.js";

/**
 * Reads every element of an int32 tensor and throws an IndexError, naming `op`, at the first one outside [0, size)
 * other than `allowed` (an ignore index); returns whether `allowed` occurs. The loss kernels check their targets too
 * (a captured graph's replay does not come through here), with the same error and wording. On a backend that
 * reads only asynchronously (a GPU) nothing is read: its kernels check, and `allowed` is taken to occur.
 */
export function checkIndices(op: string, index: Tensor, size: number, what: string, allowed?: number): boolean {
  if (!index.readsSynchronously) return allowed !== undefined;
  // Inside captureGraph this checks the capture's indices only: replays do not read them.
  const data = unrecorded(() => index.toTypedArray());
  let sawAllowed = false;
  for (const v of data) {
    if (v === allowed) sawAllowed = true; // an ignored target may also be a class's index
    else if (v < 0 || v >= size) throw new IndexError(`${op}: ${what} ${v} is out of bounds for ${size} ${what === "index" ? "embeddings" : "classes"}`);
  }
  return sawAllowed;
}

/** `linear` with `op` naming the caller in errors (the Linear module passes its own name). */
export function linearAs(op: string, input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  checkTensor(op, input);
  checkTensor(op, weight);
  requireFloating(op, input.dtype);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be [outFeatures, inFeatures], got ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inF) {
    throw new ShapeError(`${op}: input ${fmt(input.shape)} has ${input.shape[input.ndim - 1] ?? 0} features, expected ${inF}`);
  }
  if (input.dtype !== weight.dtype) {
    throw new DTypeError(`${op}: input is ${input.dtype} but the weight is ${weight.dtype}; convert the input with .to("${weight.dtype}") or the module with .to("${input.dtype}")`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new ShapeError(`${op}: bias must be [${outF}], got ${fmt(bias.shape)}`);
  // x·Wᵀ with W read transposed in place (a 1-D input is one row); for a batch of rows, the bias is added in the same kernel.
  if (bias !== null && input.ndim === 2 && bias.dtype === input.dtype) return linearBT(input, weight, bias);
  // Leading dims folded into the rows, as PyTorch's linear does: one product of [rows, in] (a reshape, no copy
  // for a contiguous input) instead of a batch of small ones, and in backward one product for the weight's
  // gradient over all rows, not a sum of per-batch products (W7's GPT: 12 → 1 products a layer, 3–5× fewer
  // hand-offs to the worker threads).
  if (input.ndim > 2) {
    const lead = input.shape.slice(0, -1);
    const rows = lead.reduce((p, d) => p * d, 1);
    return linearAs(op, input.reshape([rows, inF]), weight, bias).reshape([...lead, outF]);
  }
  const out = input.ndim >= 2 ? matmulBT(input, weight) : matmulBT(input.unsqueeze(0), weight).squeeze(0);
  return bias === null ? out : out.add(bias);
}

/**
 * `input @ weightᵀ + bias`, with weight `[outFeatures, inFeatures]` and any leading dims on input.
 * @example cr.nn.functional.linear(x, w, b) // x [N, in] → [N, out]
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearAs("linear", input, weight, bias);
}

/** Options of `embedding`. */
export interface EmbeddingFnOptions {
  /** Rows at this index get no gradient (the weight row itself is used as it is). */
  paddingIdx?: number | null;
}

/** `embedding` with `op` naming the caller in errors. */
export function embeddingAs(op: string, input: Tensor, weight: Tensor, opts: EmbeddingFnOptions = {}): Tensor {
  checkTensor(op, input);
  checkTensor(op, weight);
  input = asIndexTensor(op, input, "indices");
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be [numEmbeddings, embeddingDim], got ${fmt(weight.shape)}`);
  const [num, dim] = weight.shape as [number, number];
  checkIndices(op, input, num, "index");
  const out = weight.indexSelect(0, input.reshape([-1])).reshape([...input.shape, dim]);
  const pad = opts.paddingIdx;
  if (pad === undefined || pad === null) return out;
  if (!Number.isInteger(pad) || pad < -num || pad >= num) throw new ArgumentError(`${op}: paddingIdx ${pad} must be within [-${num}, ${num})`);
  // Same values, but the padding positions read a detached copy, so no gradient reaches that row.
  return where(eq(input, pad < 0 ? pad + num : pad).unsqueeze(-1), out.detach(), out);
}

/**
 * Looks up rows of `weight` by int32 indices of any shape: `[...input.shape, embeddingDim]`.
 * @example cr.nn.functional.embedding(cr.tensor([[1, 2]], { dtype: "int32" }), table)
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingFnOptions = {}): Tensor {
  return embeddingAs("embedding", input, weight, opts);
}

/**
 * Inverted dropout: in training, zeroes each element with probability `p` and scales the rest by
 * `1/(1-p)`, so evaluation needs no rescaling; the identity when `training` is false. Draws from
 * the default generator, so `cr.manualSeed` makes it repeatable.
 * @example cr.nn.functional.dropout(h, 0.2, model.training)
 */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  checkTensor("dropout", input);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ArgumentError(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  requireFloating("dropout", input.dtype);
  if (p === 1) return input.mul(0);
  const keep = randLike(input).lt(1 - p);
  return input.mul(keep.to(input.dtype).mul(1 / (1 - p)));
}

/**
 * One-hot encoding of int32 class indices: `[...shape, numClasses]` int32 (PyTorch gives int64).
 * `numClasses` -1 means the largest index + 1.
 * @example cr.nn.functional.oneHot(cr.tensor([0, 2], { dtype: "int32" }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  checkTensor("oneHot", input);
  if (input.dtype !== "int32") throw new DTypeError(`oneHot: expected an int32 tensor of class indices, got ${input.dtype}`);
  let n = numClasses;
  if (n === -1) {
    if (input.numel() === 0) throw new ArgumentError("oneHot: cannot infer numClasses from an empty tensor");
    if (!input.readsSynchronously) throw new ArgumentError(`oneHot: numClasses -1 needs the largest index, which the ${input.device} backend reads only asynchronously; pass numClasses`);
    let max = -Infinity;
    for (const v of input.toTypedArray()) max = Math.max(max, v);
    n = max + 1;
  }
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`oneHot: numClasses must be a positive integer or -1, got ${numClasses}`);
  checkIndices("oneHot", input, n, "class");
  return eq(input.unsqueeze(-1), arange(n)).to("int32");
}
