// Times the lesson's GPT forward (with its loss) with the graph and under noGrad, alternating, in CPU time:
//   node tools/nograd-forward.mjs                 (this tree's dist)
//   ROOT=/work/main node tools/nograd-forward.mjs (another tree's dist, for A/B runs)
//   MODE=grad|nograd node --cpu-prof tools/nograd-forward.mjs  (one mode only, for a profile)
// Environment: BK (backend, default wasm), N (timed pairs, default 20).
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const root = resolve(process.env.ROOT ?? new URL("..", import.meta.url).pathname);
const cr = await import(pathToFileURL(`${root}/dist/index.js`).href);
cr.setBackend(process.env.BK ?? "wasm");
if (process.env.THREADS !== undefined) cr.setNumThreads(Number(process.env.THREADS));
const cfg = { vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 };
cr.manualSeed(0);
const model = new cr.models.GPT(cfg);
const x = cr.randint(0, 83, [12, 64], { dtype: "int32" });
const y = cr.randint(0, 83, [12, 64], { dtype: "int32" });
const forward = () => cr.tidy(() => void model.forward(x, y)[1].item());
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const mode = process.env.MODE;
const n = Number(process.env.N ?? 20);
const times = { grad: [], nograd: [] };
for (let r = 0; r <= n; r++) {
  const order = mode ? [mode] : r % 2 === 0 ? ["grad", "nograd"] : ["nograd", "grad"];
  for (const m of order) {
    const t0 = cpu();
    if (m === "nograd") cr.noGrad(forward);
    else forward();
    if (r > 0) times[m].push(cpu() - t0);
  }
}
const med = (a) => { const s = [...a].sort((p, q) => p - q); return s.length ? s[s.length >> 1] : NaN; };
const g = med(times.grad), ng = med(times.nograd);
console.log(`${root}: grad ${g.toFixed(2)} ms, noGrad ${ng.toFixed(2)} ms, saved ${(100 * (1 - ng / g)).toFixed(1)}% (median CPU ms of ${n})`);
