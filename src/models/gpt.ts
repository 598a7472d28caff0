// A GPT (decoder-only transformer) with nanoGPT's module layout and state-dict names, its weight
// initialisation and parameter groups, and generation with a key/value cache.
import { noGrad } from "../autograd/grad-mode.js";
import { tracingPrimitives } from "../autograd/dispatch.js";
import { stackedAttention } from "../tensor/attention-stacked.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import type { DType } from "../dtype.js";
import * as nn from "../nn/index.js";
import type { LoadStateDictOptions, LoadStateDictResult } from "../nn/module.js";
import { AdamW } from "../optim/adamw.js";
import { weightDecayGroups } from "../optim/param-groups.js";
import { fmt } from "../shape.js";
import { arange, tensor } from "../tensor/creation.js";
import { cat } from "../tensor/movement.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSampling, sampleToken } from "./sampling.js";
import type { SamplingOptions } from "./sampling.js";

/** The size of a GPT, as nanoGPT's GPTConfig (its defaults are GPT-2 small's). */
export interface GPTConfig {
  /** Tokens in the vocabulary (default 50304). */
  vocabSize?: number;
  /** The longest context, and the number of position embeddings (default 1024). */
  blockSize?: number;
  /** Transformer blocks (default 12). */
  nLayer?: number;
  /** Attention heads per block (default 12). */
  nHead?: number;
  /** Width of the residual stream (default 768). */
  nEmbd?: number;
  /** Dropout probability in training (default 0). */
  dropout?: number;
  /** Biases in the Linear layers and LayerNorms (default true; false is a little better and faster, as in nanoGPT). */
  bias?: boolean;
}

/** A GPTConfig with every field set. */
export type ResolvedGPTConfig = Required<GPTConfig>;

/** Options of the GPT constructor besides its config. */
export interface GPTOptions {
  /** The dtype of the parameters (default float32). */
  dtype?: DType;
}

/**
 * Fills in nanoGPT's defaults and checks a GPT config.
 * @example cr.models.resolveGPTConfig({ vocabSize: 65, nLayer: 4 }).nEmbd // 768
 */
export function resolveGPTConfig(cfg: GPTConfig = {}): ResolvedGPTConfig {
  const out: ResolvedGPTConfig = {
    vocabSize: cfg.vocabSize ?? 50304,
    blockSize: cfg.blockSize ?? 1024,
    nLayer: cfg.nLayer ?? 12,
    nHead: cfg.nHead ?? 12,
    nEmbd: cfg.nEmbd ?? 768,
    dropout: cfg.dropout ?? 0,
    bias: cfg.bias ?? true,
  };
  for (const key of ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"] as const) {
    const v = out[key];
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`GPT: ${key} must be a positive integer, got ${String(v)}`);
  }
  if (out.nEmbd % out.nHead !== 0) throw new ArgumentError(`GPT: nEmbd ${out.nEmbd} must be divisible by nHead ${out.nHead}`);
  if (typeof out.dropout !== "number" || !(out.dropout >= 0 && out.dropout < 1)) throw new ArgumentError(`GPT: dropout must be in [0, 1), got ${String(out.dropout)}`);
  if (typeof out.bias !== "boolean") throw new ArgumentError(`GPT: bias must be true or false, got ${String(out.bias)}`);
  return out;
}

/**
 * The keys and values each attention layer has seen, so generation feeds one new token at a time
 * instead of the whole context again. `length` is the number of positions cached.
 * @example
 * const cache = new cr.models.KVCache();
 * model.forward(prompt, null, { cache });       // fills it
 * model.forward(nextToken, null, { cache });    // attends to the cached prompt
 */
export class KVCache {
  /** Per layer, keys and values `[B, nHead, length, headSize]`. */
  readonly layers: { k: Tensor; v: Tensor }[] = [];

  /** Positions cached so far (0 when empty). */
  get length(): number {
    return this.layers[0]?.k.shape[2] ?? 0;
  }

  /**
   * Frees the cached tensors and empties the cache.
   * @example cache.clear(); // before generating from a new prompt
   */
  clear(): void {
    for (const { k, v } of this.layers) {
      k.dispose();
      v.dispose();
    }
    this.layers.length = 0;
  }
}

/** Options of `GPT.forward` besides the input and targets. */
export interface GPTForwardOptions {
  /** Attend to the positions cached here too (the input continues them), and add this input's keys and values. */
  cache?: KVCache | null;
  /**
   * Only the last position's logits, `[B, 1, vocab]` (default false): the final LayerNorm and the output layer skip
   * the other positions, as nanoGPT's inference does; what generation needs. Not with targets.
   */
  lastPosition?: boolean;
}

/**
 * The causal self-attention of a GPT block: `c_attn` makes q, k, v at once, `c_proj` mixes the heads.
 * @example new cr.models.CausalSelfAttention(cr.models.resolveGPTConfig({ nEmbd: 8, nHead: 2 })).forward(cr.zeros([1, 3, 8])).shape // [1, 3, 8]
 */
export class CausalSelfAttention extends nn.Module<[x: Tensor, cache?: KVCache | null, layer?: number, lastQuery?: boolean]> {
  /** Attention heads (nanoGPT's `n_head`). */
  readonly nHead: number;
  /** Width of the residual stream; each head reads `nEmbd / nHead` of it. */
  readonly nEmbd: number;
  /** Dropout probability on the attention weights in training (the config's `dropout`). */
  readonly dropout: number;
  /** Projects x to queries, keys and values at once: `nEmbd` → `3·nEmbd` (nanoGPT's name, kept for its checkpoints). */
  c_attn: nn.Linear;
  /** Mixes the heads' outputs back into the residual stream: `nEmbd` → `nEmbd`. */
  c_proj: nn.Linear;
  /** Dropout on the attention weights (nanoGPT's module; the fused attention applies the rate itself). */
  attn_dropout: nn.Dropout;
  /** Dropout on the block's output before it joins the residual stream. */
  resid_dropout: nn.Dropout;

  constructor(cfg: ResolvedGPTConfig, opts: GPTOptions = {}) {
    super();
    this.nHead = cfg.nHead;
    this.nEmbd = cfg.nEmbd;
    this.dropout = cfg.dropout;
    this.c_attn = new nn.Linear(cfg.nEmbd, 3 * cfg.nEmbd, { bias: cfg.bias, dtype: opts.dtype });
    this.c_proj = new nn.Linear(cfg.nEmbd, cfg.nEmbd, { bias: cfg.bias, dtype: opts.dtype });
    this.attn_dropout = new nn.Dropout(cfg.dropout);
    this.resid_dropout = new nn.Dropout(cfg.dropout);
  }

  /**
   * Attention over `x` `[B, T, nEmbd]`, each position reading itself and the ones before it (and, with `cache`, the
   * positions cached for `layer`, whose keys and values it then extends); the result has `x`'s shape. With
   * `lastQuery`, only the last position attends (its output is `[B, 1, C]`), while every position's keys and values
   * are made and cached: the last layer of a step that needs the last position's logits only.
   * @example new cr.models.CausalSelfAttention(cr.models.resolveGPTConfig({ nEmbd: 8, nHead: 2 })).forward(cr.zeros([1, 3, 8])).shape // [1, 3, 8]
   */
  forward(x: Tensor, cache: KVCache | null = null, layer = 0, lastQuery = false): Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const H = this.nHead;
    // [B, T, 3C] → [3, B, H, T, hs]: q, k and v with the heads split, in one copy.
    const qkv = this.c_attn.forward(x).reshape([B, T, 3, H, C / H]).permute([2, 0, 3, 1, 4]);
    // Training and full forwards: attention on the stacked heads, whose gradient is one tensor, not three
    // zero-padded thirds summed (the composite form stays for dropout and for traces exported to ONNX).
    const attnDropout = this.training ? this.dropout : 0;
    if (cache === null && !lastQuery && attnDropout === 0 && !tracingPrimitives()) {
      const y = stackedAttention(qkv, T > 1, 1 / Math.sqrt(C / H));
      return this.resid_dropout.forward(this.c_proj.forward(y.transpose(1, 2).reshape([B, T, C])));
    }
    const q = lastQuery && T > 1 ? qkv.select(0, 0).narrow(2, T - 1, 1) : qkv.select(0, 0);
    const Tq = q.shape[2]!;
    let k = qkv.select(0, 1);
    let v = qkv.select(0, 2);
    let past = 0;
    if (cache !== null) {
      const held = cache.layers[layer];
      if (held !== undefined) {
        past = held.k.shape[2]!;
        k = cat([held.k, k], 2);
        v = cat([held.v, v], 2);
      }
      cache.layers[layer] = { k, v };
    }
    // Without a cache (or an empty one) plain causal attention; one new token sees everything cached; a
    // chunk after cached positions sees those and the chunk's own past.
    // The last query alone sees every key: no mask.
    let mask: Tensor | null = null;
    if (past > 0 && Tq > 1) mask = arange(past, past + T, 1, { dtype: "int32" }).unsqueeze(1).ge(arange(past + T, { dtype: "int32" }));
    const y = nn.functional.scaledDotProductAttention(q, k, v, {
      attnMask: mask,
      isCausal: past === 0 && Tq > 1,
      dropoutP: this.training ? this.dropout : 0,
    });
    return this.resid_dropout.forward(this.c_proj.forward(y.transpose(1, 2).reshape([B, Tq, C])));
  }
}

/**
 * The feed-forward part of a GPT block: `c_fc` to 4× the width, GELU, `c_proj` back.
 * @example new cr.models.GPTMLP(cr.models.resolveGPTConfig({ nEmbd: 8, nHead: 2 })).forward(cr.zeros([1, 3, 8])).shape // [1, 3, 8]
 */
export class MLP extends nn.Module {
  /** `nEmbd` → `4·nEmbd`. */
  c_fc: nn.Linear;
  /** The exact (erf) GELU, as nanoGPT's. */
  gelu: nn.GELU;
  /** `4·nEmbd` → `nEmbd`, back to the residual stream. */
  c_proj: nn.Linear;
  /** Dropout on the output in training. */
  dropout: nn.Dropout;

  constructor(cfg: ResolvedGPTConfig, opts: GPTOptions = {}) {
    super();
    this.c_fc = new nn.Linear(cfg.nEmbd, 4 * cfg.nEmbd, { bias: cfg.bias, dtype: opts.dtype });
    this.gelu = new nn.GELU();
    this.c_proj = new nn.Linear(4 * cfg.nEmbd, cfg.nEmbd, { bias: cfg.bias, dtype: opts.dtype });
    this.dropout = new nn.Dropout(cfg.dropout);
  }

  /**
   * `c_proj(gelu(c_fc(x)))` on `x` `[B, T, nEmbd]` (dropout in training).
   * @example new cr.models.GPTMLP(cr.models.resolveGPTConfig({ nEmbd: 8, nHead: 2 })).forward(cr.zeros([1, 3, 8])).shape // [1, 3, 8]
   */
  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(this.gelu.forward(this.c_fc.forward(x))));
  }
}

/**
 * A pre-norm transformer block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`.
 * @example new cr.models.GPTBlock(cr.models.resolveGPTConfig({ nEmbd: 8, nHead: 2 })).forward(cr.zeros([1, 3, 8])).shape // [1, 3, 8]
 */
export class Block extends nn.Module<[x: Tensor, cache?: KVCache | null, layer?: number, lastQuery?: boolean]> {
  /** The LayerNorm before attention (pre-norm). */
  ln_1: nn.LayerNorm;
  /** The causal self-attention. */
  attn: CausalSelfAttention;
  /** The LayerNorm before the MLP. */
  ln_2: nn.LayerNorm;
  /** The feed-forward part. */
  mlp: MLP;

  constructor(cfg: ResolvedGPTConfig, opts: GPTOptions = {}) {
    super();
    this.ln_1 = new nn.LayerNorm(cfg.nEmbd, { bias: cfg.bias, dtype: opts.dtype });
    this.attn = new CausalSelfAttention(cfg, opts);
    this.ln_2 = new nn.LayerNorm(cfg.nEmbd, { bias: cfg.bias, dtype: opts.dtype });
    this.mlp = new MLP(cfg, opts);
  }

  /**
   * The block on `x` `[B, T, nEmbd]` (with `cache` and `layer` passed to its attention); the result has `x`'s shape,
   * or with `lastQuery` the last position's only, `[B, 1, C]` (see CausalSelfAttention).
   * @example new cr.models.GPTBlock(cr.models.resolveGPTConfig({ nEmbd: 8, nHead: 2 })).forward(cr.zeros([1, 3, 8])).shape // [1, 3, 8]
   */
  forward(x: Tensor, cache: KVCache | null = null, layer = 0, lastQuery = false): Tensor {
    const T = x.shape[1]!;
    const a = this.attn.forward(this.ln_1.forward(x), cache, layer, lastQuery);
    const h = (lastQuery && T > 1 ? x.narrow(1, T - 1, 1) : x).add(a);
    return h.add(this.mlp.forward(this.ln_2.forward(h)));
  }
}

/** Options of `GPT.generate`: how tokens are sampled, and how generation runs. */
export interface GenerateOptions extends SamplingOptions {
  /** Keep the keys and values of past positions (default true); false recomputes the whole context each step. */
  useCache?: boolean;
  /** Called after each step with the new token of every sequence in the batch (to stream them out). */
  onToken?: (tokens: number[], step: number) => void;
}

/** Options of `configureOptimizers`, with nanoGPT's defaults. */
export interface ConfigureOptimizersOptions {
  /** Weight decay of the matrices (2-D and up; biases and LayerNorm weights get none); default 0.1, as nanoGPT. */
  weightDecay?: number;
  /** AdamW's learning rate (default 6e-4, nanoGPT's). */
  learningRate?: number;
  /** AdamW's betas (default [0.9, 0.95], nanoGPT's). */
  betas?: readonly [number, number];
}

type GPTModules = {
  wte: nn.Embedding;
  wpe: nn.Embedding;
  drop: nn.Dropout;
  h: nn.ModuleList<Block>;
  ln_f: nn.LayerNorm;
};

/** State-dict keys of nanoGPT checkpoints that are not parameters here: the causal-mask buffers torch < 2 needed. */
const MASK_BUFFER = /\.attn\.(bias|masked_bias)$/;
const COMPILED_PREFIX = "_orig_mod.";

/**
 * A GPT as nanoGPT's: token and position embeddings, `nLayer` pre-norm blocks of causal self-attention
 * and a GELU MLP, a final LayerNorm, and a language-model head whose weight is the token embedding's
 * (tied). Parameters carry nanoGPT's names (`transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`,
 * …, `lm_head.weight`), so checkpoints move between the two; initialised as nanoGPT: N(0, 0.02) weights,
 * zero biases, and the residual projections (`c_proj`) N(0, 0.02/√(2·nLayer)).
 * `forward(idx, targets)` returns `[logits, loss]`, the loss the cross entropy over targets that are
 * not -1 (null without targets).
 * @example
 * const model = new cr.models.GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
 * const [logits, loss] = model.forward(x, y); // x, y int32 [B, T]; logits [B, T, 65]
 * const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-3 });
 * model.eval();
 * const out = model.generate(cr.tensor([[0]], { dtype: "int32" }), 100, { temperature: 0.8, topK: 40 });
 */
export class GPT extends nn.Module<[idx: Tensor, targets?: Tensor | null, opts?: GPTForwardOptions], [Tensor, Tensor | null]> {
  /** The config with every default filled in (what a model file stores). */
  readonly config: ResolvedGPTConfig;
  /** nanoGPT's `transformer`: token and position embeddings `wte`/`wpe`, dropout `drop`, the blocks `h`, the final LayerNorm `ln_f`. */
  transformer: nn.ModuleDict<GPTModules>;
  /** Maps the last hidden state to the vocabulary's logits; its weight is `wte`'s (tied, as GPT-2). */
  lm_head: nn.Linear;

  constructor(config: GPTConfig = {}, opts: GPTOptions = {}) {
    super();
    const cfg = resolveGPTConfig(config);
    this.config = cfg;
    const dtype = opts.dtype;
    this.transformer = new nn.ModuleDict<GPTModules>({
      wte: new nn.Embedding(cfg.vocabSize, cfg.nEmbd, { dtype }),
      wpe: new nn.Embedding(cfg.blockSize, cfg.nEmbd, { dtype }),
      drop: new nn.Dropout(cfg.dropout),
      h: new nn.ModuleList(Array.from({ length: cfg.nLayer }, () => new Block(cfg, opts))),
      ln_f: new nn.LayerNorm(cfg.nEmbd, { bias: cfg.bias, dtype }),
    });
    this.lm_head = new nn.Linear(cfg.nEmbd, cfg.vocabSize, { bias: false, dtype });
    // Weight tying: the output layer reads the token embedding's table.
    this.transformer.wte.weight = this.lm_head.weight;
    this.resetParameters();
  }

  /**
   * nanoGPT's initialisation: N(0, 0.02) for Linear and Embedding weights, zero biases, N(0, 0.02/√(2·nLayer)) for `c_proj`.
   * @example gpt.resetParameters(); // a fresh start with the same config
   */
  resetParameters(): void {
    this.apply((m) => {
      if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.02);
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.Embedding) {
        nn.init.normal_(m.weight, 0, 0.02);
      } else if (m instanceof nn.LayerNorm) {
        m.resetParameters();
      }
    });
    const std = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, p] of this.namedParameters()) if (name.endsWith("c_proj.weight")) nn.init.normal_(p, 0, std);
  }

  /**
   * The number of parameters (the tied embedding counted once); by default without the position
   * embeddings, as nanoGPT reports it.
   * @example new cr.models.GPT({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }).getNumParams() // 968
   */
  getNumParams(nonEmbedding = true): number {
    const n = this.parameters().reduce((s, p) => s + p.numel(), 0);
    return nonEmbedding ? n - this.transformer.wpe.weight.numel() : n;
  }

  /**
   * The logits for token ids `idx` (int32 `[B, T]`; with `opts.cache`, the cached positions plus T at most
   * blockSize): `[B, T, vocabSize]`, and with `targets` (int32 `[B, T]`, -1 ignored) the mean cross-entropy loss
   * as well (null without).
   * @example new cr.models.GPT({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }).forward(cr.zeros([2, 5], { dtype: "int32" }), cr.zeros([2, 5], { dtype: "int32" }))[0].shape // [2, 5, 10]
   */
  forward(idx: Tensor, targets: Tensor | null = null, opts: GPTForwardOptions = {}): [Tensor, Tensor | null] {
    const cache = opts.cache ?? null;
    if (idx.dtype !== "int32") throw new DTypeError(`GPT: token indices must be an int32 tensor, got ${idx.dtype}`);
    if (idx.ndim !== 2) throw new ShapeError(`GPT: expected token indices [batch, time], got ${fmt(idx.shape)}`);
    const T = idx.shape[1]!;
    const past = cache?.length ?? 0;
    if (past + T > this.config.blockSize) {
      throw new ShapeError(`GPT: cannot forward a sequence of length ${past + T}${past > 0 ? ` (${past} cached)` : ""}, the block size is only ${this.config.blockSize}`);
    }
    if (targets !== null && (targets.dtype !== "int32" || targets.ndim !== 2 || targets.shape[0] !== idx.shape[0] || targets.shape[1] !== T)) {
      throw new ShapeError(`GPT: targets must be int32 of the input's shape ${fmt(idx.shape)}, got ${targets.dtype} ${fmt(targets.shape)}`);
    }
    if (opts.lastPosition === true && (targets !== null || T === 0)) {
      throw new ArgumentError(`GPT: lastPosition gives the last position's logits only: not with targets, nor for an empty sequence (input ${fmt(idx.shape)})`);
    }
    const { wte, wpe, drop, h, ln_f } = this.transformer;
    const pos = arange(past, past + T, 1, { dtype: "int32" });
    let x = drop.forward(wte.forward(idx).add(wpe.forward(pos)));
    let layer = 0;
    const last = opts.lastPosition === true;
    // For the last position's logits, the last block computes that position's output alone (each block's other
    // steps are per position; its attention reads every position's keys and values, which it still makes).
    for (const block of h) {
      x = block.forward(x, cache, layer, last && layer === this.config.nLayer - 1);
      layer++;
    }
    if (last) return [this.lm_head.forward(ln_f.forward(x.narrow(1, x.shape[1]! - 1, 1))), null];
    const logits = this.lm_head.forward(ln_f.forward(x));
    if (targets === null) return [logits, null];
    const V = this.config.vocabSize;
    const loss = nn.functional.crossEntropy(logits.reshape([-1, V]), targets.reshape([-1]), { ignoreIndex: -1 });
    return [logits, loss];
  }

  /**
   * AdamW over two param groups as nanoGPT's `configure_optimizers`: weight decay on the parameters of
   * 2 or more dims (matmul weights and embeddings), none on biases and LayerNorm weights.
   * @example const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-3, betas: [0.9, 0.99] });
   */
  configureOptimizers(opts: ConfigureOptimizersOptions = {}): AdamW {
    const { weightDecay = 0.1, learningRate = 6e-4, betas = [0.9, 0.95] } = opts;
    return new AdamW(weightDecayGroups(this, weightDecay), { lr: learningRate, betas: [betas[0], betas[1]] });
  }

  /**
   * Loads a state dict, also as nanoGPT writes one: a `_orig_mod.` prefix (torch.compile) is dropped,
   * the causal-mask buffers `*.attn.bias` of torch < 2 are ignored, and when only one of the tied
   * `transformer.wte.weight` and `lm_head.weight` is present it fills both.
   */
  override loadStateDict(stateDict: Readonly<Record<string, Tensor>>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const sd: Record<string, Tensor> = {};
    for (const [key, t] of Object.entries(stateDict)) {
      const k = key.startsWith(COMPILED_PREFIX) ? key.slice(COMPILED_PREFIX.length) : key;
      if (MASK_BUFFER.test(k) && t.ndim === 4) continue;
      sd[k] = t;
    }
    const wte = "transformer.wte.weight", head = "lm_head.weight";
    if (sd[wte] !== undefined && sd[head] === undefined) sd[head] = sd[wte];
    if (sd[head] !== undefined && sd[wte] === undefined) sd[wte] = sd[head];
    return super.loadStateDict(sd, opts);
  }

  /**
   * Continues each sequence of `idx` (int32 `[B, T]`) by `maxNewTokens` tokens, sampled one at a time
   * from the model's next-token distribution (temperature, topK, topP; temperature 0 is greedy), under
   * noGrad; returns `[B, T + maxNewTokens]`. As nanoGPT's, the context is cropped to the last
   * `blockSize` tokens. With the key/value cache (the default) each step feeds only the new token; once
   * the context is full the window slides and is re-read (learned absolute positions cannot be shifted),
   * so the tokens are the same as without the cache. Dropout follows the mode: call `model.eval()` first.
   * @example
   * model.eval();
   * const out = model.generate(prompt, 200, { temperature: 0.8, topK: 40, onToken: ([t]) => process.stdout.write(decode([t!])) });
   */
  generate(idx: Tensor, maxNewTokens: number, opts: GenerateOptions = {}): Tensor {
    if (idx.dtype !== "int32" || idx.ndim !== 2 || idx.shape[1] === 0) {
      throw new ShapeError(`GPT.generate: idx must be int32 token indices [batch, time] with time >= 1, got ${idx.dtype} ${fmt(idx.shape)}`);
    }
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new ArgumentError(`GPT.generate: maxNewTokens must be an integer >= 0, got ${String(maxNewTokens)}`);
    checkSampling("GPT.generate", opts);
    const { useCache = true, onToken } = opts;
    const B = idx.shape[0]!;
    const block = this.config.blockSize;
    const V = this.config.vocabSize;
    // The sequences live on the host; each step's tensors are freed by tidy.
    const seqs: number[][] = [];
    const flat = idx.toTypedArray();
    for (let b = 0; b < B; b++) seqs.push(Array.from(flat.subarray(b * idx.shape[1]!, (b + 1) * idx.shape[1]!), Number));
    const cache = useCache ? new KVCache() : null;
    try {
      noGrad(() => {
        for (let step = 0; step < maxNewTokens; step++) {
          const len = seqs[0]!.length;
          let input: number[][];
          const cachedStep = cache !== null && cache.length > 0 && cache.length === len - 1 && len <= block;
          if (cachedStep) {
            input = seqs.map((s) => [s[len - 1]!]);
          } else {
            // The first step, a run without cache, or a full window: read the last blockSize tokens afresh.
            cache?.clear();
            input = seqs.map((s) => s.slice(Math.max(0, len - block)));
          }
          // A full window read afresh is re-read by the next step too: its keys and values need not be kept.
          const stepCache = cachedStep || len < block ? cache : null;
          const last = tidy(() => {
            const held = cache?.layers.map((l) => [l.k, l.v]) ?? [];
            const x = tensor(input, { dtype: "int32" });
            const [logits] = this.forward(x, null, { cache: stepCache, lastPosition: true });
            // Only the cached keys and values outlive the step (the ones replaced are freed).
            const fresh = cache?.layers.map((l) => [l.k, l.v]) ?? [];
            for (const pair of held) for (const t of pair) if (!fresh.some((f) => f.includes(t))) t.dispose();
            return { row: logits.toTypedArray(), fresh };
          }).row;
          const next = seqs.map((s, b) => {
            const token = sampleToken(last.subarray(b * V, (b + 1) * V), opts);
            s.push(token);
            return token;
          });
          onToken?.(next, step);
        }
      });
    } finally {
      cache?.clear();
    }
    return tensor(seqs, { dtype: "int32" });
  }

  override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nEmbd=${c.nEmbd}, dropout=${c.dropout}, bias=${c.bias}`;
  }
}
