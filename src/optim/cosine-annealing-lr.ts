// CosineAnnealingLR: the lr follows a cosine from its initial value down to etaMin over tMax steps (torch.optim.lr_scheduler.CosineAnnealingLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { readNumber } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/** Options of CosineAnnealingLR. */
export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/** Python's `%`: the result has the divisor's sign. */
function pyMod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Anneals each group's lr along a cosine, η = ηmin + (η0 − ηmin)·(1 + cos(π·epoch/tMax))/2, from its
 * initial lr down to `etaMin` at step tMax, and back up over the next tMax steps (no restarts).
 * Computed recursively from the current lr, as torch, so changes made elsewhere carry on.
 * @example
 * const sched = new cr.optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Steps in half a cosine period. */
  tMax: number;
  /** The lowest lr, reached after `tMax` steps. */
  etaMin: number;

  constructor(optimizer: Optimizer, tMax: number, { etaMin = 0, lastEpoch = -1 }: CosineAnnealingLROptions = {}) {
    super("CosineAnnealingLR", optimizer);
    if (typeof tMax !== "number" || !(tMax > 0) || !Number.isFinite(tMax)) throw new ArgumentError(`CosineAnnealingLR: tMax must be a positive number, got ${String(tMax)}`);
    if (typeof etaMin !== "number" || !Number.isFinite(etaMin)) throw new ArgumentError(`CosineAnnealingLR: etaMin must be a finite number, got ${String(etaMin)}`);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.start(lastEpoch);
  }

  // torch's get_lr, branch for branch and in its order of operations (the lrs agree to the last bit).
  protected override computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { tMax, etaMin, lastEpoch: t } = this;
    if (t === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) {
      // The first step of a resumed schedule: the closed form.
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((t * Math.PI) / tMax))) / 2);
    }
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) {
      // At the bottom of the cosine the recursive ratio would divide by zero: step up by the closed form's increment.
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { tMax, etaMin, lastEpoch: t } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }

  protected override ownState(): SchedulerStateDict {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }

  protected override loadOwnState(d: Readonly<Record<string, unknown>>): () => void {
    const tMax = readNumber("CosineAnnealingLR.loadStateDict", d, "T_max");
    const etaMin = readNumber("CosineAnnealingLR.loadStateDict", d, "eta_min");
    return () => {
      this.tMax = tMax;
      this.etaMin = etaMin;
    };
  }
}
