// The Network lab's settings, and their round trip through the URL.
import { getChoice, getNumber, getString, setParams } from "../url-state.js";

export const DATASETS = ["xor", "moons", "circles", "spirals", "custom"] as const;
export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "leakyrelu"] as const;
export const OPTIMIZERS = ["sgd", "adam", "rmsprop"] as const;
export const REGULARIZERS = ["none", "l1", "l2"] as const;

export interface NetConfig {
  dataset: (typeof DATASETS)[number];
  noise: number;
  /** Hidden layer widths, e.g. [8, 8]. */
  hidden: number[];
  activation: (typeof ACTIVATIONS)[number];
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  reg: (typeof REGULARIZERS)[number];
  regRate: number;
  dropout: number;
  batch: number;
  seed: number;
  /** The user's own points for the "custom" dataset: x, y and class 0 or 1. */
  points: [number, number, number][];
}

/** Parses "8,8" into widths; bad or out-of-range entries are dropped, at most 6 layers of 1 to 32. */
export function parseHidden(text: string): number[] {
  return text.split(",").map((p) => Math.round(Number(p.trim()))).filter((n) => Number.isFinite(n) && n >= 1 && n <= 32).slice(0, 6);
}

/** Points as "x,y,c;x,y,c" with two decimals: short enough for a link. */
export function encodePoints(points: readonly [number, number, number][]): string {
  return points.map(([x, y, c]) => `${x.toFixed(2)},${y.toFixed(2)},${c}`).join(";");
}

export function decodePoints(text: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const p of text.split(";")) {
    const [x, y, c] = p.split(",").map(Number);
    if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) && (c === 0 || c === 1)) out.push([x, y, c]);
  }
  return out;
}

export function readConfig(): NetConfig {
  const hidden = parseHidden(getString("hidden", "8,8"));
  return {
    dataset: getChoice("data", DATASETS, "xor"),
    noise: getNumber("noise", 0.2, 0, 1),
    hidden: hidden.length > 0 || getString("hidden", "8,8") === "" ? hidden : [8, 8],
    activation: getChoice("act", ACTIVATIONS, "relu"),
    optimizer: getChoice("opt", OPTIMIZERS, "adam"),
    lr: getNumber("lr", 0.03, 1e-6, 10),
    reg: getChoice("reg", REGULARIZERS, "none"),
    regRate: getNumber("regRate", 0.001, 0, 1),
    dropout: getNumber("dropout", 0, 0, 0.9),
    batch: Math.round(getNumber("batch", 32, 1, 1000)),
    seed: Math.round(getNumber("seed", 1, 0, 1e9)),
    points: decodePoints(getString("points", "")),
  };
}

export function writeConfig(c: NetConfig): void {
  setParams({
    lab: "net", data: c.dataset, noise: c.noise, hidden: c.hidden.join(","), act: c.activation, opt: c.optimizer, lr: c.lr,
    reg: c.reg, regRate: c.regRate, dropout: c.dropout, batch: c.batch, seed: c.seed,
    ...(c.dataset === "custom" ? { points: encodePoints(c.points) } : {}),
  });
}
