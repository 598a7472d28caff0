// LambdaLR: each group's lr is its initial lr times a function of the step (torch.optim.lr_scheduler.LambdaLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { describe } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/** A factor of the initial lr as a function of the step count (the `epoch` PyTorch passes). */
export type LrLambda = (epoch: number) => number;

/**
 * Sets each group's lr to its initial lr times `lrLambda(epoch)` (one function for all groups, or one
 * per group), the most flexible schedule: warm-up, inverse square root, anything with a formula.
 * Functions are not part of the state dict (as in PyTorch, which saves `None` for them).
 * @example
 * const warmup = 100;
 * const sched = new cr.optim.lrScheduler.LambdaLR(opt, (step) => Math.min(1, (step + 1) / warmup));
 */
export class LambdaLR extends LRScheduler {
  /** Each group's function of the step count giving the factor of its initial lr. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], { lastEpoch = -1 }: SchedulerOptions = {}) {
    super("LambdaLR", optimizer);
    const n = optimizer.paramGroups.length;
    const list = typeof lrLambda === "function" ? Array.from({ length: n }, () => lrLambda) : Array.isArray(lrLambda) ? [...(lrLambda as LrLambda[])] : null;
    if (list === null) throw new TypeError(`LambdaLR: lrLambda must be a function or an array of functions, got ${describe(lrLambda)}`);
    if (list.length !== n) throw new ArgumentError(`LambdaLR: expected ${n} lrLambdas (one per param group), but got ${list.length}`);
    list.forEach((f, i) => {
      if (typeof f !== "function") throw new TypeError(`LambdaLR: lrLambda[${i}] is not a function`);
    });
    this.lrLambdas = list;
    this.start(lastEpoch);
  }

  protected override computeLr(): number[] {
    return this.baseLrs.map((base, i) => {
      const factor = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof factor !== "number" || Number.isNaN(factor)) {
        throw new ArgumentError(`LambdaLR: lrLambda${this.lrLambdas.length > 1 ? `[${i}]` : ""}(${this.lastEpoch}) returned ${describe(factor)}, not a number`);
      }
      return base * factor;
    });
  }

  protected override ownState(): SchedulerStateDict {
    return { lr_lambdas: this.lrLambdas.map(() => null) };
  }

  protected override loadOwnState(d: Readonly<Record<string, unknown>>): () => void {
    const saved = d.lr_lambdas;
    if (saved !== undefined && (!Array.isArray(saved) || saved.length !== this.lrLambdas.length)) {
      throw new ArgumentError(`LambdaLR.loadStateDict: lr_lambdas must be a list of ${this.lrLambdas.length} entries, got ${describe(saved)}`);
    }
    return () => {};
  }
}
