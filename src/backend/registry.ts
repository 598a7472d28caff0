// Which backend new tensors use. Only `cpu` exists for now; `wasm` and `webgpu` register here later.
import { ArgumentError } from "../errors.js";
import type { Backend } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import { wasmAvailable, wasmBackend } from "./wasm/index.js";

const backends = new Map<string, Backend>([["cpu", cpuBackend], ["wasm", wasmBackend]]);
// WebAssembly SIMD by default where the runtime has it (its kernels fall back to cpu's otherwise).
let current: Backend = wasmAvailable() ? wasmBackend : cpuBackend;

/** Makes `backend` available to `setBackend` under its name. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Selects the backend that runs the kernels of tensors created from now on. */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (b === undefined) throw new ArgumentError(`setBackend: unknown backend "${name}" (available: ${[...backends.keys()].join(", ")})`);
  current = b;
}

/** The name of the backend in use. */
export function getBackend(): string {
  return current.name;
}

export function currentBackend(): Backend {
  return current;
}
