// StepLR: multiplies the lr by gamma every stepSize steps (torch.optim.lr_scheduler.StepLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { readNumber } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/** Options of StepLR. */
export interface StepLROptions extends SchedulerOptions {
  /** The factor applied every stepSize steps (default 0.1). */
  gamma?: number;
}

/**
 * Decays each group's lr by `gamma` every `stepSize` steps: lr = initialLr·gamma^⌊epoch/stepSize⌋
 * when nothing else changes it (it multiplies the current lr, so changes made elsewhere carry on).
 * @example
 * const sched = new cr.optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 }); // 0.05 for epochs 0-29, 0.005 for 30-59, …
 */
export class StepLR extends LRScheduler {
  /** Steps between decays. */
  stepSize: number;
  /** The factor the lr is multiplied by every `stepSize` steps. */
  gamma: number;

  constructor(optimizer: Optimizer, stepSize: number, { gamma = 0.1, lastEpoch = -1 }: StepLROptions = {}) {
    super("StepLR", optimizer);
    if (!Number.isInteger(stepSize) || stepSize <= 0) throw new ArgumentError(`StepLR: stepSize must be a positive integer, got ${String(stepSize)}`);
    if (typeof gamma !== "number" || !Number.isFinite(gamma)) throw new ArgumentError(`StepLR: gamma must be a finite number, got ${String(gamma)}`);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.start(lastEpoch);
  }

  // Recursive form, as torch: multiply the current lr at every multiple of stepSize.
  protected override computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override ownState(): SchedulerStateDict {
    return { step_size: this.stepSize, gamma: this.gamma };
  }

  protected override loadOwnState(d: Readonly<Record<string, unknown>>): () => void {
    const stepSize = readNumber("StepLR.loadStateDict", d, "step_size", true);
    const gamma = readNumber("StepLR.loadStateDict", d, "gamma");
    return () => {
      this.stepSize = stepSize;
      this.gamma = gamma;
    };
  }
}
