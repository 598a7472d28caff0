// What `chainrule train --model gpt` shows: a progress bar over iterations with tokens per second, and the
// train/validation loss curves in the terminal and as an SVG.
import { writeFileSync } from "node:fs";
import asciichart from "asciichart";
import { SingleBar } from "cli-progress";
import { vegaLiteToSvg } from "@chainrule/viz";
import type { TopLevelSpec } from "@chainrule/viz";

/** One evaluation of the run: the estimated losses at an iteration. */
export interface EvalRecord {
  iter: number;
  trainLoss: number;
  valLoss: number;
  lr: number;
  /** Seconds since the run (or its resumption) began. */
  seconds: number;
}

/** A progress bar over the iterations, with tokens per second, the loss and the learning rate. */
export function iterationBar(total: number, start: number, enabled: boolean): { update(iter: number, tokensPerSecond: number, loss: number, lr: number): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: "iter {value}/{total} [{bar}] {percentage}% | {rate} tokens/s | loss {loss} | lr {lr} | eta {eta_formatted}",
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: true,
    etaBuffer: 50,
    clearOnComplete: true,
  });
  bar.start(total, start, { rate: "-", loss: "-", lr: "-" });
  return {
    update: (iter, rate, loss, lr) => bar.update(iter, { rate: Math.round(rate).toLocaleString("en-US"), loss: loss.toFixed(4), lr: lr.toExponential(2) }),
    stop: () => bar.stop(),
  };
}

/** The loss curves for the terminal (at most 60 points wide; coloured on a terminal). */
export function lossChart(history: readonly EvalRecord[], color: boolean): string {
  if (history.length < 2) return "";
  const step = Math.max(1, Math.ceil(history.length / 60));
  const points = history.filter((_, i) => i % step === 0 || i === history.length - 1);
  const chart = asciichart.plot([points.map((r) => r.trainLoss), points.map((r) => r.valLoss)], {
    height: 8,
    ...(color ? { colors: [asciichart.blue, asciichart.yellow] } : {}),
    format: (x: number) => x.toFixed(3).padStart(8),
  });
  const legend = color ? "\u001b[34mtrain\u001b[0m, \u001b[33mval\u001b[0m" : "train (first), val";
  return `${chart}\n  loss at each evaluation (iterations ${history[0]!.iter}–${history[history.length - 1]!.iter}): ${legend}`;
}

/** Writes the train and validation loss per iteration as an SVG chart (Vega-Lite, rendered without a browser). */
export async function writeLossPlot(history: readonly EvalRecord[], path: string, title: string): Promise<void> {
  const rows = history.flatMap((r) => [
    { iter: r.iter, split: "train", loss: r.trainLoss },
    { iter: r.iter, split: "val", loss: r.valLoss },
  ]);
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: "line", point: history.length <= 30 },
    encoding: {
      x: { field: "iter", type: "quantitative", title: "iteration" },
      y: { field: "loss", type: "quantitative", scale: { zero: false }, title: "cross-entropy loss" },
      color: { field: "split", type: "nominal", title: null },
    },
  };
  writeFileSync(path, await vegaLiteToSvg(spec));
}
