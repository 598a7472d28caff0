// LinearLR: scales the lr by a factor moving linearly from startFactor to endFactor (torch.optim.lr_scheduler.LinearLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { readNumber } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/** Options of LinearLR. */
export interface LinearLROptions extends SchedulerOptions {
  /** The factor at the first step, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** The factor from step totalIters on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Steps over which the factor moves (default 5). */
  totalIters?: number;
}

/**
 * Multiplies each group's initial lr by a factor going linearly from `startFactor` to `endFactor`
 * over `totalIters` steps, then holds it: a warm-up (or a linear decay).
 * @example
 * const warmup = new cr.optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 10 });
 */
export class LinearLR extends LRScheduler {
  /** The factor of the initial lr at the first step. */
  startFactor: number;
  /** The factor of the initial lr reached after `totalIters` steps. */
  endFactor: number;
  /** Steps over which the factor moves from `startFactor` to `endFactor`. */
  totalIters: number;

  constructor(optimizer: Optimizer, { startFactor = 1 / 3, endFactor = 1, totalIters = 5, lastEpoch = -1 }: LinearLROptions = {}) {
    super("LinearLR", optimizer);
    // torch 1.13 accepts startFactor 0, which gives NaN at the second step: refused here.
    if (typeof startFactor !== "number" || !(startFactor > 0 && startFactor <= 1)) {
      throw new ArgumentError(`LinearLR: startFactor must be in (0, 1], got ${String(startFactor)}`);
    }
    if (typeof endFactor !== "number" || !(endFactor >= 0 && endFactor <= 1)) throw new ArgumentError(`LinearLR: endFactor must be in [0, 1], got ${String(endFactor)}`);
    if (!Number.isInteger(totalIters) || totalIters <= 0) throw new ArgumentError(`LinearLR: totalIters must be a positive integer, got ${String(totalIters)}`);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.start(lastEpoch);
  }

  // Recursive form, as torch: lr·startFactor at step 0, then lr·(1 + (end − start) / (totalIters·start + (epoch − 1)·(end − start))).
  protected override computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    if (t === 0) return groups.map((g) => g.lr * s);
    if (t > n) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: n, lastEpoch: t } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(n, t)) / n));
  }

  protected override ownState(): SchedulerStateDict {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }

  protected override loadOwnState(d: Readonly<Record<string, unknown>>): () => void {
    const where = "LinearLR.loadStateDict";
    const startFactor = readNumber(where, d, "start_factor");
    const endFactor = readNumber(where, d, "end_factor");
    const totalIters = readNumber(where, d, "total_iters", true);
    return () => {
      this.startFactor = startFactor;
      this.endFactor = endFactor;
      this.totalIters = totalIters;
    };
  }
}
