// Experiment "no-grad": inference under noGrad keeps no graph — measured in retained nodes, memory and time.
import { noGrad } from "../autograd/grad-mode.js";
import { ArgumentError } from "../errors.js";
import { mlp } from "../models/index.js";
import { GPT } from "../models/gpt.js";
import { tidy } from "../tensor/scope.js";
import type { Sequential } from "../nn/container.js";
import { manualSeed } from "../random.js";
import { randint, randn } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { graphSize, median, noPrint, num } from "./common.js";

/** Options of the "no-grad" experiment. */
export interface NoGradOptions extends ExperimentOptions {
  /** Layer widths of the MLP (default [784, 256, 128, 10]). */
  sizes?: number[];
  /** Batch sizes timed (default [1, 256]: one where per-op bookkeeping shows, one where the matrix products dominate). The last is used for memory. */
  batches?: number[];
  /** Outputs kept alive at once for the memory measurement (default 8). */
  kept?: number;
  /** Timed repetitions of the largest batch (default 10); smaller batches get proportionally more, up to 50×. */
  reps?: number;
  /**
   * Bytes in use now, such as `() => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers`
   * in Node. Without it, memory is not measured (a browser has no portable equivalent).
   */
  memory?: () => number;
  /** Runs the garbage collector (Node with --expose-gc), so memory counts live data only and timings exclude old garbage. */
  gc?: () => void;
  /**
   * Also time the GPT (4 layers, 4 heads, 128 wide, block 64, batch 12, loss included), where PyTorch saves
   * 13–38%: `gptReps` alternating pairs of forwards (default 8; 0 skips it).
   */
  gptReps?: number;
  /**
   * Milliseconds now, for the timings (default `performance.now()`, wall time). On a shared machine a process's
   * CPU time is steadier: in Node, `() => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }`
   * (every thread's, the wasm backend's workers included), which `chainrule lesson` passes.
   */
  clock?: () => number;
  /** What `clock` measures, printed beside the timings (default "wall time"). */
  clockName?: string;
}

/** The GPT the lesson times, and its batch. */
export const LESSON_GPT = { vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, batch: 12 } as const;

/** One mode's graph and memory, for the last batch size. */
export interface NoGradRun {
  /** Graph nodes an output keeps alive (each holds the tensors it saved for backward). */
  nodes: number;
  /** Whether the output requires grad (true with the graph, false under `noGrad`). */
  requiresGrad: boolean;
  /** Memory held by `kept` outputs, in bytes; null without the `memory` option. */
  bytes: number | null;
}

/** Median forward times of one batch size, in milliseconds (measured, machine-dependent). */
export interface NoGradTiming {
  batch: number;
  withGradMs: number;
  noGradMs: number;
}

/** Numbers of the "no-grad" experiment. */
export interface NoGradResult extends ExperimentResult {
  /** The forward pass recording the graph, as in training. */
  withGrad: NoGradRun;
  /** The same forward pass under `cr.noGrad`: no graph, nothing saved for backward. */
  noGrad: NoGradRun;
  /** The MLP's forward times with and without the graph, one entry per batch size. */
  timings: NoGradTiming[];
  /** The GPT's forward (with its loss) with and without the graph; null when `gptReps` is 0. */
  gpt: NoGradTiming | null;
}

/** Times `forward` with and without the graph, alternating in ABBA order so a busy machine slows both alike. */
function timeModes(batch: number, forward: () => void, reps: number, gc: (() => void) | undefined, clock: () => number): NoGradTiming {
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r <= reps; r++) {
    for (const off of r % 2 === 0 ? [false, true] : [true, false]) {
      gc?.(); // so one mode's garbage is not collected on the other's time
      const t0 = clock();
      if (off) noGrad(forward);
      else forward();
      if (r > 0) times[off ? 1 : 0].push(clock() - t0); // the first round warms up
    }
  }
  return { batch, withGradMs: median(times[0]), noGradMs: median(times[1]) };
}

const time = (model: Sequential, x: Tensor, reps: number, gc: (() => void) | undefined, clock: () => number) => timeModes(x.shape[0]!, () => void model.forward(x), reps, gc, clock);

/** The GPT's forward and loss on one batch, each pass's tensors freed by tidy. */
function timeGpt(reps: number, gc: (() => void) | undefined, clock: () => number): NoGradTiming {
  const { batch, blockSize, vocabSize } = LESSON_GPT;
  const model = new GPT(LESSON_GPT);
  const x = randint(0, vocabSize, [batch, blockSize], { dtype: "int32" });
  const y = randint(0, vocabSize, [batch, blockSize], { dtype: "int32" });
  return timeModes(batch, () => tidy(() => void model.forward(x, y)[1]!.item()), reps, gc, clock);
}

/**
 * `noGrad` at inference: without it every output keeps the whole graph — each op's node and the
 * activations it saved for backward — alive as long as the output lives; with it there is no graph,
 * and no bookkeeping to do.
 * @example
 * const r = cr.lesson.noGradInference();
 * r.noGrad.nodes; // 0
 */
export function noGradInference(opts: NoGradOptions = {}): NoGradResult {
  const print = opts.print ?? noPrint;
  const sizes = opts.sizes ?? [784, 256, 128, 10];
  const batches = opts.batches ?? [1, 256];
  const kept = opts.kept ?? 8;
  const reps = opts.reps ?? 10;
  if (sizes.length < 2 || batches.length === 0 || [...batches, kept, reps].some((n) => !Number.isInteger(n) || n < 1)) {
    throw new ArgumentError("lesson no-grad: sizes needs two or more widths; batches, kept and reps must be positive integers");
  }
  manualSeed(opts.seed ?? 0);
  const model = mlp({ inputs: sizes[0]!, hidden: sizes.slice(1, -1), outputs: sizes.at(-1)! });
  const largest = batches.at(-1)!;
  const clock = opts.clock ?? (() => performance.now());
  const clockName = opts.clockName ?? "wall time";
  const timings = batches.map((b) => time(model, randn([b, sizes[0]!]), Math.min(50 * reps, Math.ceil((reps * largest) / b)), opts.gc, clock));
  const x = randn([largest, sizes[0]!]);
  const gptReps = opts.gptReps ?? 8;
  if (!Number.isInteger(gptReps) || gptReps < 0) throw new ArgumentError(`lesson no-grad: gptReps must be an integer >= 0, got ${String(gptReps)}`);
  const gpt = gptReps === 0 ? null : timeGpt(gptReps, opts.gc, clock);

  const measure = (off: boolean): NoGradRun => {
    const forward = () => (off ? noGrad(() => model.forward(x)) : model.forward(x));
    const out = forward();
    let bytes: number | null = null;
    if (opts.memory) {
      // Twice: a first pass can leave array buffers whose wrappers it just found dead for the next one.
      const collect = () => { opts.gc?.(); opts.gc?.(); };
      collect();
      const before = opts.memory();
      const outs: Tensor[] = [];
      for (let i = 0; i < kept; i++) outs.push(forward());
      collect();
      bytes = Math.max(0, opts.memory() - before);
      outs.length = 0;
    }
    return { nodes: graphSize(out), requiresGrad: out.requiresGrad, bytes };
  };
  const withGrad = measure(false);
  const without = measure(true);

  const mb = (b: number | null) => (b === null ? "not measured" : `${num(b / 2 ** 20, 2)} MiB`);
  print(`noGrad at inference: MLP ${sizes.join("-")}.`);
  print(`   with the graph:  output.requiresGrad ${withGrad.requiresGrad}, ${withGrad.nodes} graph nodes kept alive per output; ${kept} outputs of batch ${largest} hold ${mb(withGrad.bytes)}`);
  print(`   under noGrad:    output.requiresGrad ${without.requiresGrad}, ${without.nodes} graph nodes; ${kept} outputs of batch ${largest} hold ${mb(without.bytes)}`);
  for (const t of timings) {
    const saved = 100 * (1 - t.noGradMs / t.withGradMs);
    print(`   batch ${String(t.batch).padStart(4)}: forward ${num(t.withGradMs, 3)} ms with the graph, ${num(t.noGradMs, 3)} ms under noGrad — ${num(saved, 1)}% saved (measured, ${clockName})`);
  }
  if (gpt !== null) {
    const { nLayer, nHead, nEmbd, blockSize } = LESSON_GPT;
    print(`   GPT ${nLayer} layers × ${nHead} heads × ${nEmbd} wide, batch ${gpt.batch} × ${blockSize} tokens, with its loss: forward ${num(gpt.withGradMs, 3)} ms with the graph, ` +
      `${num(gpt.noGradMs, 3)} ms under noGrad — ${num(100 * (1 - gpt.noGradMs / gpt.withGradMs), 1)}% saved (measured, ${clockName}; PyTorch 1.13 on one thread: 13-38% on this host)`);
  }
  print("   the lesson quotes 20-40% for PyTorch: the saving is the graph's bookkeeping, which large matrix products dwarf.");
  print("Use noGrad (and model.eval()) for validation and inference.");
  const holds = withGrad.nodes > 0 && withGrad.requiresGrad && without.nodes === 0 && !without.requiresGrad;
  return { name: "no-grad", claim: "noGrad builds no graph, so inference keeps no saved activations alive (memory measured) and skips the bookkeeping (time measured)", holds, withGrad, noGrad: without, timings, gpt };
}
