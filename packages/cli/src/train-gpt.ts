// `chainrule train moby-dick --model gpt` (or `--text file.txt`): trains a character- or byte-level GPT
// with AdamW, linear warm-up then cosine decay, gradient clipping and periodic train/val estimates under
// noGrad; shows a progress bar with tokens/s, writes the model, a loss plot and checkpoints that resume.
import * as cr from "chainrule";
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { InvalidArgumentError, Option } from "commander";
import type { Command } from "commander";
import { loadCheckpoint, saveCheckpoint, saveGptFile } from "./gpt-file.js";
import { defaultOutputPath } from "./output-dir.js";
import { prepareOutputs } from "./outputs.js";
import { iterationBar, lossChart, writeLossPlot } from "./gpt-report.js";
import type { EvalRecord } from "./gpt-report.js";

/** The corpora `train --model gpt` knows by name. */
export const TEXT_DATASETS = ["moby-dick"] as const;

/** Everything a GPT training run needs; the defaults are the issue's configuration. */
export interface GptTrainOptions {
  /** "moby-dick", or a path to a UTF-8 text file. */
  corpus: string;
  tokenizer: "char" | "byte";
  /** Iterations of the whole run (default 2000, or the checkpoint's when resuming). */
  iters?: number;
  batchSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
  lr: number;
  minLr: number;
  weightDecay: number;
  warmupIters: number;
  gradClip: number;
  evalInterval: number;
  evalIters: number;
  seed: number;
  /** Where the model goes (default runs/chainrule-<corpus>-gpt.safetensors). */
  save?: string;
  /** The SVG loss plot (default beside the model). */
  plot?: string;
  /** The checkpoint (default beside the model, .ckpt.safetensors). */
  checkpoint?: string;
  /** Continue from the checkpoint. */
  resume: boolean;
  /** Run each iteration inside cr.tidy (default true): its tensors are freed at once. */
  tidy?: boolean;
  progress: boolean;
}

/** The settings a checkpoint records; a resumed run keeps them (only `iters` may change). */
const RUN_SETTINGS = ["corpus", "tokenizer", "batchSize", "blockSize", "nLayer", "nHead", "nEmbd", "dropout", "lr", "minLr", "weightDecay", "warmupIters", "gradClip", "evalInterval", "evalIters", "seed"] as const;
type RunSettings = Pick<GptTrainOptions, (typeof RUN_SETTINGS)[number]>;

export const GPT_DEFAULTS: Required<Omit<GptTrainOptions, "corpus" | "progress" | "resume" | "save" | "plot" | "checkpoint" | "tidy">> = {
  tokenizer: "char", iters: 2000, batchSize: 12, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0,
  lr: 1e-3, minLr: 1e-4, weightDecay: 0.1, warmupIters: 100, gradClip: 1, evalInterval: 250, evalIters: 20, seed: 0,
};

function corpusText(corpus: string): { name: string; text: string } {
  if (corpus === "moby-dick") return { name: "moby-dick", text: cr.data.mobyDick() };
  if (!existsSync(corpus)) throw new cr.ArgumentError(`cannot read "${corpus}": no such file`);
  return { name: basename(corpus).replace(/\.[^.]*$/, ""), text: cr.data.loadText(corpus) };
}

/** Linear warm-up to lr over warmupIters (nanoGPT's lr·(it+1)/(warmup+1)), then a cosine down to minLr at `iters`. */
function makeSchedule(opt: cr.optim.Optimizer, o: { iters: number; warmupIters: number; minLr: number }): cr.optim.LRScheduler {
  const S = cr.optim.lrScheduler;
  const warm = o.warmupIters;
  const warmup = () => new S.LinearLR(opt, { startFactor: 1 / (warm + 1), endFactor: 1, totalIters: warm });
  const cosine = (tMax: number) => new S.CosineAnnealingLR(opt, tMax, { etaMin: o.minLr });
  if (warm === 0) return cosine(o.iters);
  if (warm >= o.iters) return warmup();
  return new S.SequentialLR(opt, [warmup(), cosine(o.iters - warm)], [warm]);
}

/** The generator of iteration `iter`'s batch: seeded from the run's seed and the iteration, so a resumed run draws the same batches. */
function batchGenerator(seed: number, iter: number): cr.Generator {
  return new cr.Generator(seed * 1_000_003 + iter + 1);
}

/** The mean loss over `evalIters` batches of each split, in evaluation mode and under noGrad. */
function estimateLoss(model: cr.models.GPT, splits: cr.data.TokenWindows[], o: GptTrainOptions): number[] {
  model.eval();
  const out = splits.map((ds) => {
    const g = new cr.Generator(o.seed + 7919); // the same batches at every evaluation: a smoother curve
    let total = 0;
    for (let k = 0; k < o.evalIters; k++) {
      total += cr.noGrad(() => cr.tidy(() => {
        const [x, y] = ds.sample(o.batchSize, { generator: g });
        return model.forward(x, y)[1]!.item();
      }));
    }
    return total / o.evalIters;
  });
  model.train();
  return out;
}

const fmtNum = (n: number) => n.toLocaleString("en-US");

/** Runs a GPT training job; `print` receives everything meant for the terminal. Returns the evaluations. */
export async function runTrainGpt(o: GptTrainOptions, print: (line: string) => void = (l) => console.log(l)): Promise<EvalRecord[]> {
  const { name } = o.corpus === "moby-dick" ? { name: "moby-dick" } : { name: basename(o.corpus).replace(/\.[^.]*$/, "") };
  const modelPath = resolve(o.save ?? defaultOutputPath(`chainrule-${name.replace(/[^A-Za-z0-9_-]+/g, "_")}-gpt.safetensors`));
  const base = modelPath.replace(/\.safetensors$/i, "");
  const plotPath = resolve(o.plot ?? `${base}.svg`);
  const ckptPath = resolve(o.checkpoint ?? `${base}.ckpt.safetensors`);
  // Checked (and their folders made) before any training; a checkpoint written by a run that fails later is kept to resume from.
  prepareOutputs([modelPath, plotPath, ckptPath]);

  let settings: RunSettings = o;
  let model: cr.models.GPT;
  let tokenizer: cr.data.Tokenizer;
  let start = 0;
  let history: EvalRecord[] = [];
  let restore: ((opt: cr.optim.Optimizer) => void) | null = null;
  let savedIters: number | undefined;
  if (o.resume) {
    if (!existsSync(ckptPath)) throw new cr.ArgumentError(`cannot resume: no checkpoint at "${ckptPath}"`);
    const ck = loadCheckpoint(ckptPath);
    settings = ck.run.settings as unknown as RunSettings;
    model = ck.model;
    tokenizer = ck.tokenizer;
    start = ck.run.iter;
    history = ck.run.history as EvalRecord[];
    restore = ck.loadOptimizer;
    if (settings.corpus !== o.corpus) throw new cr.ArgumentError(`the checkpoint was trained on "${settings.corpus}", not "${o.corpus}"`);
    savedIters = ck.run.iters;
  }
  const iters = o.iters ?? savedIters ?? GPT_DEFAULTS.iters;
  if (start >= iters) throw new cr.ArgumentError(`the checkpoint is at iteration ${start} already; pass a larger --iters to train on`);
  const s: GptTrainOptions = { ...o, ...settings, iters };
  const { text } = corpusText(s.corpus);
  cr.manualSeed(s.seed);
  if (!o.resume) {
    tokenizer = s.tokenizer === "byte" ? new cr.data.ByteTokenizer() : cr.data.CharTokenizer.fromText(text);
    model = new cr.models.GPT({ vocabSize: tokenizer.vocabSize, blockSize: s.blockSize, nLayer: s.nLayer, nHead: s.nHead, nEmbd: s.nEmbd, dropout: s.dropout });
  }
  const tok = tokenizer!;
  const net = model!;
  const tokens = tok.encode(text);
  const { train, val } = cr.data.trainValSplit(tokens);
  if (val.length <= s.blockSize) throw new cr.ArgumentError(`the corpus is too short: its validation tenth has ${val.length} tokens, fewer than --block-size ${s.blockSize} + 1`);
  const trainSet = new cr.data.TokenWindows(train, s.blockSize);
  const valSet = new cr.data.TokenWindows(val, s.blockSize);
  const opt = net.configureOptimizers({ weightDecay: s.weightDecay, learningRate: s.lr, betas: [0.9, 0.99] });
  if (restore !== null) {
    restore(opt);
    // The schedule is rebuilt and replayed from the start, which begins from the initial lrs (the restored groups hold the last lr).
    for (const g of opt.paramGroups) g.lr = g.initialLr ?? g.lr;
  }
  const sched = makeSchedule(opt, { ...s, iters });
  for (let i = 0; i < start; i++) sched.step(); // the schedule of an uninterrupted run, at the iteration reached
  const params = net.parameters();

  const vocab = tok.kind === "char" ? `${tok.vocabSize}-character vocabulary` : "UTF-8 bytes (256 tokens)";
  print(`corpus ${name}: ${fmtNum(text.length)} characters, ${vocab}; ${fmtNum(train.length)} training and ${fmtNum(val.length)} validation tokens`);
  const warm = s.warmupIters > 0 ? `warm-up ${s.warmupIters}, ` : "";
  print(`model gpt: ${s.nLayer} layers, ${s.nHead} heads, ${s.nEmbd} wide, block ${s.blockSize}; ${(net.getNumParams() / 1e6).toFixed(2)}M parameters; ` +
    `AdamW lr ${s.lr} (${warm}cosine to ${s.minLr}), weight decay ${s.weightDecay}, batch ${s.batchSize}, clip ${s.gradClip}, seed ${s.seed}`);
  if (o.resume) print(`resuming from ${ckptPath} at iteration ${start}`);

  const report = (iter: number, seconds: number, rate: number) => {
    const [trainLoss, valLoss] = estimateLoss(net, [trainSet, valSet], s) as [number, number];
    const record: EvalRecord = { iter, trainLoss, valLoss, lr: opt.paramGroups[0]!.lr, seconds };
    history.push(record);
    print(`iter ${iter}/${iters}: train loss ${trainLoss.toFixed(4)}, val loss ${valLoss.toFixed(4)}, lr ${record.lr.toExponential(2)}` + (rate > 0 ? ` (${fmtNum(Math.round(rate))} tokens/s)` : ""));
  };
  const checkpoint = (iter: number) => saveCheckpoint(ckptPath, net, tok, opt, { iter, iters, settings: Object.fromEntries(RUN_SETTINGS.map((k) => [k, s[k]])), history });

  const t0 = performance.now();
  const tokensPerIter = s.batchSize * s.blockSize;
  if (start === 0) report(0, 0, 0);
  const bar = iterationBar(iters, start, o.progress);
  let loss = Number.NaN;
  const step = (iter: number): number => {
    const [x, y] = trainSet.sample(s.batchSize, { generator: batchGenerator(s.seed, iter) });
    const [, l] = net.forward(x, y);
    opt.zeroGrad();
    l!.backward();
    if (s.gradClip > 0) cr.optim.clipGradNorm_(params, s.gradClip);
    opt.step();
    sched.step();
    return l!.item();
  };
  for (let iter = start; iter < iters; iter++) {
    loss = o.tidy === false ? step(iter) : cr.tidy(() => step(iter));
    if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at iteration ${iter + 1}; try a lower --lr`);
    const done = iter + 1;
    const elapsed = (performance.now() - t0) / 1000;
    const rate = ((done - start) * tokensPerIter) / elapsed;
    bar.update(done, rate, loss, opt.paramGroups[0]!.lr);
    if (done % s.evalInterval === 0 || done === iters) {
      bar.stop();
      report(done, elapsed, rate);
      checkpoint(done);
      if (done < iters) bar.update(done, rate, loss, opt.paramGroups[0]!.lr);
    }
    // Let the event loop turn now and then, so tensors freed by the garbage collector are reclaimed.
    if (done % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  bar.stop();
  const total = (performance.now() - t0) / 1000;
  print("");
  const chart = lossChart(history, o.progress);
  if (chart) print(chart);
  saveGptFile(modelPath, net, tok, { "chainrule.dataset": name, "chainrule.iters": String(iters) });
  await writeLossPlot(history, plotPath, `${name}: GPT ${s.nLayer}×${s.nEmbd}, ${iters} iterations`);
  const last = history[history.length - 1]!;
  print(`\nfinal val loss ${last.valLoss.toFixed(4)} (train ${last.trainLoss.toFixed(4)}) after ${iters} iterations in ${total.toFixed(1)}s` +
    (iters > start ? `, ${fmtNum(Math.round(((iters - start) * tokensPerIter) / total))} tokens/s` : ""));
  print(`model written to ${modelPath}`);
  print(`checkpoint written to ${ckptPath}`);
  print(`plot written to ${plotPath}`);
  return history;
}

// ---- the command line ----

function intArg(flag: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer >= ${min}`);
    return n;
  };
}
function numArg(flag: string, min: number, max = Infinity) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${flag} must be a number in [${min}, ${max}]`);
    return n;
  };
}

/** Adds the GPT options to the `train` command (the shared ones — --lr, --batch-size, --seed, … — it has already). */
export function addGptTrainOptions(cmd: Command): Command {
  const d = GPT_DEFAULTS;
  return cmd
    .option("--text <file>", "train --model gpt on this UTF-8 text file")
    .option("--iters <n>", `GPT: training iterations (default ${d.iters})`, intArg("--iters", 1))
    .option("--block-size <n>", `GPT: context length (default ${d.blockSize})`, intArg("--block-size", 1))
    .option("--n-layer <n>", `GPT: transformer blocks (default ${d.nLayer})`, intArg("--n-layer", 1))
    .option("--n-head <n>", `GPT: attention heads (default ${d.nHead})`, intArg("--n-head", 1))
    .option("--n-embd <n>", `GPT: embedding width (default ${d.nEmbd})`, intArg("--n-embd", 1))
    .option("--dropout <p>", `GPT: dropout probability (default ${d.dropout})`, numArg("--dropout", 0, 0.99))
    .option("--min-lr <rate>", "GPT: the learning rate at the end of the cosine decay (default lr / 10)", numArg("--min-lr", 0))
    .option("--warmup-iters <n>", `GPT: iterations of linear warm-up (default ${d.warmupIters})`, intArg("--warmup-iters", 0))
    .option("--grad-clip <norm>", `GPT: clip the gradient norm to this, 0 for none (default ${d.gradClip})`, numArg("--grad-clip", 0))
    .option("--eval-interval <n>", `GPT: estimate train/val loss and write a checkpoint every n iterations (default ${d.evalInterval})`, intArg("--eval-interval", 1))
    .option("--eval-iters <n>", `GPT: batches per loss estimate (default ${d.evalIters})`, intArg("--eval-iters", 1))
    .addOption(new Option("--tokenizer <kind>", "GPT: characters of the corpus, or UTF-8 bytes").choices(["char", "byte"]))
    .option("--checkpoint <file>", "GPT: the checkpoint file (default beside the model, .ckpt.safetensors)")
    .option("--resume", "GPT: continue from the checkpoint (its settings; --iters may grow)");
}

/** Whether a `train` invocation is a GPT run: --model gpt, --text, a known corpus or a .txt file. */
export function isGptTraining(dataset: string | undefined, o: Record<string, unknown>): boolean {
  return o.model === "gpt" || o.text !== undefined || (dataset !== undefined && ((TEXT_DATASETS as readonly string[]).includes(dataset) || /\.txt$/i.test(dataset)));
}

/** Checks a GPT `train` invocation's flags, then runs it. */
export async function runGptTrainCommand(dataset: string | undefined, o: Record<string, unknown>, cmd: Command): Promise<void> {
  const fromCli = (key: string) => cmd.getOptionValueSource(key) === "cli";
  if (o.model !== "gpt" && fromCli("model")) throw new cr.ArgumentError(`--model ${String(o.model)} does not train on text; use --model gpt`);
  for (const [key, flag, instead] of [["epochs", "--epochs", "--iters"], ["hidden", "--hidden", "--n-layer and --n-embd"], ["activation", "--activation", null],
    ["optimizer", "--optimizer", null], ["scheduler", "--scheduler", "--warmup-iters and --min-lr"], ["target", "--target", null], ["samples", "--samples", null],
    ["until", "--until", null], ["momentum", "--momentum", null]] as const) {
    if (fromCli(key)) throw new cr.ArgumentError(`${flag} does not apply to --model gpt${instead ? ` (use ${instead})` : " (it uses AdamW with warm-up and cosine decay)"}`);
  }
  const text = o.text as string | undefined;
  if (text !== undefined && dataset !== undefined) throw new cr.ArgumentError(`give the corpus once: either "${dataset}" or --text ${text}`);
  const corpus = text ?? dataset;
  if (corpus === undefined) throw new cr.ArgumentError("--model gpt needs a corpus: moby-dick, a .txt file, or --text <file>");
  if (!(TEXT_DATASETS as readonly string[]).includes(corpus) && !/\.txt$/i.test(corpus) && text === undefined) {
    throw new cr.ArgumentError(`--model gpt trains on text: ${TEXT_DATASETS.join(", ")}, a .txt file, or --text <file>; got "${corpus}"`);
  }
  const d = GPT_DEFAULTS;
  const lr = (o.lr as number | undefined) ?? d.lr;
  const opts: GptTrainOptions = {
    corpus,
    tokenizer: (o.tokenizer as "char" | "byte" | undefined) ?? d.tokenizer,
    ...(o.iters !== undefined ? { iters: o.iters as number } : {}),
    batchSize: (o.batchSize as number | undefined) ?? d.batchSize,
    blockSize: (o.blockSize as number | undefined) ?? d.blockSize,
    nLayer: (o.nLayer as number | undefined) ?? d.nLayer,
    nHead: (o.nHead as number | undefined) ?? d.nHead,
    nEmbd: (o.nEmbd as number | undefined) ?? d.nEmbd,
    dropout: (o.dropout as number | undefined) ?? d.dropout,
    lr,
    minLr: (o.minLr as number | undefined) ?? lr / 10,
    weightDecay: fromCli("weightDecay") ? (o.weightDecay as number) : d.weightDecay,
    warmupIters: (o.warmupIters as number | undefined) ?? d.warmupIters,
    gradClip: (o.gradClip as number | undefined) ?? d.gradClip,
    evalInterval: (o.evalInterval as number | undefined) ?? d.evalInterval,
    evalIters: (o.evalIters as number | undefined) ?? d.evalIters,
    seed: o.seed as number,
    resume: o.resume === true,
    progress: (o.progress as boolean) && process.stderr.isTTY === true,
    ...(o.save !== undefined ? { save: o.save as string } : {}),
    ...(o.plot !== undefined ? { plot: o.plot as string } : {}),
    ...(o.checkpoint !== undefined ? { checkpoint: o.checkpoint as string } : {}),
  };
  if (opts.nEmbd % opts.nHead !== 0) throw new cr.ArgumentError(`--n-embd ${opts.nEmbd} must be divisible by --n-head ${opts.nHead}`);
  if (opts.resume) {
    // A resumed run keeps the checkpoint's settings; a flag that contradicts them is a mistake worth naming.
    const flags: Record<string, string> = { tokenizer: "tokenizer", batchSize: "batchSize", blockSize: "blockSize", nLayer: "nLayer", nHead: "nHead", nEmbd: "nEmbd",
      dropout: "dropout", lr: "lr", minLr: "minLr", weightDecay: "weightDecay", warmupIters: "warmupIters", gradClip: "gradClip", evalInterval: "evalInterval", evalIters: "evalIters", seed: "seed" };
    const given = Object.keys(flags).filter(fromCli);
    if (given.length > 0) {
      const kebab = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new cr.ArgumentError(`--resume continues the checkpoint's run with its own settings; drop ${given.map(kebab).join(", ")} (only --iters may change)`);
    }
  }
  await runTrainGpt(opts);
}
