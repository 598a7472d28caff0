// State dicts in PyTorch's snake_case keys (so they map 1:1 onto torch's), the key mapping, and the checks run before a load.
import { ArgumentError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

/** A hyperparameter of a param group: a number, a flag, or a tuple such as Adam's `betas`. */
export type Hyperparameter = number | boolean | readonly number[];

/** One param group in a state dict: its hyperparameters under PyTorch's names, and its parameters as indices. */
export interface ParamGroupDict {
  /** The group's parameters, as indices over all groups in order. */
  params: number[];
  [key: string]: Hyperparameter;
}

/** A value of per-parameter state: a tensor (`exp_avg`, …), the `step` count, or null (PyTorch's `momentum_buffer: None`). */
export type StateValue = Tensor | number | null;

/**
 * An optimizer's state as `stateDict()` returns it and `loadStateDict()` takes it, as PyTorch's:
 * `{ state: { 0: { step, exp_avg, exp_avg_sq } }, param_groups: [{ lr, betas, …, params: [0, 1] }] }`.
 */
export interface OptimizerStateDict {
  /** Per-parameter state (step counts, moment estimates), keyed by the parameter's index over all groups. */
  state: Record<number, Record<string, StateValue>>;
  /** Each param group's hyperparameters and parameter indices. */
  param_groups: ParamGroupDict[];
}

/** A scheduler's state dict: its counters, base lrs and settings under PyTorch's names. */
export type SchedulerStateDict = Record<string, unknown>;

/** `weightDecay` -> `weight_decay`, `expAvgSq` -> `exp_avg_sq`: PyTorch's name for a camelCase key. */
export function toSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `weight_decay` -> `weightDecay`: chainrule's name for a PyTorch key. */
export function toCamel(key: string): string {
  return key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Group keys that torch writes for its own implementation choices, which have no meaning here: ignored on load. */
export const TORCH_ONLY_GROUP_KEYS: ReadonlySet<string> = new Set(["foreach", "differentiable", "capturable", "fused"]);

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Tensor);
}

/** Checks `value` has the same kind as `like` (number, boolean, or a numeric tuple of the same length). */
export function checkHyperparameter(where: string, key: string, value: unknown, like: Hyperparameter): Hyperparameter {
  if (Array.isArray(like)) {
    if (!Array.isArray(value) || value.length !== like.length || !value.every((v) => typeof v === "number")) {
      throw new ArgumentError(`${where}: ${key} must be a list of ${like.length} numbers, got ${describe(value)}`);
    }
    return [...(value as number[])];
  }
  if (typeof value !== typeof like) throw new ArgumentError(`${where}: ${key} must be a ${typeof like}, got ${describe(value)}`);
  return value as Hyperparameter;
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (x instanceof Tensor) return `a Tensor of shape [${x.shape.join(",")}]`;
  if (Array.isArray(x)) return `[${x.map(describe).join(", ")}]`;
  if (typeof x === "object") return "an object";
  return typeof x === "string" ? JSON.stringify(x) : String(x);
}

/** Reads a number-valued key of a scheduler dict (integers only when `integer`). */
export function readNumber(where: string, d: Readonly<Record<string, unknown>>, key: string, integer = false): number {
  const v = d[key];
  if (typeof v !== "number" || (integer ? !Number.isInteger(v) : Number.isNaN(v))) {
    throw new ArgumentError(`${where}: ${key} must be ${integer ? "an integer" : "a number"}, got ${describe(v)}`);
  }
  return v;
}

/** Reads a list of `length` numbers from a scheduler dict. */
export function readNumbers(where: string, d: Readonly<Record<string, unknown>>, key: string, length: number): number[] {
  const v = d[key];
  if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === "number")) {
    throw new ArgumentError(`${where}: ${key} must be a list of ${length} numbers (one per param group), got ${describe(v)}`);
  }
  return [...(v as number[])];
}

/** Reads a boolean-valued key of a scheduler dict. */
export function readBoolean(where: string, d: Readonly<Record<string, unknown>>, key: string): boolean {
  const v = d[key];
  if (typeof v !== "boolean") throw new ArgumentError(`${where}: ${key} must be a boolean, got ${describe(v)}`);
  return v;
}
