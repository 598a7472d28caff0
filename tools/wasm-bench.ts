// Times the wasm backend's kernels against the cpu backend's, interleaved in one run (compare the ratios: the host is shared):
// `node --conditions=chainrule-source --import tsx tools/wasm-bench.ts [threads]`.
import type { CompleteBackend as Backend, TensorData } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { setWasmThreads, wasmBackend, wasmMemoryStats, warmUpWasm } from "../src/backend/wasm/index.js";
import { opProgram } from "../src/ops/program.js";

if (process.argv[2] !== undefined) setWasmThreads(Number(process.argv[2]));
warmUpWasm();
// Let the workers start before timing.
for (let i = 0; i < 100 && wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));

function rand(...shape: number[]): TensorData {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5);
  return { buf: data, shape, dtype: "float32" };
}
const [w, g, s, x, wt, big1, big2] = [rand(256, 784), rand(256, 784), rand(), rand(128, 784), rand(784, 256), rand(1024, 1024), rand(1024, 1024)];
const img = rand(32, 8, 28, 28);
const win = { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], padValue: 0 } as const;

const cases: [string, (b: Backend) => unknown, number, number][] = [
  ["mul [256,784]·[256,784]", (b) => b.elementwise(opProgram("mul"), [w, g], [256, 784], "float32"), 0, 30],
  ["mul [256,784]·scalar", (b) => b.elementwise(opProgram("mul"), [w, s], [256, 784], "float32"), 0, 30],
  ["sqrt [256,784]", (b) => b.elementwise(opProgram("sqrt"), [w], [256, 784], "float32"), 0, 30],
  ["transpose [256,784]", (b) => b.permute(w, [1, 0]), 0, 30],
  ["unfold 3×3 [32,8,28,28]", (b) => b.unfold(img, win, [32, 72, 784]), 0, 10],
  ["matmul 128×784×256", (b) => b.matmul(x, wt, [128, 256]), 2 * 128 * 784 * 256, 20],
  ["matmul 1024³", (b) => b.matmul(big1, big2, [1024, 1024]), 2 * 1024 ** 3, 5],
];
const stats = wasmMemoryStats();
console.log(`wasm: relaxed SIMD ${stats.relaxedSimd}, shared memory ${stats.sharedMemory}, workers ${stats.workers}`);
for (const [name, run, flops, reps] of cases) {
  const best = new Map<string, number>();
  for (let r = 0; r < reps; r++) {
    for (const b of [cpuBackend, wasmBackend]) {
      if (b === cpuBackend && flops > 1e9 && r > 0) continue; // the cpu takes seconds here: once is enough
      const t0 = performance.now();
      run(b);
      best.set(b.name, Math.min(best.get(b.name) ?? Infinity, performance.now() - t0));
    }
  }
  const fmt = (ms: number) => `${ms.toFixed(3)} ms${flops ? ` (${(flops / ms / 1e6).toFixed(1)} GFLOP/s)` : ""}`;
  const [c, wa] = [best.get("cpu")!, best.get("wasm")!];
  console.log(`${name.padEnd(26)} cpu ${fmt(c).padEnd(28)} wasm ${fmt(wa).padEnd(28)} ${(c / wa).toFixed(1)}×`);
}
