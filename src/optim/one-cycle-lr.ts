// OneCycleLR: the 1cycle policy, lr up to maxLr then far below the start, momentum the other way (torch.optim.lr_scheduler.OneCycleLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer, ParamGroup, SchedulerFields } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { describe, readBoolean, readNumber } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/** Options of OneCycleLR: `maxLr`, and `totalSteps` or both `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions extends SchedulerOptions {
  /** The peak lr, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; else epochs·stepsPerEpoch. */
  totalSteps?: number;
  /** Epochs in the cycle (with `stepsPerEpoch`, when `totalSteps` is not given). */
  epochs?: number;
  /** Steps in each epoch (with `epochs`, when `totalSteps` is not given). */
  stepsPerEpoch?: number;
  /** The share of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear" annealing. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's beta1) inversely to the lr, between baseMomentum and maxMomentum (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak (default 0.85), one for all groups or one per group. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and end of the cycle (default 0.95), one for all groups or one per group. */
  maxMomentum?: number | readonly number[];
  /** The starting lr is maxLr / divFactor (default 25). */
  divFactor?: number;
  /** The final lr is the starting lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases as the original paper (up, down to the start, then annihilate) instead of two (default false). */
  threePhase?: boolean;
}

type LrKey = "initialLr" | "maxLr" | "minLr";
type MomentumKey = "maxMomentum" | "baseMomentum";

/** One phase of the cycle: it ends at step `endStep`, moving the lr and momentum between the named group values. */
interface Phase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

/** The momentum-like fields OneCycleLR cycles: SGD's and RMSprop's momentum, or Adam's betas[0]. */
type MomentumGroup = ParamGroup & { momentum?: number; betas?: readonly [number, number] };

/**
 * The 1cycle learning-rate policy, stepped once per batch: the lr rises from maxLr/divFactor to
 * maxLr over pctStart of the cycle, then anneals to far below its start; momentum moves the other way.
 * Not chainable: it sets the lr from the group's initialLr/maxLr/minLr, which it writes into the groups.
 * @example
 * const sched = new cr.optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: batches.length });
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the whole cycle. */
  totalSteps: number;
  /** How the lr anneals: cosine or linear. */
  annealStrategy: "cos" | "linear";
  /** Whether momentum moves inversely to the lr. */
  cycleMomentum: boolean;
  /** Whether momentum lives in the groups' betas[0] (Adam, AdamW) rather than `momentum`. */
  useBeta1: boolean;
  private phases: Phase[];

  constructor(optimizer: Optimizer, opts: OneCycleLROptions) {
    super("OneCycleLR", optimizer);
    const L = "OneCycleLR";
    if (opts === undefined || opts.maxLr === undefined) throw new ArgumentError(`${L}: maxLr is required`);
    const {
      totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = "cos", cycleMomentum = true,
      baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false, lastEpoch = -1,
    } = opts;
    const positiveInt = (name: string, v: unknown): number => {
      if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new ArgumentError(`${L}: expected a positive integer ${name}, got ${describe(v)}`);
      return v;
    };
    if (totalSteps !== undefined) this.totalSteps = positiveInt("totalSteps", totalSteps);
    else if (epochs === undefined && stepsPerEpoch === undefined) throw new ArgumentError(`${L}: you must define either totalSteps or (epochs and stepsPerEpoch)`);
    else this.totalSteps = positiveInt("epochs", epochs) * positiveInt("stepsPerEpoch", stepsPerEpoch);
    if (typeof pctStart !== "number" || !(pctStart >= 0 && pctStart <= 1)) throw new ArgumentError(`${L}: pctStart must be in [0, 1], got ${describe(pctStart)}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear") throw new ArgumentError(`${L}: annealStrategy must be "cos" or "linear", got ${describe(annealStrategy)}`);
    this.annealStrategy = annealStrategy;
    this.phases = makePhases(this.totalSteps, pctStart, threePhase);

    const groups = this.optimizer.paramGroups as MomentumGroup[];
    const maxLrs = perGroup(L, "maxLr", opts.maxLr, groups.length);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    this.cycleMomentum = cycleMomentum;
    const defaults = this.optimizer.defaults as Readonly<Record<string, unknown>>;
    this.useBeta1 = "betas" in defaults;
    if (cycleMomentum) {
      if (!("momentum" in defaults) && !this.useBeta1) throw new ArgumentError(`${L}: the optimizer must have momentum or betas when cycleMomentum is true`);
      const maxMs = perGroup(L, "maxMomentum", maxMomentum, groups.length);
      const baseMs = perGroup(L, "baseMomentum", baseMomentum, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          this.setMomentum(g, maxMs[i]!);
          g.maxMomentum = maxMs[i]!;
          g.baseMomentum = baseMs[i]!;
        });
      }
    }
    this.start(lastEpoch);
  }

  private setMomentum(g: MomentumGroup, m: number): void {
    if (this.useBeta1) g.betas = [m, g.betas![1]];
    else g.momentum = m;
  }

  // Within the phase holding the step: pct = (step − phase start) / (phase end − phase start), and
  // cos: end + (start − end)/2·(1 + cos(π·pct));  linear: (end − start)·pct + start.
  protected override computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`OneCycleLR: tried to step ${step + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    const anneal = this.annealStrategy === "cos" ? annealCos : annealLinear;
    return (this.optimizer.paramGroups as MomentumGroup[]).map((g) => {
      let startStep = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        if (step <= phase.endStep || i === this.phases.length - 1) {
          const pct = (step - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) this.setMomentum(g, anneal(field(g, phase.startMomentum), field(g, phase.endMomentum), pct));
          return anneal(field(g, phase.startLr), field(g, phase.endLr), pct);
        }
        startStep = phase.endStep;
      }
      throw new Error("OneCycleLR: no phase"); // unreachable: the last phase takes every step
    });
  }

  protected override ownState(): SchedulerStateDict {
    return {
      total_steps: this.totalSteps,
      _schedule_phases: this.phases.map((p) => ({
        end_step: p.endStep, start_lr: snake(p.startLr), end_lr: snake(p.endLr), start_momentum: snake(p.startMomentum), end_momentum: snake(p.endMomentum),
      })),
      anneal_strategy: this.annealStrategy,
      cycle_momentum: this.cycleMomentum,
      use_beta1: this.useBeta1,
    };
  }

  protected override loadOwnState(d: Readonly<Record<string, unknown>>): () => void {
    const where = "OneCycleLR.loadStateDict";
    const totalSteps = readNumber(where, d, "total_steps", true);
    const cycleMomentum = readBoolean(where, d, "cycle_momentum");
    const useBeta1 = d.use_beta1 === undefined ? this.useBeta1 : readBoolean(where, d, "use_beta1");
    const strategy = d.anneal_strategy ?? this.annealStrategy;
    if (strategy !== "cos" && strategy !== "linear") throw new ArgumentError(`${where}: anneal_strategy must be "cos" or "linear", got ${describe(strategy)}`);
    const phases = readPhases(where, d._schedule_phases);
    return () => {
      this.totalSteps = totalSteps;
      this.cycleMomentum = cycleMomentum;
      this.useBeta1 = useBeta1;
      this.annealStrategy = strategy;
      this.phases = phases;
    };
  }
}

/** torch's _schedule_phases: the end steps are fractional, from pctStart·totalSteps. */
function makePhases(totalSteps: number, pctStart: number, threePhase: boolean): Phase[] {
  if (threePhase) {
    return [
      { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
      { endStep: 2 * pctStart * totalSteps - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
      { endStep: totalSteps - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
    ];
  }
  return [
    { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
    { endStep: totalSteps - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
  ];
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

function perGroup(label: string, name: string, value: number | readonly number[], n: number): number[] {
  const list = Array.isArray(value) ? [...(value as readonly number[])] : new Array<number>(n).fill(value as number);
  if (list.length !== n) throw new ArgumentError(`${label}: expected ${n} values for ${name} (one per param group), got ${list.length}`);
  if (!list.every((v) => typeof v === "number" && Number.isFinite(v))) throw new ArgumentError(`${label}: ${name} must be finite numbers, got ${describe(value)}`);
  return list;
}

function field(g: SchedulerFields, key: LrKey | MomentumKey): number {
  const v = g[key];
  if (v === undefined) throw new Error(`OneCycleLR: the param group has no ${key}; was it added after the scheduler was made?`);
  return v;
}

const SNAKE: Record<LrKey | MomentumKey, string> = {
  initialLr: "initial_lr", maxLr: "max_lr", minLr: "min_lr", maxMomentum: "max_momentum", baseMomentum: "base_momentum",
};
const CAMEL = new Map(Object.entries(SNAKE).map(([k, v]) => [v, k]));

function snake(key: LrKey | MomentumKey): string {
  return SNAKE[key];
}

function readPhases(where: string, raw: unknown): Phase[] {
  const bad = (): never => {
    throw new ArgumentError(`${where}: _schedule_phases must be a list of { end_step, start_lr, end_lr, start_momentum, end_momentum }, got ${describe(raw)}`);
  };
  if (!Array.isArray(raw) || raw.length === 0) return bad();
  return raw.map((p: unknown) => {
    if (typeof p !== "object" || p === null) return bad();
    const r = p as Record<string, unknown>;
    const name = (k: string, kinds: readonly string[]): string => {
      const v = CAMEL.get(String(r[k]));
      return v !== undefined && kinds.includes(v) ? v : bad();
    };
    if (typeof r.end_step !== "number") return bad();
    const lrs = ["initialLr", "maxLr", "minLr"];
    const ms = ["maxMomentum", "baseMomentum"];
    return {
      endStep: r.end_step,
      startLr: name("start_lr", lrs) as LrKey,
      endLr: name("end_lr", lrs) as LrKey,
      startMomentum: name("start_momentum", ms) as MomentumKey,
      endMomentum: name("end_momentum", ms) as MomentumKey,
    };
  });
}
