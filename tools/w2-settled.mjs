// W2 (the bench's eager MLP Adam step) of one built tree, in its own process, timed after N untimed steps, so a
// build's steady-state step can be told apart from its JIT warm-up (bench/README.md, "the W2 gap is JIT warm-up"):
//   node tools/w2-settled.mjs <tree with dist/ built> [untimed steps, default 600] [backend, default wasm]
// Run it alternately for two trees (e.g. a `git worktree` of an older commit and this one).
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const [tree = ".", warm = "600", backend = "wasm"] = process.argv.slice(2);
const at = (p) => pathToFileURL(resolve(tree, p)).href;
const cr = await import(at("dist/index.js"));
const { mlpWorkload } = await import(at("bench/workloads/chainrule.mjs"));
cr.setBackend(backend);
const w = mlpWorkload();
for (let i = 0; i < Number(warm); i++) w.step();
const times = [];
for (let i = 0; i < 600; i++) {
  const t0 = performance.now();
  w.step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${resolve(tree)} after ${warm} untimed steps: median ${times[300].toFixed(3)} ms, p10 ${times[60].toFixed(3)} ms`);
process.exit(0);
