// Times every method of a backend object while switched on: the profiling tools' (step-profile, nograd-profile,
// gen-profile) view of where a step's time goes, kernel by kernel, optionally by operand shapes.
import type { Backend } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { wasmBackend } from "../src/backend/wasm/index.js";

/** Time and calls of one method (or one method at one set of operand shapes). */
export interface MethodTotal {
  ms: number;
  calls: number;
}

/** The timers put on a backend's methods. */
export interface MethodTimer {
  /** Totals by method name, or by "name [shape] [shape]" with `byShapes`. */
  totals: Map<string, MethodTotal>;
  /** Whether calls are timed now (off: the wrapped methods only forward). */
  on: boolean;
}

// A kernel call's operands as text: tensors by shape, an op name or a short list (axes, an output shape) as they are.
function describe(args: readonly unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === "string") return a;
      if (Array.isArray(a) && a.length <= 6 && a.every((x) => typeof x === "number")) return `[${a.join(",")}]`;
      const shape = (a as { shape?: unknown } | null)?.shape;
      return Array.isArray(shape) ? `[${shape.join(",")}]` : "";
    })
    .filter((t) => t !== "")
    .join(" ");
}

/** Wraps every method of the named backend object (the one tensors call) with a timer, off until `on` is set. */
export function timeBackendMethods(backendName: string, byShapes: boolean): MethodTimer {
  const target = (backendName === "wasm" ? wasmBackend : cpuBackend) as unknown as Record<string, unknown> & Backend;
  const timer: MethodTimer = { totals: new Map(), on: false };
  for (const [name, fn] of Object.entries(target)) {
    if (typeof fn !== "function") continue;
    const method = fn as (...args: unknown[]) => unknown;
    target[name] = function (this: unknown, ...args: unknown[]) {
      if (!timer.on) return method.apply(this, args);
      const t0 = performance.now();
      try {
        return method.apply(this, args);
      } finally {
        const key = byShapes ? `${name} ${describe(args)}` : name;
        const entry = timer.totals.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - t0;
        entry.calls++;
        timer.totals.set(key, entry);
      }
    };
  }
  return timer;
}
