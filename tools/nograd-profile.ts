// Where the lesson's GPT forward (with its loss) spends its time with the graph and under noGrad, kernel by kernel:
// times every Backend method the forward calls, per mode, and the forward with and without the timers.
//   node --conditions=chainrule-source --import tsx tools/nograd-profile.ts [wasm|cpu] [passes] [--shapes]
// On wasm a kernel's time includes computing the pending (fused) expressions it reads.
import * as cr from "chainrule";
import type { Backend } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { wasmBackend, wasmMemoryStats, warmUpWasm } from "../src/backend/wasm/index.js";

const byShapes = process.argv.includes("--shapes");
const [backendName = "wasm", passesArg = "30"] = process.argv.slice(2).filter((a) => a !== "--shapes");
const passes = Number(passesArg);
if (backendName === "wasm") {
  warmUpWasm();
  for (let i = 0; i < 100 && wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
cr.setBackend(backendName);
if (process.env.THREADS !== undefined) cr.setNumThreads(Number(process.env.THREADS));
cr.manualSeed(0);
const model = new cr.models.GPT({ vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
const x = cr.keep(cr.randint(0, 83, [12, 64], { dtype: "int32" }));
const y = cr.keep(cr.randint(0, 83, [12, 64], { dtype: "int32" }));
const forward = (): number => cr.tidy(() => model.forward(x, y)[1]!.item());

function describe(args: readonly unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === "string") return a;
      if (Array.isArray(a) && a.length <= 6 && a.every((v) => typeof v === "number")) return `[${a.join(",")}]`;
      const shape = (a as { shape?: unknown } | null)?.shape;
      return Array.isArray(shape) ? `[${shape.join(",")}]` : "";
    })
    .filter((t) => t !== "")
    .join(" ");
}

const target = (backendName === "wasm" ? wasmBackend : cpuBackend) as unknown as Record<string, unknown> & Backend;
let totals = new Map<string, { ms: number; calls: number }>();
let timing = false;
for (const [name, fn] of Object.entries(target)) {
  if (typeof fn !== "function") continue;
  const method = fn as (...args: unknown[]) => unknown;
  target[name] = function (this: unknown, ...args: unknown[]) {
    if (!timing) return method.apply(this, args);
    const t0 = performance.now();
    try {
      return method.apply(this, args);
    } finally {
      const key = byShapes ? `${name} ${describe(args)}` : name;
      const entry = totals.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - t0;
      entry.calls++;
      totals.set(key, entry);
    }
  };
}

function timePasses(off: boolean): number {
  const t0 = performance.now();
  for (let i = 0; i < passes; i++) {
    if (off) cr.noGrad(forward);
    else forward();
  }
  return (performance.now() - t0) / passes;
}

for (const off of [false, true]) {
  for (let i = 0; i < 5; i++) timePasses(off);
  const plain = timePasses(off);
  totals = new Map();
  timing = true;
  const timed = timePasses(off);
  timing = false;
  let inKernels = 0;
  console.log(`${off ? "noGrad" : "with grad"} on ${backendName}, ${passes} passes: ${plain.toFixed(2)} ms a forward (${timed.toFixed(2)} with the timers)`);
  for (const [name, { ms, calls }] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
    inKernels += ms / passes;
    console.log(`  ${name.padEnd(byShapes ? 56 : 18)} ${(ms / passes).toFixed(3).padStart(8)} ms  ${(calls / passes).toFixed(1).padStart(5)} calls`);
  }
  console.log(`  ${"in kernels".padEnd(18)} ${inKernels.toFixed(3).padStart(8)} ms; the rest (${(timed - inKernels).toFixed(3)} ms) is JavaScript around them`);
}
process.exit(0);
