// Normalisation layers: BatchNorm1d/BatchNorm2d (with running statistics as buffers) and LayerNorm.
import { noGrad } from "../autograd/grad-mode.js";
import { ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { ones, tensor, zeros } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, emptyParameter, floatDType } from "./common.js";
import type { DTypeOption } from "./common.js";
import { batchNormAs, layerNormAs } from "./functional/norm.js";
import * as init from "./init.js";
import { Module } from "./module.js";
import type { Parameter } from "./parameter.js";

/** Options of `BatchNorm1d` and `BatchNorm2d`, as PyTorch's keyword arguments. */
export interface BatchNormOptions extends DTypeOption {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a plain cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them evaluation uses batch statistics too. */
  trackRunningStats?: boolean;
}

/**
 * The shared part of BatchNorm1d and BatchNorm2d (PyTorch's `_BatchNorm`). The running statistics
 * are buffers with PyTorch's state-dict names `running_mean`, `running_var`, `num_batches_tracked`,
 * read here as `runningMean`, `runningVar`, `numBatchesTracked`.
 * @example if (layer instanceof cr.nn.BatchNorm) layer.resetRunningStats();
 */
export abstract class BatchNorm extends Module {
  /** Channels (C of the `[N, C, …]` input). */
  readonly numFeatures: number;
  /** Added to the variance before its square root, for stability. */
  readonly eps: number;
  /** The running statistics' update weight (null: a cumulative average), as PyTorch's. */
  momentum: number | null;
  /** Whether the layer has a learnable scale (`weight`) and shift (`bias`). */
  readonly affine: boolean;
  /** Whether running statistics are kept and used in evaluation. */
  readonly trackRunningStats: boolean;
  /** The per-channel scale, `[numFeatures]`; null without `affine`. */
  weight: Parameter | null;
  /** The per-channel shift, `[numFeatures]`; null without `affine`. */
  bias: Parameter | null;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.numFeatures = checkInt(this.moduleName, "numFeatures", numFeatures, 1);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = floatDType(this.moduleName, opts.dtype);
    this.weight = this.affine ? emptyParameter([numFeatures], dtype) : null;
    this.bias = this.affine ? emptyParameter([numFeatures], dtype) : null;
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", track ? ones([numFeatures], { dtype }) : null);
    // PyTorch keeps this count as int64; chainrule's integers are int32.
    this.registerBuffer("num_batches_tracked", track ? tensor(0, { dtype: "int32" }) : null);
    this.resetParameters();
  }

  /** The running mean `[numFeatures]` (buffer `running_mean`), or null without running statistics. */
  get runningMean(): Tensor | null {
    return this.buffer("running_mean");
  }
  /** The running (unbiased) variance `[numFeatures]` (buffer `running_var`), or null without running statistics. */
  get runningVar(): Tensor | null {
    return this.buffer("running_var");
  }
  /** How many training batches updated the statistics (buffer `num_batches_tracked`, a 0-dim int32). */
  get numBatchesTracked(): Tensor | null {
    return this.buffer("num_batches_tracked");
  }

  /**
   * Running mean 0, running variance 1, count 0.
   * @example bn.resetRunningStats(); // runningMean 0, runningVar 1, as before training
   */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /**
   * Resets the running statistics, and the scale to ones and the shift to zeros.
   * @example bn.resetParameters(); // as at construction
   */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /** Throws unless `x` has the number of dims this layer takes. */
  protected abstract checkInputDim(x: Tensor): void;

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.BatchNorm1d(1).forward(cr.tensor([[1], [3]])) // [[-1], [1]] */
  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.moduleName}: input ${fmt(x.shape)} has ${x.shape[1]} channels (dim 1), expected ${this.numFeatures}`);
    }
    let factor: number | Tensor = this.momentum ?? 0;
    const count = this.numBatchesTracked;
    if (this.training && count !== null) {
      if (x.numel() / this.numFeatures <= 1) {
        throw new ShapeError(`${this.moduleName}: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`);
      }
      noGrad(() => count.add_(1));
      // A cumulative average: 1/count, as PyTorch computes it in double; a tensor where the count cannot be read
      // back synchronously (a GPU's).
      if (this.momentum === null) factor = count.readsSynchronously ? 1 / count.item() : noGrad(() => count.to(x.dtype).reciprocal());
    }
    const batchStats = this.training || (this.runningMean === null && this.runningVar === null);
    // In training without tracking, the (absent) running statistics are neither used nor updated.
    const useRunning = !this.training || this.trackRunningStats;
    return batchNormAs(this.moduleName, x, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: batchStats, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalisation of `[N, C]` or `[N, C, L]` over all dims but the channels (dim 1). Training
 * mode normalises with the batch's statistics and updates the running ones; evaluation mode uses them.
 * @example const bn = new cr.nn.BatchNorm1d(64); bn.forward(cr.randn([32, 64]));
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${this.moduleName}: expected 2-D or 3-D input ([N, C] or [N, C, L]), got ${fmt(x.shape)}`);
  }
}

/**
 * Batch normalisation of `[N, C, H, W]` over N, H and W, per channel.
 * @example const bn = new cr.nn.BatchNorm2d(16); bn.eval(); bn.forward(images);
 */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new ShapeError(`${this.moduleName}: expected 4-D input [N, C, H, W], got ${fmt(x.shape)}`);
  }
}

/** Options of `LayerNorm`. */
export interface LayerNormOptions extends DTypeOption {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn an elementwise scale and shift of shape `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, learn the shift too (default true). */
  bias?: boolean;
}

/**
 * Normalises each sample over its last dims (`normalizedShape`) with the biased variance, then
 * applies an elementwise scale (ones) and shift (zeros). Behaves the same in training and evaluation.
 * @example new cr.nn.LayerNorm(64).forward(cr.randn([8, 10, 64]))
 */
export class LayerNorm extends Module {
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance before its square root, for stability. */
  readonly eps: number;
  /** Whether the layer has a learnable scale (`weight`) and shift (`bias`). */
  readonly elementwiseAffine: boolean;
  /** The scale, of `normalizedShape`; null without `elementwiseAffine`. */
  weight: Parameter | null;
  /** The shift, of `normalizedShape`; null without `elementwiseAffine` (or with `bias: false`). */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    for (const s of this.normalizedShape) checkInt("LayerNorm", "normalizedShape", s, 1);
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const dtype = floatDType("LayerNorm", opts.dtype);
    this.weight = this.elementwiseAffine ? emptyParameter(this.normalizedShape, dtype) : null;
    this.bias = this.elementwiseAffine && opts.bias !== false ? emptyParameter(this.normalizedShape, dtype) : null;
    this.resetParameters();
  }

  /**
   * Scale back to ones, shift to zeros.
   * @example ln.resetParameters();
   */
  resetParameters(): void {
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.LayerNorm(2).forward(cr.tensor([[1, 3]])) // [[-1, 1]] */
  forward(x: Tensor): Tensor {
    return layerNormAs(this.moduleName, x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${fmt(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
