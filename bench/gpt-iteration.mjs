// One training iteration of the GPT (4 layers, 4 heads, 128 wide, block 64, batch 12, Moby-Dick's
// 83-character vocabulary; AdamW 1e-3 with weight decay 0.1 on matrices, clipping at 1), timed with each
// iteration inside cr.tidy and without (as a PyTorch user writes it, the event loop turning between
// iterations so the garbage collector can reclaim what is no longer used).
//
//   node --conditions=chainrule-source --import tsx bench/gpt-iteration.mjs [--backend wasm|cpu] [--rounds 6] [--per-round 5] [--only tidy|plain]
//
// The two modes alternate, a block of iterations each per round, so both see the same machine load; the
// table gives the median and the best iteration of each. Peak RSS is the process's: run with --only for
// the peak of one mode.
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";
import { parseArgs } from "node:util";
import * as cr from "chainrule";

const { values: args } = parseArgs({
  options: {
    backend: { type: "string", default: "" },
    rounds: { type: "string", default: "6" },
    "per-round": { type: "string", default: "5" },
    warmup: { type: "string", default: "3" },
    only: { type: "string", default: "" },
  },
});
if (args.backend !== "") cr.setBackend(args.backend);
const rounds = Number(args.rounds);
const perRound = Number(args["per-round"]);

const text = cr.data.mobyDick();
const tok = cr.data.CharTokenizer.fromText(text);
const { train } = cr.data.trainValSplit(tok.encode(text));
const data = new cr.data.TokenWindows(train, 64);
cr.manualSeed(0);
const model = new cr.models.GPT({ vocabSize: tok.vocabSize, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-3, betas: [0.9, 0.99] });
const params = model.parameters();
const g = new cr.Generator(1);

function step() {
  const [x, y] = data.sample(12, { generator: g });
  const [, loss] = model.forward(x, y);
  opt.zeroGrad();
  loss.backward();
  cr.optim.clipGradNorm_(params, 1);
  opt.step();
  return loss.item();
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

const modes = {
  "with cr.tidy": async () => {
    cr.tidy(step);
    await turn();
  },
  "without cr.tidy": async () => {
    step();
    await turn();
  },
};

if (args.only === "tidy") delete modes["without cr.tidy"];
else if (args.only === "plain") delete modes["with cr.tidy"];
else if (args.only !== "") throw new Error(`--only must be tidy or plain, got ${args.only}`);
for (let i = 0; i < Number(args.warmup); i++) for (const run of Object.values(modes)) await run();
const times = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
let peakRss = 0;
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(modes)) {
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      await run();
      times[name].push(performance.now() - t0);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`GPT training iteration, backend ${cr.getBackend()}, ${model.getNumParams(false).toLocaleString("en-US")} parameters, ` +
  `${rounds} rounds of ${perRound} iterations per mode (after ${args.warmup} warm-up each)`);
for (const [name, xs] of Object.entries(times)) {
  console.log(`  ${name.padEnd(16)} median ${median(xs).toFixed(1)} ms, best ${Math.min(...xs).toFixed(1)} ms, worst ${Math.max(...xs).toFixed(1)} ms`);
}
console.log(`  peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`);
