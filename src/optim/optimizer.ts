// The Optimizer base class: param groups, per-parameter state, zeroGrad, step's loop, and state dicts.
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { peekSequenceNr } from "../autograd/node.js";
import { safePoint } from "../backend/reclaim.js";
import { ArgumentError } from "../errors.js";
import { shapesEqual } from "../shape.js";
import { capturing, hostStep } from "../tensor/capture.js";
import { popFrame, pushFrame } from "../tensor/lifetime.js";
import { keep } from "../tensor/scope.js";
import { Tensor } from "../tensor/tensor.js";
import {
  TORCH_ONLY_GROUP_KEYS, checkHyperparameter, describe, isRecord, toCamel, toSnake,
} from "./state-dict.js";
import type { Hyperparameter, OptimizerStateDict, ParamGroupDict, StateValue } from "./state-dict.js";

// State lives as long as the optimizer: a scope around a training step must not free it.
function keepState(s: ParamState | undefined): void {
  if (s !== undefined) for (const v of Object.values(s)) if (v instanceof Tensor) keep(v);
}

/** The hyperparameters every optimizer has. */
export interface OptimizerOptions {
  /** The learning rate. */
  lr: number;
}

/** What learning-rate schedulers record on a param group (PyTorch's `initial_lr`, `max_lr`, …). */
export interface SchedulerFields {
  /** The group's lr when its scheduler was created (PyTorch's `initial_lr`). */
  initialLr?: number;
  /** OneCycleLR's peak lr (PyTorch's `max_lr`). */
  maxLr?: number;
  /** OneCycleLR's final lr (PyTorch's `min_lr`). */
  minLr?: number;
  /** The highest momentum OneCycleLR cycles to (PyTorch's `max_momentum`). */
  maxMomentum?: number;
  /** The lowest momentum OneCycleLR cycles to (PyTorch's `base_momentum`). */
  baseMomentum?: number;
}

const SCHEDULER_KEYS: readonly (keyof SchedulerFields)[] = ["initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum"];

/** A param group: its parameters and its own copy of every hyperparameter, which may be changed between steps. */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & SchedulerFields & { params: Tensor[] };

/** A param group as given to a constructor or `addParamGroup`: options it leaves out come from the defaults. */
export type ParamGroupInput<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & SchedulerFields & {
  params: Iterable<Tensor> | Tensor;
};

/** The parameters to optimize: tensors (one group), or param groups with their own options. */
export type ParamsInput<O extends OptimizerOptions = OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state (`step`, `expAvg`, …): tensors shaped like the parameter, and counters. */
export type ParamState = Record<string, Tensor | number | null | undefined>;

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Set `.grad` to null (the default, as PyTorch 2) instead of filling it with zeros. */
  setToNone?: boolean;
}

/**
 * The base of every optimizer: holds param groups and per-parameter state; subclasses give the update.
 * Each group is a plain object whose hyperparameters (`lr`, …) may be changed between steps.
 * @example
 * const opt = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 * opt.paramGroups[0]!.lr = 0.01; // what a scheduler does
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  /** The options each group starts from. */
  readonly defaults: Readonly<O>;
  /** The param groups, in order; their hyperparameters are read at every step. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created at a parameter's first step. */
  readonly state = new Map<Tensor, S>();
  /** The class name, for error messages. */
  protected readonly label: string;
  /**
   * Whether `update` may keep the gradient it is given past the step (a subclass's choice). The built-in
   * optimizers do not, so `zeroGrad()` can free each gradient at once; a subclass that stores `grad`
   * itself (not a copy) leaves them to the garbage collector, as it must.
   */
  protected readonly keepsGradients: boolean = true;

  /** `builtin` holds every option with its default value; `options` the caller's, which override them. */
  protected constructor(label: string, params: ParamsInput<O>, builtin: O, options: Partial<O>) {
    this.label = label;
    if (!isRecord(options)) throw new TypeError(`${label}: options must be an object, got ${describe(options)}`);
    const defaults: Record<string, unknown> = { ...(builtin as object) };
    for (const [key, value] of Object.entries(options)) {
      if (!(key in builtin)) throw this.unknownKey(`${label}`, key, builtin);
      if (value !== undefined) defaults[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
    this.checkOptions(defaults as unknown as O);
    this.defaults = Object.freeze(defaults as unknown as O);
    if (params instanceof Tensor || params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
      throw new TypeError(
        `${label}: params must be an array of Tensors or of param groups ({ params, ...options }), got ${params instanceof Tensor ? "a Tensor" : describe(params)}`,
      );
    }
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new ArgumentError(`${label}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks a group's (or the defaults') hyperparameters; throws an ArgumentError naming the bad one. */
  protected abstract checkOptions(options: O): void;
  /** Applies one update to `param` given its gradient, inside noGrad. */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<O>): void;
  /** The state keys (camelCase) a parameter of `group` must have once stepped, checked by loadStateDict. */
  protected abstract stateKeys(group: ParamGroup<O>): readonly string[];
  /** Every state key this optimizer may keep, in the order the state is built. */
  protected abstract knownStateKeys(): readonly string[];

  /**
   * Adds a group of parameters, with options overriding the defaults (to train layers unfrozen later).
   * @example opt.addParamGroup({ params: head.parameters(), lr: 0.01 });
   */
  addParamGroup(input: ParamGroupInput<O>): void {
    const where = `${this.label}: param group ${this.paramGroups.length}`;
    if (!isRecord(input)) throw new TypeError(`${where}: a param group must be an object { params, ...options }, got ${describe(input)}`);
    const raw = input.params as unknown;
    if (raw === undefined || raw === null || (!(raw instanceof Tensor) && (typeof raw !== "object" || !(Symbol.iterator in raw)))) {
      throw new TypeError(`${where}: params must be a Tensor or an array of Tensors, got ${describe(raw)}`);
    }
    const params = raw instanceof Tensor ? [raw] : Array.from(raw as Iterable<unknown>);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: an optimizer can only optimize Tensors, but params[${i}] is ${describe(p)}`);
      if (!p.isLeaf && !p.retainsGrad) throw new ArgumentError(`${where}: params[${i}] is not a leaf tensor (it was made by ${p.gradFn?.name}); only leaves can be optimized`);
    });
    const tensors = params as Tensor[];
    if (new Set(tensors).size !== tensors.length) throw new ArgumentError(`${where}: the group lists a parameter more than once`);
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (tensors.some((p) => taken.has(p))) throw new ArgumentError(`${where}: some parameters appear in more than one parameter group`);

    const group: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.defaults)) group[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    for (const [key, value] of Object.entries(input)) {
      if (key === "params" || value === undefined) continue;
      if (!(key in this.defaults) && !(SCHEDULER_KEYS as readonly string[]).includes(key)) throw this.unknownKey(where, key, this.defaults);
      group[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
    group.params = tensors;
    const typed = group as unknown as ParamGroup<O>;
    this.checkOptions(typed);
    this.paramGroups.push(typed);
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default), or with
   * `{ setToNone: false }` fills them with zeros in place.
   * @example optimizer.zeroGrad();
   */
  zeroGrad({ setToNone = true }: ZeroGradOptions = {}): void {
    safePoint();
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p._gradPeek();
        if (g === null) continue;
        if (setToNone) {
          p._clearGrad();
        } else {
          // A gradient recorded with createGraph is part of a graph: cut it off before writing into it, as PyTorch's detach_().
          const plain = g.requiresGrad ? g.detach() : g;
          if (plain !== g) p.grad = plain;
          plain.zero_();
        }
      }
    }
  }

  /**
   * Updates every parameter that has a gradient (those whose `.grad` is null are skipped). With a
   * `closure` that recomputes the loss (run with gradients on), returns its result.
   * @example optimizer.step();
   */
  step(closure?: () => Tensor): Tensor | undefined {
    safePoint();
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const g = p._gradPeek();
          if (g === null) continue;
          if (this.keepsGradients) p._shareGrad();
          if (!capturing()) {
            // The update's temporaries are freed as it ends; its state outlives it (keepState).
            const frame = pushFrame(peekSequenceNr());
            try {
              this.update(p, g, group);
              keepState(this.state.get(p));
            } finally {
              popFrame(frame, new Set());
            }
            continue;
          }
          // In a captured graph (captureGraph) each replay redoes the update, with its step count and the group's
          // hyperparameters then, on the gradient buffer the replay writes. An alias keeps that buffer, should
          // zeroGrad() drop .grad between replays.
          const grad = keep(g.detach());
          hostStep(() => noGrad(() => {
            this.update(p, grad, group);
            keepState(this.state.get(p));
          }), () => grad.dispose());
        }
      }
    });
    return loss;
  }

  /**
   * The optimizer's state as PyTorch's `state_dict()`: per-parameter state keyed by the parameter's
   * index over all groups, and each group's hyperparameters, all under PyTorch's names. Tensors are copies.
   * @example const saved = optimizer.stateDict();
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((group) => {
      const packed: Record<string, Hyperparameter> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key === "params" || value === undefined) continue;
        packed[toSnake(key)] = Array.isArray(value) ? [...(value as number[])] : (value as Hyperparameter);
      }
      const ids = group.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return { ...packed, params: ids } as ParamGroupDict;
    });
    const state: Record<number, Record<string, StateValue>> = {};
    noGrad(() => {
      for (const [p, s] of this.state) {
        const id = index.get(p);
        if (id === undefined) continue;
        const entry: Record<string, StateValue> = {};
        for (const [key, value] of Object.entries(s)) {
          if (value === undefined) continue;
          entry[toSnake(key)] = value instanceof Tensor ? value.clone() : value;
        }
        state[id] = entry;
      }
    });
    return { state, param_groups };
  }

  /**
   * Loads a dict from `stateDict()` (or PyTorch's `state_dict()`, with tensors converted): the
   * groups' hyperparameters and the per-parameter state. The dict must have as many groups, and
   * parameters per group, as this optimizer; anything that does not fit throws before anything changes.
   * @example optimizer.loadStateDict(saved);
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.label}.loadStateDict`;
    if (!isRecord(dict) || !isRecord(dict.state) || !Array.isArray(dict.param_groups)) {
      throw new ArgumentError(`${where}: expected { state, param_groups }, got ${describe(dict)}`);
    }
    const saved = dict.param_groups as unknown[];
    if (saved.length !== this.paramGroups.length) {
      throw new ArgumentError(`${where}: the state dict has ${saved.length} parameter groups, but the optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, { param: Tensor; group: ParamGroup<O> }>();
    const newGroups = saved.map((sg, gi) => {
      const group = this.paramGroups[gi]!;
      const gw = `${where}: param_groups[${gi}]`;
      if (!isRecord(sg) || !Array.isArray(sg.params)) throw new ArgumentError(`${gw} must be an object with a params list, got ${describe(sg)}`);
      const ids = sg.params as unknown[];
      if (ids.length !== group.params.length) {
        throw new ArgumentError(`${gw} has ${ids.length} parameters, but the optimizer's group ${gi} has ${group.params.length}`);
      }
      ids.forEach((id, i) => {
        if (typeof id !== "number" || !Number.isInteger(id) || byId.has(id)) throw new ArgumentError(`${gw}.params[${i}] must be a distinct integer index, got ${describe(id)}`);
        byId.set(id, { param: group.params[i]!, group });
      });
      const hyper: Record<string, unknown> = {};
      for (const [key, like] of Object.entries(this.defaults)) {
        const snake = toSnake(key);
        if (!(snake in sg)) throw new ArgumentError(`${gw} has no ${snake}; is it a state dict of another optimizer?`);
        hyper[key] = checkHyperparameter(gw, snake, sg[snake], like as Hyperparameter);
      }
      for (const [snake, value] of Object.entries(sg)) {
        const key = toCamel(snake);
        if (snake === "params" || key in this.defaults || TORCH_ONLY_GROUP_KEYS.has(snake)) continue;
        if (!(SCHEDULER_KEYS as readonly string[]).includes(key)) throw new ArgumentError(`${gw} has an unknown key ${snake}`);
        hyper[key] = checkHyperparameter(gw, snake, value, 0);
      }
      this.checkOptions(hyper as unknown as O);
      return hyper;
    });

    const newState = new Map<Tensor, S>();
    noGrad(() => {
      for (const [idText, entry] of Object.entries(dict.state as Record<string, unknown>)) {
        const sw = `${where}: state[${idText}]`;
        const target = byId.get(Number(idText));
        if (target === undefined) throw new ArgumentError(`${sw} belongs to no parameter of the param groups`);
        if (!isRecord(entry)) throw new ArgumentError(`${sw} must be an object, got ${describe(entry)}`);
        const { param, group } = target;
        const required = this.stateKeys({ ...group, ...newGroups[this.paramGroups.indexOf(group)] } as ParamGroup<O>);
        const known = this.knownStateKeys();
        const present = Object.entries(entry).filter(([, v]) => v !== null && v !== undefined).map(([k]) => toCamel(k));
        if (!required.every((k) => present.includes(k)) || !present.every((k) => known.includes(k))) {
          throw new ArgumentError(
            `${sw} has keys [${present.map(toSnake).join(", ")}], but ${this.label} keeps [${required.map(toSnake).join(", ")}]` +
              (known.length > required.length ? ` and may keep [${known.filter((k) => !required.includes(k)).map(toSnake).join(", ")}]` : "") +
              " for it",
          );
        }
        const s: Record<string, Tensor | number | null> = {};
        for (const key of known) {
          const value = entry[toSnake(key)];
          if (value === null) s[key] = null;
          else if (value !== undefined) s[key] = this.loadStateValue(`${sw}.${toSnake(key)}`, key, value, param);
        }
        newState.set(param, s as S);
      }
    });

    newGroups.forEach((hyper, gi) => {
      const group = this.paramGroups[gi]! as unknown as Record<string, unknown>;
      for (const key of SCHEDULER_KEYS) delete group[key];
      Object.assign(group, hyper);
    });
    this.state.clear();
    for (const [p, s] of newState) {
      this.state.set(p, s);
      keepState(s);
    }
  }

  private loadStateValue(where: string, key: string, value: unknown, param: Tensor): Tensor | number {
    if (key === "step") {
      // torch keeps Adam's step as a one-element float tensor, RMSprop's as a number.
      const n = value instanceof Tensor && value.numel() === 1 ? value.item() : value;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new ArgumentError(`${where} must be a count of steps, got ${describe(value)}`);
      return n;
    }
    if (!(value instanceof Tensor)) throw new ArgumentError(`${where} must be a Tensor, got ${describe(value)}`);
    if (!shapesEqual(value.shape, param.shape)) {
      throw new ArgumentError(`${where} has shape [${value.shape.join(",")}], but its parameter has shape [${param.shape.join(",")}]`);
    }
    return value.dtype === param.dtype ? value.detach().clone() : value.detach().to(param.dtype);
  }

  private unknownKey(where: string, key: string, defaults: Readonly<O>): ArgumentError {
    const camel = toCamel(key);
    const hint = camel !== key && camel in defaults ? ` (did you mean ${camel}?)` : "";
    const known = Object.keys(defaults).join(", ");
    return new ArgumentError(`${where}: unknown option ${key}${hint}; ${this.label} takes ${known}`);
  }
}

/** Throws unless `value` is a number >= 0 (PyTorch's "Invalid learning rate" and friends). */
export function checkNonNegative(label: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !(value >= 0)) throw new ArgumentError(`${label}: invalid ${name} ${describe(value)}; it must be a number >= 0`);
}

/** Throws unless `value` is a boolean. */
export function checkFlag(label: string, name: string, value: unknown): void {
  if (typeof value !== "boolean") throw new ArgumentError(`${label}: ${name} must be true or false, got ${describe(value)}`);
}
