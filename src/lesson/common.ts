// What the lesson's experiments share: the print callback, the result shape, number formats, timing and graph counting.
import asciichart from "asciichart";
import type { Node } from "../autograd/node.js";
import type { Tensor } from "../tensor/tensor.js";

/** Where an experiment writes its lines (console.log in the terminal, a <pre> in the browser). */
export type Print = (line: string) => void;

/** Options every experiment takes. */
export interface ExperimentOptions {
  /** Receives the experiment's explanation and evidence line by line (default: prints nothing). */
  print?: Print;
  /** Seed for the weights and data (default 0), so every run shows the same numbers. */
  seed?: number;
  /** Colour the lines of the terminal plots (default false: plain text, for files and browsers). */
  color?: boolean;
}

/** What every experiment returns, besides its own numbers. */
export interface ExperimentResult {
  /** The experiment's name, as `chainrule lesson <name>` takes it. */
  name: string;
  /** The lesson's claim the experiment checks. */
  claim: string;
  /** Whether the numbers support the claim. Timings are reported but never part of this verdict. */
  holds: boolean;
}

export const noPrint: Print = () => {};

/** A number in a fixed-width form: 4 decimals, or exponent notation where that would hide it. */
export function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}

/** The median of some numbers (timings: robust to one slow run). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** How many recorded operations (graph nodes other than the leaves' AccumulateGrad) `t` keeps alive. */
export function graphSize(t: Tensor): number {
  const seen = new Set<Node>();
  const stack: Node[] = t.gradFn === null ? [] : [t.gradFn];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const [next] of n.nextFunctions) if (next !== null && next.name !== "AccumulateGrad") stack.push(next);
  }
  return seen.size;
}

/** Colours of the plotted series, in order, and their names for legends. */
export const SERIES_COLORS = [asciichart.red, asciichart.green, asciichart.blue, asciichart.yellow];
const COLOR_NAMES = ["red", "green", "blue", "yellow"];

/** A legend: each series' name with its colour's name, or its position where there are no colours. */
export function legendOf(names: readonly string[], color: boolean | undefined): string {
  return names.map((n, i) => (color ? `${SERIES_COLORS[i]}${n}${asciichart.reset} (${COLOR_NAMES[i]})` : n)).join(", ");
}

/** A terminal line chart of one or more series, with a legend line under it. */
export function chart(
  series: readonly (readonly number[])[],
  legend: string,
  opts: { height?: number; format?: (v: number) => string; color?: boolean } = {},
): string {
  const plot = asciichart.plot(series.map((s) => [...s]), {
    height: opts.height ?? 8,
    ...(opts.color ? { colors: SERIES_COLORS.slice(0, series.length) } : {}),
    format: opts.format ?? ((v: number) => num(v, 3).padStart(9)),
  });
  return `${plot}\n${legend}`;
}

/** Prints a multi-line block through `print`, one call per line. */
export function printBlock(print: Print, text: string, indent = "   "): void {
  for (const line of text.split("\n")) print(indent + line);
}
