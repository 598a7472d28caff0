// SequentialLR: runs schedulers one after another, switching at milestones (torch.optim.lr_scheduler.SequentialLR).
import { ArgumentError } from "../errors.js";
import type { Optimizer } from "./optimizer.js";
import { LRScheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./scheduler.js";
import { describe, isRecord, readNumber, readNumbers } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/**
 * Runs `schedulers` in turn: the first until step `milestones[0]`, the second from there (started
 * afresh at its own step 0), and so on — a linear warm-up then a cosine decay is the usual pair. Built
 * as PyTorch's: the children are made first on the same optimizer, and only this one is stepped.
 * @example
 * const warmup = new cr.optim.lrScheduler.LinearLR(opt, { startFactor: 0.01, totalIters: 100 });
 * const decay = new cr.optim.lrScheduler.CosineAnnealingLR(opt, 1900, { etaMin: 1e-4 });
 * const sched = new cr.optim.lrScheduler.SequentialLR(opt, [warmup, decay], [100]);
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers run one after another. */
  readonly schedulers: readonly LRScheduler[];
  /** The step counts at which the next scheduler takes over. */
  milestones: number[];
  #lastLr: number[];

  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[], { lastEpoch = -1 }: SchedulerOptions = {}) {
    super("SequentialLR", optimizer);
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new ArgumentError("SequentialLR: expects at least one scheduler");
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new TypeError(`SequentialLR: schedulers[${i}] is not a scheduler, got ${describe(s)}`);
      if (s.optimizer !== optimizer) {
        throw new ArgumentError(`SequentialLR: expects all schedulers to belong to the same optimizer, but the scheduler at index ${i} has another`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new ArgumentError(`SequentialLR: expects one milestone fewer than schedulers, got ${schedulers.length} schedulers and milestones ${describe(milestones)}`);
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 0 || (i > 0 && m <= milestones[i - 1]!)) throw new ArgumentError(`SequentialLR: milestones must be increasing integers >= 0, got ${describe(milestones)}`);
    });
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new ArgumentError(`SequentialLR: lastEpoch must be an integer >= -1, got ${describe(lastEpoch)}`);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    const groups = optimizer.paramGroups;
    // As PyTorch: back to the initial lrs, undo the children's first steps, and start the first child again.
    groups.forEach((g, i) => {
      if (g.initialLr === undefined) throw new ArgumentError(`SequentialLR: paramGroups[${i}] has no initialLr; construct the schedulers first`);
      g.lr = g.initialLr;
    });
    this.baseLrs = groups.map((g) => g.initialLr!);
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!._initialStep();
    this.#lastLr = this.schedulers[0]!.getLastLr();
  }

  /** Advances by one step: the scheduler whose stretch this is steps (a new one starts at its step 0). */
  override step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length; // bisect_right
    const s = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s._stepAt(0);
    else s.step();
    this.#lastLr = s.getLastLr();
  }

  override getLastLr(): number[] {
    return [...this.#lastLr];
  }

  // Never called: step() delegates to the children.
  protected override computeLr(): number[] {
    return this.#lastLr;
  }

  /** PyTorch's keys: `_milestones`, `last_epoch`, `_last_lr`, and `_schedulers` with each child's state dict. */
  override stateDict(): SchedulerStateDict {
    return { _milestones: [...this.milestones], last_epoch: this.lastEpoch, _last_lr: [...this.#lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(dict: SchedulerStateDict): void {
    const where = "SequentialLR.loadStateDict";
    if (!isRecord(dict)) throw new ArgumentError(`${where}: expected an object, got ${describe(dict)}`);
    const children = dict._schedulers;
    if (!Array.isArray(children) || children.length !== this.schedulers.length) {
      throw new ArgumentError(`${where}: _schedulers must hold ${this.schedulers.length} state dicts, got ${describe(children)}`);
    }
    const milestones = readNumbers(where, dict, "_milestones", this.milestones.length);
    const lastEpoch = readNumber(where, dict, "last_epoch", true);
    const lastLr = readNumbers(where, dict, "_last_lr", this.optimizer.paramGroups.length);
    // Children check their own dicts; a failure in one leaves the earlier ones loaded, so check them all on copies first.
    children.forEach((c, i) => {
      if (!isRecord(c)) throw new ArgumentError(`${where}: _schedulers[${i}] is not a state dict`);
    });
    const before = this.schedulers.map((s) => s.stateDict());
    try {
      this.schedulers.forEach((s, i) => s.loadStateDict(children[i] as SchedulerStateDict));
    } catch (e) {
      this.schedulers.forEach((s, i) => s.loadStateDict(before[i]!));
      throw e;
    }
    this.milestones = milestones;
    this.lastEpoch = lastEpoch;
    this.#lastLr = lastLr;
  }

  protected override ownState(): SchedulerStateDict {
    return {};
  }

  protected override loadOwnState(): () => void {
    return () => {};
  }
}
