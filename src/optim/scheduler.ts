// The LRScheduler base class: sets each param group's lr at every step(), and saves/loads its counters.
import { ArgumentError } from "../errors.js";
import { Optimizer } from "./optimizer.js";
import { describe, isRecord, readNumber, readNumbers } from "./state-dict.js";
import type { SchedulerStateDict } from "./state-dict.js";

/** The option every scheduler takes: resume a schedule after `lastEpoch` steps (groups then need `initialLr`). */
export interface SchedulerOptions {
  /** The index of the last step taken (default -1: start the schedule). */
  lastEpoch?: number;
}

/** Keys torch writes in a scheduler's state dict that have no meaning here: ignored on load. */
const TORCH_ONLY_KEYS: ReadonlySet<string> = new Set(["verbose", "_get_lr_called_within_step", "anneal_func"]);

/**
 * The base of the learning-rate schedulers: call `step()` once after each `optimizer.step()` (per
 * epoch or per batch, as the schedule is meant), and it writes the new lr into every param group.
 * As PyTorch's, construction already takes the first step (lastEpoch becomes 0).
 * @example
 * const sched = new cr.optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { train(); sched.step(); }
 * sched.getLastLr(); // one lr per param group
 */
export abstract class LRScheduler {
  /** The optimizer whose param groups' lr this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's lr at the start of the schedule (its `initialLr`). */
  baseLrs: number[] = [];
  /** Steps taken since the start of the schedule, minus one (0 after construction). */
  lastEpoch = -1;
  /** How many times step() was called, construction included (PyTorch's `_step_count`). */
  protected stepCount = 0;
  private lastLr: number[] = [];
  /** The class name, for error messages. */
  protected readonly label: string;

  protected constructor(label: string, optimizer: Optimizer) {
    this.label = label;
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${label}: expected an Optimizer, got ${describe(optimizer)}`);
    this.optimizer = optimizer;
  }

  /** The lr of each group for the step just counted in lastEpoch. */
  protected abstract computeLr(): number[];
  /**
   * The lr of each group at lastEpoch from the initial lrs alone (PyTorch's `_get_closed_form_lr`),
   * for schedules that have one; null otherwise. Used when a schedule is moved to a given epoch.
   */
  protected closedFormLr(): number[] | null {
    return null;
  }
  /** This scheduler's own settings for its state dict, under PyTorch's names. */
  protected abstract ownState(): SchedulerStateDict;
  /** Checks this scheduler's settings in a state dict and returns the function that applies them. */
  protected abstract loadOwnState(dict: Readonly<Record<string, unknown>>): () => void;

  /** Records the base lrs and takes the first step; subclasses call it at the end of their constructor. */
  protected start(lastEpoch = -1): void {
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new ArgumentError(`${this.label}: lastEpoch must be an integer >= -1, got ${describe(lastEpoch)}`);
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) g.initialLr ??= g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new ArgumentError(`${this.label}: paramGroups[${i}] has no initialLr, which resuming with lastEpoch ${lastEpoch} needs`);
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
    this.stepCount = 0;
    this.step();
  }

  /** Advances the schedule by one step and sets every param group's lr. @example scheduler.step(); */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const values = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * @internal Moves the schedule to `epoch` and sets the lrs there, by the closed form where there is
   * one (PyTorch's deprecated `step(epoch)`, which SequentialLR uses at its milestones).
   */
  _stepAt(epoch: number): void {
    this.stepCount += 1;
    this.lastEpoch = epoch;
    const values = this.closedFormLr() ?? this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** @internal Restarts the step count and takes a step (PyTorch's `_initial_step`, which SequentialLR uses). */
  _initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lr of each param group as the last step() set it. @example const [lr] = scheduler.getLastLr(); */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state as PyTorch's `state_dict()`: `{ base_lrs, last_epoch, _step_count, _last_lr, … }`. @example const saved = scheduler.stateDict(); */
  stateDict(): SchedulerStateDict {
    return { ...this.ownState(), base_lrs: [...this.baseLrs], last_epoch: this.lastEpoch, _step_count: this.stepCount, _last_lr: [...this.lastLr] };
  }

  /** Loads a dict from `stateDict()`; a dict that does not fit this scheduler throws before anything changes. @example scheduler.loadStateDict(saved); */
  loadStateDict(dict: SchedulerStateDict): void {
    const where = `${this.label}.loadStateDict`;
    if (!isRecord(dict)) throw new ArgumentError(`${where}: expected an object, got ${describe(dict)}`);
    const n = this.optimizer.paramGroups.length;
    const baseLrs = readNumbers(where, dict, "base_lrs", n);
    const lastLr = readNumbers(where, dict, "_last_lr", n);
    const lastEpoch = readNumber(where, dict, "last_epoch", true);
    const stepCount = readNumber(where, dict, "_step_count", true);
    const own = this.ownState();
    for (const key of Object.keys(dict)) {
      if (!(key in own) && !["base_lrs", "_last_lr", "last_epoch", "_step_count"].includes(key) && !TORCH_ONLY_KEYS.has(key)) {
        throw new ArgumentError(`${where}: unknown key ${key}; is it the state dict of another scheduler?`);
      }
    }
    const applyOwn = this.loadOwnState(dict);
    applyOwn();
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
  }
}
