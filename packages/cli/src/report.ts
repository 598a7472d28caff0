// What `chainrule train` shows a person: a progress bar per epoch, a table of epochs, and loss/accuracy plots.
import asciichart from "asciichart";
import { SingleBar } from "cli-progress";
import Table from "cli-table3";
import { vegaLiteToSvg } from "@chainrule/viz";
import type { TopLevelSpec } from "@chainrule/viz";
import { writeFileAtomic } from "chainrule/internal";

/** One row of the training history. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
}

/** A progress bar for one epoch, with samples per second and the time left. */
export function epochBar(epoch: number, epochs: number, batches: number, enabled: boolean): { update(done: number, samplesPerSecond: number, loss: number): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `epoch ${epoch}/${epochs} [{bar}] {percentage}% | {value}/{total} batches | {rate} samples/s | loss {loss} | eta {eta_formatted}`,
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: true,
    etaBuffer: 50,
    clearOnComplete: true,
  });
  bar.start(batches, 0, { rate: "-", loss: "-" });
  return {
    update: (done, rate, loss) => bar.update(done, { rate: Math.round(rate).toLocaleString("en-US"), loss: loss.toFixed(4) }),
    stop: () => bar.stop(),
  };
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** Which epochs to show when there are many: about `max` of them, evenly spaced, always the first and last. */
export function sampledEpochs(total: number, max = 12): (epoch: number) => boolean {
  const every = Math.max(1, Math.ceil(total / max));
  return (epoch) => epoch === 1 || epoch === total || epoch % every === 0;
}

/** The per-epoch table (about a dozen rows, evenly spaced, when there are many epochs). */
export function historyTable(history: readonly EpochRecord[], regression: boolean): string {
  const head = regression
    ? ["epoch", "train loss", "test loss", "time"]
    : ["epoch", "train loss", "train acc", "test loss", "test acc", "time"];
  const compact = { "top-mid": "┬", "bottom-mid": "┴", mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };
  const table = new Table({ head, style: { head: [], border: [] }, chars: compact });
  const shown = sampledEpochs(history.length);
  for (const r of history) {
    if (!shown(r.epoch)) continue;
    const time = `${r.seconds.toFixed(1)}s`;
    table.push(regression
      ? [r.epoch, r.trainLoss.toFixed(4), r.testLoss.toFixed(4), time]
      : [r.epoch, r.trainLoss.toFixed(4), pct(r.trainAccuracy), r.testLoss.toFixed(4), pct(r.testAccuracy), time]);
  }
  return table.toString();
}

/**
 * A small plot of the loss curves for the terminal (at most 60 points wide; coloured on a terminal).
 * Epochs whose losses are not finite are left out (asciichart sizes its grid from the values, and
 * NaN or Infinity made it throw "Invalid array length"); with fewer than two left there is no plot.
 */
export function terminalPlot(history: readonly EpochRecord[], color: boolean): string {
  const finite = history.filter((r) => Number.isFinite(r.trainLoss) && Number.isFinite(r.testLoss));
  if (finite.length < 2) return "";
  const step = Math.max(1, Math.ceil(finite.length / 60));
  const points = finite.filter((_, i) => i % step === 0 || i === finite.length - 1);
  const series = [points.map((r) => r.trainLoss), points.map((r) => r.testLoss)];
  const chart = asciichart.plot(series, {
    height: 8,
    ...(color ? { colors: [asciichart.blue, asciichart.yellow] } : {}),
    format: (x: number) => x.toFixed(3).padStart(8),
  });
  const legend = color ? "\u001b[34mtrain\u001b[0m, \u001b[33mtest\u001b[0m" : "train (first), test";
  const left = history.length - finite.length;
  return `${chart}\n  loss per epoch: ${legend}${left > 0 ? ` (${left} epoch${left === 1 ? "" : "s"} with a non-finite loss left out)` : ""}`;
}

/**
 * Writes loss and accuracy per epoch as an SVG chart (Vega-Lite, rendered without a browser), atomically.
 * Non-finite values are left out of the lines (Vega-Lite drops nulls) instead of stretching the scale.
 */
export async function writePlot(history: readonly EpochRecord[], path: string, title: string, regression: boolean): Promise<void> {
  const value = (v: number) => (Number.isFinite(v) ? v : null);
  const rows = history.flatMap((r) => [
    { epoch: r.epoch, metric: "loss", split: "train", value: value(r.trainLoss) },
    { epoch: r.epoch, metric: "loss", split: "test", value: value(r.testLoss) },
    ...(regression ? [] : [
      { epoch: r.epoch, metric: "accuracy", split: "train", value: value(r.trainAccuracy) },
      { epoch: r.epoch, metric: "accuracy", split: "test", value: value(r.testAccuracy) },
    ]),
  ]);
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: rows },
    facet: { column: { field: "metric", type: "nominal", title: null, sort: ["loss", "accuracy"] } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: "line", point: history.length <= 30 },
      encoding: {
        x: { field: "epoch", type: "quantitative", axis: { tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: null },
        color: { field: "split", type: "nominal", title: null },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  const svg = await vegaLiteToSvg(spec);
  writeFileAtomic(path, svg, "plot");
}
