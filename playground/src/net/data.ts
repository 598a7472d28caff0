// The Network lab's data: chainrule's 2-D datasets or the user's own points, split 80/20, with plain copies for drawing.
import * as cr from "chainrule";
import type { NetConfig } from "./config.js";
import { mulberry32, permutation } from "./random.js";

export interface LabData {
  xTrain: cr.Tensor;
  yTrain: cr.Tensor;
  xTest: cr.Tensor;
  yTest: cr.Tensor;
  classes: number;
  /** Every point as [x, y, class, isTest] for the plot. */
  points: [number, number, number, boolean][];
  /** Plot window [xmin, xmax, ymin, ymax]. */
  bounds: [number, number, number, number];
}

const N = 200;

function generate(c: NetConfig): { x: cr.Tensor; y: cr.Tensor } {
  const opts = { noise: c.noise, seed: c.seed };
  switch (c.dataset) {
    case "xor": return cr.data.xor(N, opts);
    case "moons": return cr.data.moons(N, opts);
    case "circles": return cr.data.circles(N, opts);
    case "spirals": return cr.data.spirals(240, { seed: c.seed, noise: c.noise });
    case "custom": {
      const xs = c.points.flatMap(([a, b]) => [a, b]);
      return { x: cr.tensor(new Float32Array(xs)).reshape([c.points.length, 2]), y: cr.tensor(new Int32Array(c.points.map((p) => p[2]))) };
    }
  }
}

export function makeData(c: NetConfig): LabData {
  const { x, y } = generate(c);
  const n = y.shape[0] ?? 0;
  const xs = x.toTypedArray();
  const ys = y.toTypedArray();
  // A seeded random fifth is the test set (spirals come ordered by class, xor cycles its corners);
  // custom points all train, since a handful of clicks is too few to hold any back.
  const nTest = c.dataset === "custom" ? 0 : Math.floor(n / 5);
  const nTrain = n - nTest;
  const order = permutation(n, mulberry32(c.seed + 1));
  const rows = (from: number, to: number): cr.Tensor => cr.tensor(Int32Array.from(order.slice(from, to)));
  const isTest = new Set(order.slice(nTrain));
  const points: [number, number, number, boolean][] = [];
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    const px = Number(xs[2 * i]);
    const py = Number(xs[2 * i + 1]);
    points.push([px, py, Number(ys[i]), isTest.has(i)]);
    [x0, x1, y0, y1] = [Math.min(x0, px), Math.max(x1, px), Math.min(y0, py), Math.max(y1, py)];
  }
  if (n === 0 || c.dataset === "custom") [x0, x1, y0, y1] = [-1.5, 1.5, -1.5, 1.5];
  // A square window with a margin, so the boundary is drawn undistorted around the data.
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const half = Math.max(x1 - x0, y1 - y0) / 2 + 0.3;
  return {
    xTrain: nTrain > 0 ? x.indexSelect(0, rows(0, nTrain)) : cr.zeros([0, 2]),
    yTrain: nTrain > 0 ? y.indexSelect(0, rows(0, nTrain)) : cr.zeros([0], { dtype: "int32" }),
    xTest: nTest > 0 ? x.indexSelect(0, rows(nTrain, n)) : cr.zeros([0, 2]),
    yTest: nTest > 0 ? y.indexSelect(0, rows(nTrain, n)) : cr.zeros([0], { dtype: "int32" }),
    classes: c.dataset === "spirals" ? 3 : 2,
    points,
    bounds: [cx - half, cx + half, cy - half, cy + half],
  };
}
