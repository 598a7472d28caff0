// Embedding: a lookup table of learnable vectors indexed by int32 token ids.
import { noGrad } from "../autograd/grad-mode.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { fmt } from "../shape.js";
import { arange } from "../tensor/creation.js";
import { where } from "../tensor/elementwise.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, emptyParameter, floatDType } from "./common.js";
import type { DTypeOption } from "./common.js";
import { embeddingAs } from "./functional/layers.js";
import * as init from "./init.js";
import { Module } from "./module.js";
import type { Parameter } from "./parameter.js";
import { isIndexTensor } from "../tensor/index-dtype.js";

/** Options of `Embedding`. */
export interface EmbeddingOptions extends DTypeOption {
  /** This row starts at zeros and gets no gradient (a padding token); negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim` (weight initialised from N(0, 1), as
 * PyTorch): int32 indices of any shape give `[...shape, embeddingDim]`.
 * @example
 * const emb = new cr.nn.Embedding(1000, 64, { paddingIdx: 0 });
 * emb.forward(cr.tensor([[5, 7, 0]], { dtype: "int32" })).shape; // [1, 3, 64]
 */
export class Embedding extends Module {
  /** How many vectors the table holds (the largest index + 1). */
  readonly numEmbeddings: number;
  /** The size of each vector. */
  readonly embeddingDim: number;
  /** The index whose vector gets no gradient (and starts at zero), or null. */
  readonly paddingIdx: number | null;
  /** The table, `[numEmbeddings, embeddingDim]`. */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = checkInt("Embedding", "numEmbeddings", numEmbeddings);
    this.embeddingDim = checkInt("Embedding", "embeddingDim", embeddingDim);
    const pad = opts.paddingIdx ?? null;
    if (pad !== null && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new ArgumentError(`Embedding: paddingIdx ${pad} must be within [-${numEmbeddings}, ${numEmbeddings})`);
    }
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = emptyParameter([numEmbeddings, embeddingDim], floatDType("Embedding", opts.dtype));
    this.resetParameters();
  }

  /**
   * Draws the table from N(0, 1) again, with the padding row at zeros.
   * @example emb.resetParameters(); // a new N(0, 1) table
   */
  resetParameters(): void {
    init.normal_(this.weight);
    const pad = this.paddingIdx;
    if (pad !== null) noGrad(() => this.weight.copy_(where(arange(this.numEmbeddings).unsqueeze(1).eq(pad), 0, this.weight)));
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Embedding(10, 3).forward(cr.tensor([[1, 2]], { dtype: "int32" })).shape // [1, 2, 3] */
  forward(input: Tensor): Tensor {
    if (!isIndexTensor(input)) throw new DTypeError(`${this.moduleName}: indices must be an integer tensor (int32, int64, int16, int8 or uint8), got ${input.dtype} of shape ${fmt(input.shape)}`);
    return embeddingAs(this.moduleName, input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, paddingIdx=${this.paddingIdx}`}`;
  }
}
