// ExponentialLR: multiplies the lr by gamma at every step (torch.optim.lr_scheduler.ExponentialLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { readNumber } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/**
 * Decays each group's lr by `gamma` at every step: lr = initialLr·gamma^epoch when nothing else changes it.
 * @example
 * const sched = new cr.optim.lrScheduler.ExponentialLR(opt, 0.95);
 */
export class ExponentialLR extends LRScheduler {
  /** The factor the lr is multiplied by each step. */
  gamma: number;

  constructor(optimizer: Optimizer, gamma: number, { lastEpoch = -1 }: SchedulerOptions = {}) {
    super("ExponentialLR", optimizer);
    if (typeof gamma !== "number" || !Number.isFinite(gamma)) throw new ArgumentError(`ExponentialLR: gamma must be a finite number, got ${String(gamma)}`);
    this.gamma = gamma;
    this.start(lastEpoch);
  }

  protected override computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected override ownState(): SchedulerStateDict {
    return { gamma: this.gamma };
  }

  protected override loadOwnState(d: Readonly<Record<string, unknown>>): () => void {
    const gamma = readNumber("ExponentialLR.loadStateDict", d, "gamma");
    return () => {
      this.gamma = gamma;
    };
  }
}
