// MultiheadAttention with PyTorch's parameters and state-dict names (in_proj_weight, out_proj, bias_k, …),
// its mask conventions and its sequence-first or batch-first layouts; the attention itself is functional/attention's.
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { full, zeros } from "../tensor/creation.js";
import { checkTensor, where } from "../tensor/elementwise.js";
import { cat } from "../tensor/movement.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, emptyParameter, floatDType } from "./common.js";
import type { DTypeOption } from "./common.js";
import { attend, causalMask, checkDropout } from "./functional/attention.js";
import { linearAs } from "./functional/layers.js";
import * as init from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import type { Parameter } from "./parameter.js";

/** Options of `MultiheadAttention`, as PyTorch's keyword arguments. */
export interface MultiheadAttentionOptions extends DTypeOption {
  /** Dropout probability on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Learn one more key and value (`bias_k`, `bias_v`) appended to every sequence (default false). */
  addBiasKv?: boolean;
  /** Append a key and value of zeros to every sequence (default false). */
  addZeroAttn?: boolean;
  /** Features of the keys (default embedDim); with kdim or vdim ≠ embedDim the projections are separate weights. */
  kdim?: number | null;
  /** Features of the values (default embedDim). */
  vdim?: number | null;
  /** Inputs and outputs are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default false). */
  batchFirst?: boolean;
}

/** The arguments of `MultiheadAttention.forward` after query, key and value. */
export interface MultiheadAttentionForwardOptions {
  /** `[N, S]` (or `[S]` unbatched): bool where **true marks a key to ignore** (padding), or a float added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights (default true). */
  needWeights?: boolean;
  /**
   * `[L, S]` or `[N·numHeads, L, S]`: bool where **true marks a pair that may not attend** (the opposite of
   * scaledDotProductAttention's), or a float added to the scores.
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true): `[N, L, S]` instead of `[N, numHeads, L, S]`. */
  averageAttnWeights?: boolean;
  /** `attnMask` is the causal mask; without an `attnMask`, the causal mask is built (query i attends keys ≤ i). */
  isCausal?: boolean;
}

type Forward = [query: Tensor, key: Tensor, value: Tensor, opts?: MultiheadAttentionForwardOptions];

/** A mask in one of two forms the attention takes: "allowed" (bool, true = take part) or an additive float. */
type Mask = { allowed: Tensor } | { add: Tensor };

/**
 * Multi-head attention as PyTorch's `nn.MultiheadAttention`: `numHeads` heads of size
 * `embedDim / numHeads`, the query, key and value projections packed in `in_proj_weight` `[3E, E]`
 * (or `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when kdim or vdim differ), biases in
 * `in_proj_bias`, and `out_proj` a Linear — so PyTorch state dicts load as they are. Inputs are
 * `[L, N, E]` (`[N, L, E]` with `batchFirst`, or `[L, E]` unbatched); `forward` returns the output
 * and the attention weights (averaged over heads by default), or null with `needWeights: false`.
 * Query rows whose keys are all masked give zeros rather than PyTorch's NaN.
 * @example
 * const mha = new cr.nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = cr.randn([2, 5, 16]);
 * const [out, weights] = mha.forward(x, x, x); // [2, 5, 16] and [2, 5, 5]
 */
export class MultiheadAttention extends Module<Forward, [Tensor, Tensor | null]> {
  /** The size of the queries and of the output. */
  readonly embedDim: number;
  /** The number of attention heads. */
  readonly numHeads: number;
  /** Each head's size: `embedDim / numHeads`. */
  readonly headDim: number;
  /** The size of the keys. */
  readonly kdim: number;
  /** The size of the values. */
  readonly vdim: number;
  /** The dropout probability on the attention weights in training. */
  readonly dropout: number;
  /** Inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  /** Whether a position of zeros is appended to the key and value sequences (PyTorch's `add_zero_attn`). */
  readonly addZeroAttn: boolean;
  /** The query, key and value projections stacked `[3·embedDim, embedDim]`, or null when keys or values have other sizes. */
  in_proj_weight: Parameter | null;
  /** The query projection when `kdim` or `vdim` differs from `embedDim`, else null. */
  q_proj_weight: Parameter | null;
  /** The key projection when `kdim` or `vdim` differs from `embedDim`, else null. */
  k_proj_weight: Parameter | null;
  /** The value projection when `kdim` or `vdim` differs from `embedDim`, else null. */
  v_proj_weight: Parameter | null;
  /** The bias of the query, key and value projections stacked, or null without bias. */
  in_proj_bias: Parameter | null;
  /** The output projection. */
  out_proj: Linear;
  /** A learned bias appended to the keys, or null. */
  bias_k: Parameter | null;
  /** A learned bias appended to the values, or null. */
  bias_v: Parameter | null;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const op = "MultiheadAttention";
    this.embedDim = checkInt(op, "embedDim", embedDim, 1);
    this.numHeads = checkInt(op, "numHeads", numHeads, 1);
    if (embedDim % numHeads !== 0) throw new ArgumentError(`${op}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = checkInt(op, "kdim", opts.kdim ?? embedDim, 1);
    this.vdim = checkInt(op, "vdim", opts.vdim ?? embedDim, 1);
    this.dropout = checkDropout(op, opts.dropout ?? 0);
    this.batchFirst = opts.batchFirst ?? false;
    this.addZeroAttn = opts.addZeroAttn ?? false;
    const dtype = floatDType(op, opts.dtype);
    const E = embedDim;
    const packed = this.kdim === E && this.vdim === E;
    // Assigned in PyTorch's order, so state dicts list the same keys in the same order.
    this.in_proj_weight = packed ? emptyParameter([3 * E, E], dtype) : null;
    this.q_proj_weight = packed ? null : emptyParameter([E, E], dtype);
    this.k_proj_weight = packed ? null : emptyParameter([E, this.kdim], dtype);
    this.v_proj_weight = packed ? null : emptyParameter([E, this.vdim], dtype);
    this.in_proj_bias = opts.bias === false ? null : emptyParameter([3 * E], dtype);
    this.out_proj = new Linear(E, E, { bias: opts.bias !== false, dtype });
    this.bias_k = opts.addBiasKv ? emptyParameter([1, 1, E], dtype) : null;
    this.bias_v = opts.addBiasKv ? emptyParameter([1, 1, E], dtype) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's `_reset_parameters`: Xavier-uniform projections, zero biases, Xavier-normal bias_k and bias_v.
   * @example mha.resetParameters();
   */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w !== null) init.xavierUniform_(w);
    if (this.in_proj_bias !== null) {
      init.zeros_(this.in_proj_bias);
      if (this.out_proj.bias !== null) init.zeros_(this.out_proj.bias);
    }
    if (this.bias_k !== null) init.xavierNormal_(this.bias_k);
    if (this.bias_v !== null) init.xavierNormal_(this.bias_v);
  }

  /** The packed input projection `[3E, E]` (state-dict name `in_proj_weight`), or null when kdim/vdim differ. */
  get inProjWeight(): Parameter | null {
    return this.in_proj_weight;
  }
  /** The packed input-projection bias `[3E]` (`in_proj_bias`), or null without biases. */
  get inProjBias(): Parameter | null {
    return this.in_proj_bias;
  }
  /** The output projection (`out_proj`). */
  get outProj(): Linear {
    return this.out_proj;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.MultiheadAttention(8, 2).forward(cr.zeros([3, 1, 8]), cr.zeros([3, 1, 8]), cr.zeros([3, 1, 8]))[0].shape // [3, 1, 8] */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const op = this.moduleName;
    const { keyPaddingMask = null, needWeights = true, attnMask = null, averageAttnWeights = true, isCausal = false } = opts;
    for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const) {
      checkTensor(op, t);
      if (t.ndim !== 2 && t.ndim !== 3) throw new ShapeError(`${op}: ${name} must be 3-D (batched) or 2-D (unbatched), got ${fmt(t.shape)}`);
      if (t.ndim !== query.ndim) throw new ShapeError(`${op}: query ${fmt(query.shape)} is ${query.ndim}-D but ${name} is ${fmt(t.shape)}; all must be batched or all unbatched`);
      if (t.dtype !== this.out_proj.weight.dtype) {
        throw new DTypeError(`${op}: ${name} is ${t.dtype} but the module is ${this.out_proj.weight.dtype}; convert one with .to()`);
      }
    }
    const batched = query.ndim === 3;
    // Batch-first internally; the same tensor object stays the same, so self-attention is seen as such.
    const toInner = (t: Tensor): Tensor => (!batched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    const q = toInner(query);
    const k = key === query ? q : toInner(key);
    const v = value === key ? k : value === query ? q : toInner(value);
    const [N, L, E] = q.shape as [number, number, number];
    if (E !== this.embedDim) throw new ShapeError(`${op}: query ${fmt(query.shape)} has ${E} features, expected embedDim ${this.embedDim}`);
    if (k.shape[2] !== this.kdim) throw new ShapeError(`${op}: key ${fmt(key.shape)} has ${k.shape[2]} features, expected kdim ${this.kdim}`);
    if (v.shape[2] !== this.vdim) throw new ShapeError(`${op}: value ${fmt(value.shape)} has ${v.shape[2]} features, expected vdim ${this.vdim}`);
    if (k.shape[0] !== N || v.shape[0] !== N) throw new ShapeError(`${op}: query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} have different batch sizes`);
    if (k.shape[1] !== v.shape[1]) throw new ShapeError(`${op}: key ${fmt(key.shape)} and value ${fmt(value.shape)} must have the same sequence length`);
    const S = k.shape[1]!;
    const H = this.numHeads;
    const masks = this.#masks(attnMask, keyPaddingMask, batched, N, L, S, q.dtype);

    const [Q, projK, projV] = this.#project(q, k, v);
    let K = projK, V = projV;
    let extra = 0; // keys appended after the S given ones
    if (this.bias_k !== null && this.bias_v !== null) {
      K = cat([K, this.bias_k.expand([N, 1, E])], 1);
      V = cat([V, this.bias_v.expand([N, 1, E])], 1);
      extra++;
    }
    const heads = (t: Tensor): Tensor => t.reshape([N, t.shape[1]!, H, this.headDim]).transpose(1, 2);
    const Qh = heads(Q);
    let Kh = heads(K), Vh = heads(V);
    if (this.addZeroAttn) {
      const z = zeros([N, H, 1, this.headDim], { dtype: q.dtype });
      Kh = cat([Kh, z], 2);
      Vh = cat([Vh, z], 2);
      extra++;
    }
    const mask = combine(masks, extra);
    const causal = isCausal && attnMask === null;
    if (causal && mask !== null) {
      // A causal mask built here joins the padding mask (true = take part).
      const c = where(causalMask(L, S + extra), 0, -Infinity).to(q.dtype);
      const joined = "add" in mask ? mask.add.add(c) : where(mask.allowed, c, -Infinity);
      return this.#finish(Qh, Kh, Vh, { add: joined }, false, needWeights, averageAttnWeights, batched, N, L);
    }
    return this.#finish(Qh, Kh, Vh, mask, causal, needWeights, averageAttnWeights, batched, N, L);
  }

  #finish(Qh: Tensor, Kh: Tensor, Vh: Tensor, mask: Mask | null, causal: boolean, needWeights: boolean, average: boolean, batched: boolean, N: number, L: number): [Tensor, Tensor | null] {
    const { output, weights } = attend(Qh, Kh, Vh, {
      mask: mask === null ? null : "add" in mask ? mask.add : mask.allowed,
      isCausal: causal,
      scale: 1 / Math.sqrt(this.headDim),
      dropoutP: this.training ? this.dropout : 0,
      needWeights,
    });
    let out = this.out_proj.forward(output.transpose(1, 2).reshape([N, L, this.embedDim]));
    out = !batched ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    let w = weights;
    if (w !== null) {
      if (average) w = w.mean(1);
      if (!batched) w = w.squeeze(0);
    }
    return [out, w];
  }

  /** The projections Q, K, V `[N, ·, E]`: one matmul for self-attention with the packed weight. */
  #project(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor, Tensor] {
    const op = this.moduleName;
    const E = this.embedDim;
    const b = this.in_proj_bias;
    const bias = (i: number): Tensor | null => (b === null ? null : b.narrow(0, i * E, E));
    const W = this.in_proj_weight;
    if (W === null) {
      return [linearAs(op, q, this.q_proj_weight!, bias(0)), linearAs(op, k, this.k_proj_weight!, bias(1)), linearAs(op, v, this.v_proj_weight!, bias(2))];
    }
    if (q === k && k === v) {
      const qkv = linearAs(op, q, W, b);
      return [qkv.narrow(-1, 0, E), qkv.narrow(-1, E, E), qkv.narrow(-1, 2 * E, E)];
    }
    const part = (i: number): Tensor => W.narrow(0, i * E, E);
    return [linearAs(op, q, part(0), bias(0)), linearAs(op, k, part(1), bias(1)), linearAs(op, v, part(2), bias(2))];
  }

  /** Checks the masks' shapes and dtypes and puts them in the inner layout, broadcastable to `[N, H, L, S]`. */
  #masks(attnMask: Tensor | null, keyPaddingMask: Tensor | null, batched: boolean, N: number, L: number, S: number, dtype: Tensor["dtype"]): Mask[] {
    const op = this.moduleName;
    const H = this.numHeads;
    const out: Mask[] = [];
    const asMask = (name: string, m: Tensor, shape: number[]): Mask => {
      checkTensor(op, m);
      if (m.dtype === "bool") return { allowed: m.logicalNot().reshape(shape) };
      if (m.dtype !== "float32" && m.dtype !== "float64") throw new DTypeError(`${op}: ${name} must be a bool or floating-point tensor, got ${m.dtype}`);
      return { add: (m.dtype === dtype ? m : m.to(dtype)).reshape(shape) };
    };
    if (attnMask !== null) {
      checkTensor(op, attnMask);
      const want3 = batched ? [N * H, L, S] : [H, L, S];
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) throw new ShapeError(`${op}: the 2-D attnMask is ${fmt(attnMask.shape)}, but should be ${fmt([L, S])}`);
        out.push(asMask("attnMask", attnMask, [L, S]));
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== want3[0] || attnMask.shape[1] !== L || attnMask.shape[2] !== S) {
          throw new ShapeError(`${op}: the 3-D attnMask is ${fmt(attnMask.shape)}, but should be ${fmt(want3)}`);
        }
        out.push(asMask("attnMask", attnMask, [N, H, L, S]));
      } else {
        throw new ShapeError(`${op}: attnMask must be 2-D or 3-D, got ${fmt(attnMask.shape)}`);
      }
    }
    if (keyPaddingMask !== null) {
      checkTensor(op, keyPaddingMask);
      const want = batched ? [N, S] : [S];
      if (keyPaddingMask.ndim !== want.length || keyPaddingMask.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`${op}: keyPaddingMask is ${fmt(keyPaddingMask.shape)}, but should be ${fmt(want)}`);
      }
      out.push(asMask("keyPaddingMask", keyPaddingMask, [N, 1, 1, S]));
    }
    return out;
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}`;
  }
}

/** Pads a mask with `extra` columns that let every query attend the appended keys, then joins the masks into one. */
function combine(masks: Mask[], extra: number): Mask | null {
  const pad = (m: Mask): Mask => {
    if (extra === 0) return m;
    const t = "add" in m ? m.add : m.allowed;
    const shape = [...t.shape.slice(0, -1), extra];
    return "add" in m ? { add: cat([t, zeros(shape, { dtype: t.dtype })], -1) } : { allowed: cat([t, full(shape, true, { dtype: "bool" })], -1) };
  };
  const padded = masks.map(pad);
  if (padded.length === 0) return null;
  if (padded.length === 1) return padded[0]!;
  const [a, b] = padded as [Mask, Mask];
  if ("allowed" in a && "allowed" in b) return { allowed: a.allowed.logicalAnd(b.allowed) };
  const add = (m: Mask, dtype: Tensor["dtype"]): Tensor => ("add" in m ? m.add : where(m.allowed, 0, -Infinity).to(dtype));
  const dtype = "add" in a ? a.add.dtype : (b as { add: Tensor }).add.dtype;
  return { add: add(a, dtype).add(add(b, dtype)) };
}
