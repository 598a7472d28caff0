// Which backend new tensors use: `cpu` (pure TypeScript) or `wasm` (SIMD kernels); `webgpu` can register here later.
import { ArgumentError } from "../errors.js";
import type { Backend } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import { setCpuThreads } from "./cpu/threads.js";
import { setWasmThreads, wasmAvailable, wasmBackend } from "./wasm/index.js";

const backends = new Map<string, Backend>([["cpu", cpuBackend], ["wasm", wasmBackend]]);
// WebAssembly SIMD by default where the runtime has it (its kernels fall back to cpu's otherwise).
// Chosen on first use rather than at import, so importing chainrule compiles no WebAssembly.
let current: Backend | null = null;

/** Makes `backend` available to `setBackend` under its name. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Every backend `setBackend` knows. */
export function registeredBackends(): Backend[] {
  return [...backends.values()];
}

/** Selects the backend that runs the kernels of tensors created from now on. */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (b === undefined) throw new ArgumentError(`setBackend: unknown backend "${name}" (available: ${[...backends.keys()].join(", ")})`);
  current = b;
}

/** The name of the backend in use. */
export function getBackend(): string {
  return currentBackend().name;
}

export function currentBackend(): Backend {
  current ??= wasmAvailable() ? wasmBackend : cpuBackend;
  return current;
}

/**
 * How many threads (the caller included) large kernels may use on every backend, as PyTorch's
 * `torch.set_num_threads`; 1 keeps everything on the calling thread. Takes effect before the first large
 * kernel starts the worker threads. The default is the number of cores, at most 8.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  setWasmThreads(n);
  setCpuThreads(n);
}
