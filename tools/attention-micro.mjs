// Micro-benchmark of the wasm backend's fused float32 attention kernels at the GPT's shape ([12, 4, 64, 32],
// causal), forward and backward, for A/B runs of two checkouts in alternating processes:
//   THREADS=1 node --import tsx tools/attention-micro.mjs [root]
// root is the checkout whose src/ is timed (default: this one), so the same script times an older tree. Prints the
// minimum and median over BATCHES batches of REPS calls each (ms a call).
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2] ?? new URL("..", import.meta.url).pathname);
const cr = await import(pathToFileURL(`${root}/src/index.ts`).href);
const { wasmBackend: b } = await import(pathToFileURL(`${root}/src/backend/wasm/index.ts`).href);
if (process.env.THREADS !== undefined) cr.backends.wasm.setThreads(Number(process.env.THREADS));
cr.backends.wasm.warmUp?.();

const [n, h, t, e] = (process.env.SHAPE ?? "12,4,64,32").split(",").map(Number);
const causal = process.env.CAUSAL !== "0";
let seed = 7;
const values = (len) => Float32Array.from({ length: len }, () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 4 - 2);
const tensor = (len, shape) => ({ buf: b.fromArray(values(len)), shape, dtype: "float32" });
const [q, k, v, g] = [0, 1, 2, 3].map(() => tensor(n * h * t * e, [n, h, t, e]));
const p = { scale: 1 / Math.sqrt(e), causal };
const savedLen = n * h * t * (e + 1);
const forward = () => b.attention(q, k, v, null, p);
const saved = { buf: forward(), shape: [savedLen], dtype: "float32" };
const backward = () => b.attentionBackward(g, q, k, v, saved, null, p);

const batches = Number(process.env.BATCHES ?? 30), reps = Number(process.env.REPS ?? 10);
function time(fn) {
  const ts = [];
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) b.release(fn());
    ts.push((performance.now() - t0) / reps);
  }
  ts.sort((x, y) => x - y);
  return `min ${ts[0].toFixed(3)} med ${ts[batches >> 1].toFixed(3)}`;
}
for (let i = 0; i < 5; i++) { b.release(forward()); b.release(backward()); }
console.log(`${root}: forward ${time(forward)} ms, backward ${time(backward)} ms`);
