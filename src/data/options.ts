// Option checking and seeded shuffling shared by the loaders and the synthetic datasets.
import { ArgumentError } from "../errors.js";
import { defaultGenerator, Generator } from "../random.js";

/** Throws unless `opts` is an object whose keys are all `known`: a misspelt `batch_size` must not pass silently. */
export function checkOptions(op: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new ArgumentError(`${op}: options must be an object, got ${opts === null ? "null" : Array.isArray(opts) ? "an array" : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new ArgumentError(`${op}: unknown option "${key}" (known: ${known.join(", ")})`);
  }
}

/** Throws unless `v` is an integer of at least `min`. */
export function checkInt(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new ArgumentError(`${op}: ${name} must be an integer >= ${min}, got ${typeof v === "number" ? v : typeof v}`);
  }
  return v;
}

/** Throws unless `v` is a finite number of at least `min`. */
export function checkNumber(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new ArgumentError(`${op}: ${name} must be a finite number >= ${min}, got ${typeof v === "number" ? v : typeof v}`);
  }
  return v;
}

/** The generator to draw from: `generator`, else a new one from `seed`, else the default one (`cr.manualSeed`). */
export function resolveGenerator(op: string, opts: { generator?: Generator; seed?: number }): Generator {
  if (opts.generator !== undefined && opts.seed !== undefined) {
    throw new ArgumentError(`${op}: give either generator or seed, not both`);
  }
  if (opts.generator !== undefined) {
    if (!(opts.generator instanceof Generator)) throw new ArgumentError(`${op}: generator must be a cr.Generator`);
    return opts.generator;
  }
  if (opts.seed !== undefined) {
    if (typeof opts.seed !== "number" || !Number.isFinite(opts.seed)) throw new ArgumentError(`${op}: seed must be a finite number, got ${String(opts.seed)}`);
    return new Generator(opts.seed);
  }
  return defaultGenerator;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates), drawn from `g`. */
export function permutation(n: number, g: Generator): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
