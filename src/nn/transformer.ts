// The transformer layers of torch.nn: TransformerEncoderLayer/Encoder, TransformerDecoderLayer/Decoder and
// Transformer, with PyTorch's defaults, pre- or post-norm, and PyTorch's state-dict names.
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { full } from "../tensor/creation.js";
import { where } from "../tensor/elementwise.js";
import { gelu, relu } from "../tensor/elementwise.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt } from "./common.js";
import type { DTypeOption } from "./common.js";
import { ModuleList } from "./container.js";
import { Dropout } from "./dropout.js";
import { causalMask } from "./functional/attention.js";
import * as init from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import type { AnyModule } from "./module.js";
import { MultiheadAttention } from "./multihead-attention.js";
import { LayerNorm } from "./norm.js";

/**
 * The feed-forward activation: PyTorch's "relu" or "gelu", a function of a tensor, or a module (such as
 * `new cr.nn.GELU()`; the copies an encoder or decoder stacks share that module rather than deep-copy it).
 */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module<[Tensor], Tensor>;

/** Options of the encoder and decoder layers, with PyTorch's defaults. */
export interface TransformerLayerOptions extends DTypeOption {
  /** Width of the feed-forward network (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability, in attention and after each sub-layer (default 0.1). */
  dropout?: number;
  /** The feed-forward activation (default "relu"). */
  activation?: TransformerActivation;
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default false). */
  batchFirst?: boolean;
  /** Normalise before each sub-layer (pre-norm) instead of after the residual sum (default false). */
  normFirst?: boolean;
  /** Biases in the linear layers and the LayerNorms (default true). */
  bias?: boolean;
}

/** Arguments of `TransformerEncoderLayer.forward` and `TransformerEncoder.forward`. */
export interface TransformerEncoderForwardOptions {
  /** `[S, S]` or `[N·nhead, S, S]` attention mask (bool: true = may not attend; float: added). */
  srcMask?: Tensor | null;
  /** `[N, S]` bool (true = padding, ignored) or float. */
  srcKeyPaddingMask?: Tensor | null;
  /** `srcMask` is causal; without a mask, a causal one is applied. */
  isCausal?: boolean;
}

/** Arguments of `TransformerEncoder.forward` (PyTorch names the mask `mask` here, `src_mask` in the layer). */
export interface TransformerEncoderStackForwardOptions {
  /** `[S, S]` or `[N·nhead, S, S]` attention mask, passed to every layer as its `srcMask`. */
  mask?: Tensor | null;
  /** Per batch, true (bool) at source positions to ignore (padding). */
  srcKeyPaddingMask?: Tensor | null;
  /** A hint that the mask is the causal mask. */
  isCausal?: boolean;
}

/** Arguments of `TransformerDecoderLayer.forward` and `TransformerDecoder.forward`. */
export interface TransformerDecoderForwardOptions {
  /** The mask on the target's self-attention: true (bool) where attending is not allowed, or a float mask added to the attention scores. */
  tgtMask?: Tensor | null;
  /** The mask on attention to the memory: true (bool) where attending is not allowed, or a float mask added to the attention scores. */
  memoryMask?: Tensor | null;
  /** Per batch, true (bool) at target positions to ignore (padding). */
  tgtKeyPaddingMask?: Tensor | null;
  /** Per batch, true (bool) at memory positions to ignore (padding). */
  memoryKeyPaddingMask?: Tensor | null;
  /** `tgtMask` is causal; without a mask, a causal one is applied to the self-attention. */
  tgtIsCausal?: boolean;
  /** A hint that `memoryMask` is the causal mask. */
  memoryIsCausal?: boolean;
}

interface Resolved {
  dimFeedforward: number;
  dropout: number;
  activation: TransformerActivation;
  layerNormEps: number;
  batchFirst: boolean;
  normFirst: boolean;
  bias: boolean;
  dtype: DTypeOption["dtype"];
}

function resolve(op: string, dModel: number, nhead: number, o: TransformerLayerOptions): Resolved {
  checkInt(op, "dModel", dModel, 1);
  checkInt(op, "nhead", nhead, 1);
  const activation = o.activation ?? "relu";
  if (activation !== "relu" && activation !== "gelu" && typeof activation !== "function" && !(activation instanceof Module)) {
    throw new ArgumentError(`${op}: activation should be "relu", "gelu", a function or a module, not ${JSON.stringify(activation)}`);
  }
  return {
    dimFeedforward: checkInt(op, "dimFeedforward", o.dimFeedforward ?? 2048, 1),
    dropout: o.dropout ?? 0.1,
    activation,
    layerNormEps: o.layerNormEps ?? 1e-5,
    batchFirst: o.batchFirst ?? false,
    normFirst: o.normFirst ?? false,
    bias: o.bias ?? true,
    dtype: o.dtype,
  };
}

function activate(activation: TransformerActivation, x: Tensor): Tensor {
  if (activation instanceof Module) return activation.forward(x);
  return activation === "relu" ? relu(x) : activation === "gelu" ? gelu(x) : activation(x);
}

/**
 * A copy with the same settings and the same weights (PyTorch's encoders deep-copy their layer, so
 * every layer starts equal), in the same training mode.
 */
function copyLayer<L extends AnyModule>(layer: L, make: () => L): L {
  const copy = make();
  copy.loadStateDict(layer.stateDict());
  copy.train(layer.training);
  return copy;
}

/**
 * One encoder block, as PyTorch's `nn.TransformerEncoderLayer`: self-attention then a feed-forward
 * network (`linear1` → activation → dropout → `linear2`), each with dropout and a residual
 * connection, LayerNorm after each sum (post-norm, the default) or before each sub-layer (`normFirst`).
 * @example
 * const layer = new cr.nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.forward(cr.randn([2, 10, 32])).shape; // [2, 10, 32]
 */
export class TransformerEncoderLayer extends Module<[src: Tensor, opts?: TransformerEncoderForwardOptions]> {
  /** The size of the inputs and outputs. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** Layer norm before each block (pre-norm) rather than after the residual add. */
  readonly normFirst: boolean;
  /** Inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  readonly #settings: Resolved;
  /** The self-attention. */
  self_attn: MultiheadAttention;
  /** The feed-forward network's first layer, `dModel` → `dimFeedforward`. */
  linear1: Linear;
  /** The dropout between the feed-forward network's two linear layers. */
  dropout: Dropout;
  /** The feed-forward network's second layer, `dimFeedforward` → `dModel`. */
  linear2: Linear;
  /** The layer norm of the self-attention block. */
  norm1: LayerNorm;
  /** The layer norm of the feed-forward block. */
  norm2: LayerNorm;
  /** The dropout on the self-attention block's output. */
  dropout1: Dropout;
  /** The dropout on the feed-forward block's output. */
  dropout2: Dropout;
  /** Last, as PyTorch registers it: a module activation is the last child. */
  readonly activation: TransformerActivation;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const o = resolve("TransformerEncoderLayer", dModel, nhead, opts);
    this.#settings = o;
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = o.normFirst;
    this.batchFirst = o.batchFirst;
    this.activation = o.activation;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst, dtype: o.dtype });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { bias: o.bias, dtype: o.dtype });
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, { bias: o.bias, dtype: o.dtype });
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias, dtype: o.dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias, dtype: o.dtype });
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
  }

  /**
   * A copy with the same settings and weights (what TransformerEncoder stacks).
   * @example new cr.nn.TransformerEncoderLayer(8, 2).clone() instanceof cr.nn.TransformerEncoderLayer // true
   */
  clone(): TransformerEncoderLayer {
    return copyLayer(this, () => new TransformerEncoderLayer(this.dModel, this.nhead, this.#settings));
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).forward(cr.zeros([5, 1, 8])).shape // [5, 1, 8] */
  forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    const { srcMask = null, srcKeyPaddingMask = null, isCausal = false } = opts;
    let x = src;
    if (this.normFirst) {
      x = x.add(this.#selfAttention(this.norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
      x = x.add(this.#feedForward(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.#selfAttention(x, srcMask, srcKeyPaddingMask, isCausal)));
      x = this.norm2.forward(x.add(this.#feedForward(x)));
    }
    return x;
  }

  #selfAttention(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null, isCausal: boolean): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout1.forward(out);
  }

  #feedForward(x: Tensor): Tensor {
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(activate(this.activation, this.linear1.forward(x)))));
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, normFirst=${this.normFirst}`;
  }
}

/**
 * One decoder block, as PyTorch's `nn.TransformerDecoderLayer`: self-attention, attention over the
 * encoder's output (`memory`), and a feed-forward network, each with dropout, a residual connection
 * and a LayerNorm (after each sum, or before each sub-layer with `normFirst`).
 * @example
 * const layer = new cr.nn.TransformerDecoderLayer(32, 4, { dimFeedforward: 64 });
 * layer.forward(cr.randn([7, 2, 32]), cr.randn([10, 2, 32]), { tgtIsCausal: true }).shape; // [7, 2, 32]
 */
export class TransformerDecoderLayer extends Module<[tgt: Tensor, memory: Tensor, opts?: TransformerDecoderForwardOptions]> {
  /** The size of the inputs and outputs. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** Layer norm before each block (pre-norm) rather than after the residual add. */
  readonly normFirst: boolean;
  /** Inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  readonly #settings: Resolved;
  /** The target's self-attention. */
  self_attn: MultiheadAttention;
  /** The attention from the target to the memory. */
  multihead_attn: MultiheadAttention;
  /** The feed-forward network's first layer, `dModel` → `dimFeedforward`. */
  linear1: Linear;
  /** The dropout between the feed-forward network's two linear layers. */
  dropout: Dropout;
  /** The feed-forward network's second layer, `dimFeedforward` → `dModel`. */
  linear2: Linear;
  /** The layer norm of the self-attention block. */
  norm1: LayerNorm;
  /** The layer norm of the cross-attention block. */
  norm2: LayerNorm;
  /** The layer norm of the feed-forward block. */
  norm3: LayerNorm;
  /** The dropout on the self-attention block's output. */
  dropout1: Dropout;
  /** The dropout on the cross-attention block's output. */
  dropout2: Dropout;
  /** The dropout on the feed-forward block's output. */
  dropout3: Dropout;
  /** Last, as PyTorch registers it: a module activation is the last child. */
  readonly activation: TransformerActivation;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const o = resolve("TransformerDecoderLayer", dModel, nhead, opts);
    this.#settings = o;
    this.dModel = dModel;
    this.nhead = nhead;
    this.normFirst = o.normFirst;
    this.batchFirst = o.batchFirst;
    this.activation = o.activation;
    const mha = () => new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias: o.bias, batchFirst: o.batchFirst, dtype: o.dtype });
    this.self_attn = mha();
    this.multihead_attn = mha();
    this.linear1 = new Linear(dModel, o.dimFeedforward, { bias: o.bias, dtype: o.dtype });
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, { bias: o.bias, dtype: o.dtype });
    const norm = () => new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias, dtype: o.dtype });
    this.norm1 = norm();
    this.norm2 = norm();
    this.norm3 = norm();
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    this.dropout3 = new Dropout(o.dropout);
  }

  /**
   * A copy with the same settings and weights (what TransformerDecoder stacks).
   * @example new cr.nn.TransformerDecoderLayer(8, 2).clone() instanceof cr.nn.TransformerDecoderLayer // true
   */
  clone(): TransformerDecoderLayer {
    return copyLayer(this, () => new TransformerDecoderLayer(this.dModel, this.nhead, this.#settings));
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }).forward(cr.zeros([3, 1, 8]), cr.zeros([5, 1, 8])).shape // [3, 1, 8] */
  forward(tgt: Tensor, memory: Tensor, opts: TransformerDecoderForwardOptions = {}): Tensor {
    const { tgtMask = null, memoryMask = null, tgtKeyPaddingMask = null, memoryKeyPaddingMask = null, tgtIsCausal = false, memoryIsCausal = false } = opts;
    const sa = (x: Tensor): Tensor => this.dropout1.forward(
      this.self_attn.forward(x, x, x, { attnMask: tgtMask, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, isCausal: tgtIsCausal })[0],
    );
    const mha = (x: Tensor): Tensor => this.dropout2.forward(
      this.multihead_attn.forward(x, memory, memory, { attnMask: memoryMask, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, isCausal: memoryIsCausal })[0],
    );
    const ff = (x: Tensor): Tensor => this.dropout3.forward(this.linear2.forward(this.dropout.forward(activate(this.activation, this.linear1.forward(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(mha(this.norm2.forward(x)));
      x = x.add(ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(mha(x)));
      x = this.norm3.forward(x.add(ff(x)));
    }
    return x;
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}, normFirst=${this.normFirst}`;
  }
}

/** Options of `TransformerEncoder` and `TransformerDecoder`. */
export interface TransformerStackOptions {
  /** A final normalisation after the last layer (state-dict name `norm`). */
  norm?: LayerNorm | null;
}

/**
 * `numLayers` copies of an encoder layer applied in turn, then an optional `norm`, as PyTorch's
 * `nn.TransformerEncoder` (the copies start with the given layer's weights, as PyTorch's deep copies;
 * parameters are named `layers.0.self_attn.in_proj_weight`, …).
 * @example
 * const encoder = new cr.nn.TransformerEncoder(new cr.nn.TransformerEncoderLayer(32, 4), 2);
 * encoder.forward(cr.randn([10, 2, 32]), { srcKeyPaddingMask: padding });
 */
export class TransformerEncoder extends Module<[src: Tensor, opts?: TransformerEncoderStackForwardOptions]> {
  /** How many layers the stack has. */
  readonly numLayers: number;
  /** The encoder layers, applied in order. */
  layers: ModuleList<TransformerEncoderLayer>;
  /** A layer norm applied to the last layer's output, or null. */
  norm: LayerNorm | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new TypeError("TransformerEncoder: encoderLayer must be a TransformerEncoderLayer");
    this.numLayers = checkInt("TransformerEncoder", "numLayers", numLayers, 1);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = opts.norm ?? null;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.TransformerEncoder(new cr.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2).forward(cr.zeros([5, 1, 8])).shape // [5, 1, 8] */
  forward(src: Tensor, opts: TransformerEncoderStackForwardOptions = {}): Tensor {
    const layerOpts: TransformerEncoderForwardOptions = { srcMask: opts.mask, srcKeyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.isCausal };
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, layerOpts);
    return this.norm === null ? x : this.norm.forward(x);
  }
}

/**
 * `numLayers` copies of a decoder layer applied in turn to the target, each attending to `memory`,
 * then an optional `norm`, as PyTorch's `nn.TransformerDecoder`.
 * @example
 * const decoder = new cr.nn.TransformerDecoder(new cr.nn.TransformerDecoderLayer(32, 4), 2);
 * decoder.forward(tgt, memory, { tgtMask: cr.nn.Transformer.generateSquareSubsequentMask(tgt.shape[0]) });
 */
export class TransformerDecoder extends Module<[tgt: Tensor, memory: Tensor, opts?: TransformerDecoderForwardOptions]> {
  /** How many layers the stack has. */
  readonly numLayers: number;
  /** The decoder layers, applied in order. */
  layers: ModuleList<TransformerDecoderLayer>;
  /** A layer norm applied to the last layer's output, or null. */
  norm: LayerNorm | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    if (!(decoderLayer instanceof TransformerDecoderLayer)) throw new TypeError("TransformerDecoder: decoderLayer must be a TransformerDecoderLayer");
    this.numLayers = checkInt("TransformerDecoder", "numLayers", numLayers, 1);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.norm = opts.norm ?? null;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.TransformerDecoder(new cr.nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }), 2).forward(cr.zeros([3, 1, 8]), cr.zeros([5, 1, 8])).shape // [3, 1, 8] */
  forward(tgt: Tensor, memory: Tensor, opts: TransformerDecoderForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, opts);
    return this.norm === null ? x : this.norm.forward(x);
  }
}

/** Options of `Transformer`: the layer options plus the sizes of the stacks. */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Model width (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Layers in the encoder (default 6). */
  numEncoderLayers?: number;
  /** Layers in the decoder (default 6). */
  numDecoderLayers?: number;
  /** An encoder to use instead of building one. */
  customEncoder?: TransformerEncoder | null;
  /** A decoder to use instead of building one. */
  customDecoder?: TransformerDecoder | null;
}

/** Arguments of `Transformer.forward`. */
export interface TransformerForwardOptions {
  /** The mask on the source's self-attention: true (bool) where attending is not allowed, or a float mask added to the attention scores. */
  srcMask?: Tensor | null;
  /** The mask on the target's self-attention: true (bool) where attending is not allowed, or a float mask added to the attention scores. */
  tgtMask?: Tensor | null;
  /** The mask on the decoder's attention to the memory: true (bool) where attending is not allowed, or a float mask added to the attention scores. */
  memoryMask?: Tensor | null;
  /** Per batch, true (bool) at source positions to ignore (padding). */
  srcKeyPaddingMask?: Tensor | null;
  /** Per batch, true (bool) at target positions to ignore (padding). */
  tgtKeyPaddingMask?: Tensor | null;
  /** Per batch, true (bool) at memory positions to ignore (padding). */
  memoryKeyPaddingMask?: Tensor | null;
  /** A hint that `srcMask` is the causal mask. */
  srcIsCausal?: boolean;
  /** A hint that `tgtMask` is the causal mask. */
  tgtIsCausal?: boolean;
  /** A hint that `memoryMask` is the causal mask. */
  memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder model of "Attention Is All You Need", as PyTorch's `nn.Transformer`: an encoder
 * stack and a decoder stack, each ending in a LayerNorm; every matrix initialised Xavier-uniform.
 * @example
 * const model = new cr.nn.Transformer({ dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64 });
 * const tgtMask = cr.nn.Transformer.generateSquareSubsequentMask(7);
 * model.forward(cr.randn([10, 2, 32]), cr.randn([7, 2, 32]), { tgtMask }).shape; // [7, 2, 32]
 */
export class Transformer extends Module<[src: Tensor, tgt: Tensor, opts?: TransformerForwardOptions]> {
  /** The size of the inputs and of every layer's output. */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** Inputs and outputs are [batch, seq, feature] rather than [seq, batch, feature]. */
  readonly batchFirst: boolean;
  /** The encoder stack. */
  encoder: TransformerEncoder;
  /** The decoder stack. */
  decoder: TransformerDecoder;

  constructor(opts: TransformerOptions = {}) {
    super();
    const dModel = opts.dModel ?? 512;
    const nhead = opts.nhead ?? 8;
    const o = resolve("Transformer", dModel, nhead, opts);
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = o.batchFirst;
    const norm = () => new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias, dtype: o.dtype });
    this.encoder = opts.customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, o), opts.numEncoderLayers ?? 6, { norm: norm() });
    this.decoder = opts.customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, o), opts.numDecoderLayers ?? 6, { norm: norm() });
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  /**
   * A float `[sz, sz]` mask with -Infinity above the diagonal and 0 elsewhere: position i may attend
   * positions ≤ i (PyTorch's `generate_square_subsequent_mask`).
   * @example cr.nn.Transformer.generateSquareSubsequentMask(3) // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
   */
  static generateSquareSubsequentMask(sz: number, opts: DTypeOption = {}): Tensor {
    checkInt("generateSquareSubsequentMask", "sz", sz, 0);
    return where(causalMask(sz, sz), full([], 0, { dtype: opts.dtype ?? "float32" }), -Infinity);
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 }).forward(cr.zeros([5, 1, 8]), cr.zeros([3, 1, 8])).shape // [3, 1, 8] */
  forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    const batchDim = this.batchFirst ? 0 : 1;
    if (src.ndim === 3 && tgt.ndim === 3 && src.shape[batchDim] !== tgt.shape[batchDim]) {
      throw new ShapeError(`Transformer: the batch size of src ${fmt(src.shape)} and tgt ${fmt(tgt.shape)} must be equal`);
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new ShapeError(`Transformer: the feature number of src ${fmt(src.shape)} and tgt ${fmt(tgt.shape)} must be equal to dModel ${this.dModel}`);
    }
    const memory = this.encoder.forward(src, { mask: opts.srcMask, srcKeyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.srcIsCausal });
    return this.decoder.forward(tgt, memory, {
      tgtMask: opts.tgtMask, memoryMask: opts.memoryMask, tgtKeyPaddingMask: opts.tgtKeyPaddingMask,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask, tgtIsCausal: opts.tgtIsCausal, memoryIsCausal: opts.memoryIsCausal,
    });
  }
}
