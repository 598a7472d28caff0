// Experiment "vanishing": per-layer gradient norms through 10/20/50 sigmoid layers, against ReLU and residual stacks.
import { watch } from "../diagnostics/watch.js";
import { Residual, Sequential } from "../nn/container.js";
import { ReLU, Sigmoid } from "../nn/activation.js";
import { kaimingNormal, xavierNormal } from "../nn/init.js";
import { Linear } from "../nn/linear.js";
import type { AnyModule } from "../nn/module.js";
import { manualSeed } from "../random.js";
import { randn } from "../tensor/creation.js";
import { ArgumentError } from "../errors.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { chart, legendOf, noPrint, num, printBlock } from "./common.js";

/** The three stacks compared. */
export type StackKind = "sigmoid" | "relu" | "residual";
export const STACKS: readonly StackKind[] = ["sigmoid", "relu", "residual"];

/** Options of the "vanishing" experiment. */
export interface VanishingOptions extends ExperimentOptions {
  /** Numbers of layers to compare (default [10, 20, 50]). */
  depths?: number[];
  /** Width of every layer (default 32). */
  width?: number;
  /** Samples in the batch (default 64). */
  batch?: number;
  /** Draw the per-layer norms with asciichart (default true). */
  plot?: boolean;
}

/** One depth's measurements. */
export interface DepthResult {
  /** The number of layers in each stack. */
  depth: number;
  /** The gradient norm of each layer's weights and bias, first layer first, per stack. */
  norms: Record<StackKind, number[]>;
  /** First layer's norm / last layer's norm, per stack: 1 means the gradient arrives intact. */
  ratio: Record<StackKind, number>;
  /** Whether `cr.diagnostics.watch` flagged vanishing gradients, per stack. */
  flagged: Record<StackKind, boolean>;
}

/** Numbers of the "vanishing" experiment. */
export interface VanishingResult extends ExperimentResult {
  /** One entry per depth tried (10, 20 and 50 layers by default), shallowest first. */
  depths: DepthResult[];
}

/** A stack of `depth` layers of `kind`, in float64 so 50 sigmoid layers do not underflow to 0. */
function stack(kind: StackKind, depth: number, width: number): Sequential {
  const layers: AnyModule[] = [];
  for (let i = 0; i < depth; i++) {
    const fc = new Linear(width, width, { dtype: "float64" });
    // Each stack gets the initialisation made for it, so only the activation and the skip differ.
    if (kind === "sigmoid") layers.push(xavierNormal(fc.weight) && fc, new Sigmoid());
    else if (kind === "relu") layers.push(kaimingNormal(fc.weight, { nonlinearity: "relu" }) && fc, new ReLU());
    else layers.push(new Residual(new Sequential(fc, new ReLU())));
  }
  return new Sequential(...layers);
}

/**
 * Gradients through deep stacks: σ' ≤ 0.25, so each sigmoid layer shrinks the gradient and the first
 * layers of a deep sigmoid stack get almost none; ReLU (with Kaiming initialisation) and residual
 * connections deliver it to the first layer at about the size the last one gets.
 * @example
 * const r = cr.lesson.vanishing({ depths: [20], print: console.log });
 * r.depths[0].ratio.sigmoid < 1e-3; // true
 */
export function vanishing(opts: VanishingOptions = {}): VanishingResult {
  const print = opts.print ?? noPrint;
  const depths = opts.depths ?? [10, 20, 50];
  const width = opts.width ?? 32;
  const batch = opts.batch ?? 64;
  for (const d of [...depths, width, batch]) if (!Number.isInteger(d) || d < 2) throw new ArgumentError(`lesson vanishing: depths, width and batch must be integers >= 2, got ${d}`);
  manualSeed(opts.seed ?? 0);
  const x = randn([batch, width], { dtype: "float64" });
  const probe = randn([batch, width], { dtype: "float64" });

  print("Vanishing gradients: σ'(x) ≤ 0.25, so every sigmoid layer shrinks the gradient on its way back.");
  print(`Stacks of Linear(${width}, ${width}) + activation, batch ${batch}: sigmoid (Xavier init), ReLU (Kaiming init), residual x + ReLU(Linear(x)).`);
  print("The gradient norm of each layer's weights after one backward pass:");
  const results: DepthResult[] = [];
  for (const depth of depths) {
    const norms = {} as Record<StackKind, number[]>;
    const flagged = {} as Record<StackKind, boolean>;
    for (const kind of STACKS) {
      const model = stack(kind, depth, width);
      const w = watch(model);
      // A fixed random direction at the output, so every stack receives the same kind of gradient.
      model.forward(x).mul(probe).sum().div(batch).backward();
      const report = w.report();
      w.remove();
      norms[kind] = report.layers.filter((l) => l.type === "Linear").map((l) => l.gradNorm ?? 0);
      flagged[kind] = report.flags.some((f) => f.kind === "vanishing");
    }
    const ratio = Object.fromEntries(STACKS.map((k) => [k, norms[k][0]! / norms[k].at(-1)!])) as Record<StackKind, number>;
    results.push({ depth, norms, ratio, flagged });

    print("");
    if (depth === depths[0]) {
      print(`   layer   ${STACKS.map((k) => k.padStart(10)).join("  ")}   (gradient norm, ${depth} layers)`);
      for (let i = 0; i < depth; i++) print(`   ${String(i + 1).padStart(5)}   ${STACKS.map((k) => num(norms[k][i]!).padStart(10)).join("  ")}`);
    }
    print(`${depth} layers: layer 1 / layer ${depth} gradient norm   ` + STACKS.map((k) => `${k} ${num(ratio[k])}${flagged[k] ? " (flagged)" : ""}`).join("   "));
    if (opts.plot ?? true) {
      printBlock(print, chart(STACKS.map((k) => norms[k].map((v) => Math.log10(Math.max(v, 1e-300)))), `   log10 of the gradient norm, layer 1 → ${depth}: ${legendOf(STACKS, opts.color)}; the sigmoid line falls towards layer 1`, {
        color: opts.color,
        format: (v) => v.toFixed(1).padStart(7),
        height: 8,
      }));
    }
  }
  const rows = results.map((r) => `   ${String(r.depth).padStart(5)}  ${STACKS.map((k) => num(r.ratio[k]).padStart(10)).join("  ")}`);
  print("");
  print("   depth     sigmoid        relu    residual   (layer 1 / last layer)");
  for (const row of rows) print(row);
  print(`   0.25^10 = ${num(0.25 ** 10)}: the sigmoid's slope alone, multiplied over ten layers.`);
  print("Remedies: ReLU, residual connections (ResNet, 2015), normalisation; cr.diagnostics.watch flags the sigmoid stacks.");
  const holds = results.every((r) =>
    (r.depth < 10 || r.ratio.sigmoid < 1e-3) && r.ratio.relu > 1e-2 && r.ratio.relu < 1e2 && r.ratio.residual > 1e-2 && r.ratio.residual < 1e2,
  );
  return { name: "vanishing", claim: "gradients vanish through stacked sigmoids (layer 1 gets < 1e-3 of the last layer's) but not with ReLU or residual connections (within 100×)", holds, depths: results };
}
