// Which backends exist and which one new tensors use. Backends register themselves (cpu/register.ts,
// wasm/register.ts; a third-party backend calls `registerBackend` the same way); nothing here knows one by name.
import { ArgumentError, DTypeError } from "../errors.js";
import type { Backend, CompleteBackend } from "./backend.js";
import { complete } from "./fallbacks.js";

/** How a backend takes part in choosing the default, and the settings every backend may offer. */
export interface BackendOptions {
  /** Higher goes first when chainrule picks the default backend (cpu 0, wasm 10). Default 0. */
  readonly priority?: number;
  /** Whether the backend can run here (wasm needs WebAssembly SIMD); asked when a default is picked. Default: yes. */
  readonly isAvailable?: () => boolean;
  /** Sets how many threads its kernels may use (`setNumThreads`). */
  readonly setThreads?: (n: number) => void;
  /** What `cr.memory()` reports for it: its tensor memory outside the JavaScript heap, and anything else it counts. */
  readonly memoryStats?: () => BackendMemoryStats;
  /** Why it cannot run now, and what to do (webgpu: "call await cr.backends.webgpu.init() first"), for setBackend's error. */
  readonly whyUnavailable?: () => string;
  /** Asynchronous start-up (webgpu: opening the GPU), run by `initBackend`; rejects where the backend cannot run. */
  readonly init?: () => Promise<unknown>;
}

/** A backend's tensor memory outside the JavaScript heap (a wasm heap, a GPU), with whatever else it reports. */
export interface BackendMemoryStats {
  /** Tensor buffers it holds now. */
  readonly tensorBlocks: number;
  /** Their bytes. */
  readonly tensorBytes: number;
  readonly [other: string]: number;
}

interface Entry {
  readonly backend: CompleteBackend;
  readonly options: BackendOptions;
}

const entries = new Map<string, Entry>();
let current: CompleteBackend | null = null;

/**
 * Makes `backend` available to `setBackend` under its name; accelerated methods it lacks are composed from its
 * core (see CONTRIBUTING.md, "Add a backend"). Returns the completed backend, the object its tensors use.
 * @example cr.registerBackend(myBackend);
 */
export function registerBackend(backend: Backend, options: BackendOptions = {}): CompleteBackend {
  const full = complete(backend);
  entries.set(full.name, { backend: full, options });
  return full;
}

/** Every registered backend. */
export function registeredBackends(): CompleteBackend[] {
  return [...entries.values()].map((e) => e.backend);
}

/** Selects the backend that runs the kernels of tensors created from now on. @example cr.setBackend("cpu"); */
export function setBackend(name: string): void {
  const entry = entries.get(name);
  if (entry === undefined) throw new ArgumentError(`setBackend: unknown backend "${name}" (available: ${[...entries.keys()].join(", ")})`);
  if (entry.options.isAvailable?.() === false) throw new ArgumentError(`setBackend: the ${name} backend cannot run here${entry.options.whyUnavailable === undefined ? "" : `: ${entry.options.whyUnavailable()}`}`);
  current = entry.backend;
}

/** The name of the backend in use. @example const name = cr.getBackend(); */
export function getBackend(): string {
  return currentBackend().name;
}

/**
 * The backend in use: the one `setBackend` chose, else the available one of highest priority (chosen on first
 * use rather than at import, so importing chainrule compiles no WebAssembly).
 */
export function currentBackend(): CompleteBackend {
  if (current !== null) return current;
  const ranked = [...entries.values()].sort((a, b) => (b.options.priority ?? 0) - (a.options.priority ?? 0));
  const chosen = ranked.find((e) => e.options.isAvailable?.() !== false);
  if (chosen === undefined) throw new ArgumentError("chainrule: no backend is registered");
  current = chosen.backend;
  return current;
}

/**
 * How many threads (the caller included) large kernels may use on every backend, as PyTorch's
 * `torch.set_num_threads`; 1 keeps everything on the calling thread. Takes effect before the first large
 * kernel starts the worker threads. The default is the number of cores, at most 8.
 * @example cr.setNumThreads(4);
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  for (const e of entries.values()) e.options.setThreads?.(n);
}

/** Each registered backend's memory report, by name (backends without one are left out). */
export function backendMemoryStats(): Record<string, BackendMemoryStats> {
  const out: Record<string, BackendMemoryStats> = {};
  for (const [name, e] of entries) if (e.options.memoryStats !== undefined) out[name] = e.options.memoryStats();
  return out;
}

/** The backend registered as `name`, ready to run (as `setBackend` checks it), for moving tensors to it. */
export function backendNamed(name: string, op = "to"): CompleteBackend {
  const entry = entries.get(name);
  if (entry === undefined) {
    const known = `(backends: ${[...entries.keys()].join(", ")}; dtypes: float32, float64, int32, bool)`;
    // A dtype's name that chainrule lacks (float16, int64) is a DTypeError, as in creation's options.
    if (/^(float|int|uint|bool|complex|bfloat)\d*$/.test(name)) throw new DTypeError(`${op}: unknown dtype "${name}" ${known}`);
    throw new ArgumentError(`${op}: unknown backend or dtype "${name}" ${known}`);
  }
  if (entry.options.isAvailable?.() === false) throw new ArgumentError(`${op}: the ${name} backend cannot run here${entry.options.whyUnavailable === undefined ? "" : `: ${entry.options.whyUnavailable()}`}`);
  return entry.backend;
}

/**
 * Readies backend `name` for `setBackend`: its asynchronous start-up where it has one (webgpu opens the GPU, and
 * rejects, saying why, where there is none), nothing for the others. Call it once, before selecting the backend.
 * @example await cr.initBackend("webgpu"); cr.setBackend("webgpu");
 */
export async function initBackend(name: string): Promise<void> {
  const entry = entries.get(name);
  if (entry === undefined) throw new ArgumentError(`initBackend: unknown backend "${name}" (available: ${[...entries.keys()].join(", ")})`);
  await entry.options.init?.();
}
