// Flatten: merges a range of dims, by default everything after the batch dim.
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/**
 * Merges dims `startDim`..`endDim` into one (default 1..-1: `[N, C, H, W]` → `[N, C·H·W]`), as
 * between convolutional and fully connected layers.
 * @example new cr.nn.Flatten().forward(cr.zeros([8, 16, 5, 5])).shape // [8, 400]
 */
export class Flatten extends Module {
  /** The first dim merged (default 1, keeping the batch dim). */
  readonly startDim: number;
  /** The last dim merged (default -1). */
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Flatten().forward(cr.zeros([2, 3, 4])).shape // [2, 12] */
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
