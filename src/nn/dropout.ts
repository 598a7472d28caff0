// Dropout: inverted dropout in training mode, the identity in evaluation mode.
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { dropout } from "./functional/layers.js";
import { Module } from "./module.js";

/**
 * In training mode zeroes each element with probability `p` and scales the others by 1/(1-p), so
 * the expected activation is unchanged and evaluation mode (the identity) needs no rescaling.
 * Random draws come from the default generator: `cr.manualSeed` makes them repeatable.
 * @example
 * const drop = new cr.nn.Dropout(0.2);
 * drop.forward(x);        // training: some zeros, the rest × 1.25
 * drop.eval().forward(x); // x itself
 */
export class Dropout extends Module {
  /** The probability that an element is zeroed in training. */
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ArgumentError(`Dropout: probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Dropout(0.5).eval().forward(cr.tensor([1, 2])) // [1, 2] */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
