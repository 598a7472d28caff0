// The datasets `chainrule train` and `eval` know by name, split and standardised the same way every time.
import * as cr from "chainrule";
import { existsSync } from "node:fs";

export const BUILTIN = ["xor", "moons", "circles", "spirals", "mnist"] as const;

/** The most points `--samples` generates: ten million 2-D points are 80 MB of float32. */
export const MAX_SAMPLES = 10_000_000;

/** What a trained model says about the CSV it was trained on, so `eval` reads another CSV the same way. */
export interface CsvExpectations {
  /** The model's class names in index order, or null for a regression model. */
  classNames: readonly string[] | null;
  /** The feature columns the model was trained on, in order, when the model file records them. */
  features?: readonly string[];
}

/** A dataset ready for training: standardised inputs, a train/test split, and how to describe it. */
export interface PreparedData {
  name: string;
  xTrain: cr.Tensor;
  yTrain: cr.Tensor;
  xTest: cr.Tensor;
  yTest: cr.Tensor;
  /** Number of input features (for images, channels × height × width). */
  inputs: number;
  /** Number of classes, or 0 for a regression target. */
  classes: number;
  /** Class names, when the data has them. */
  classNames?: string[];
  /** The feature columns of a CSV, in order, and its target column. */
  features?: string[];
  target?: string;
  /** `[channels, height, width]` for image cr.data. */
  image?: [number, number, number];
  /** Per-feature shift and scale applied to inputs: `(x - mean) / std`. */
  mean: number[];
  std: number[];
}

// A seeded split keeps train and test apart identically in `train` and `eval`.
function split(x: cr.Tensor, y: cr.Tensor, testFraction: number, seed: number): [cr.Tensor, cr.Tensor, cr.Tensor, cr.Tensor] {
  const n = x.shape[0]!;
  const g = new cr.Generator(seed);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const nTest = Math.max(1, Math.round(n * testFraction));
  const testIdx = cr.tensor(perm.slice(0, nTest), { dtype: "int32" });
  const trainIdx = cr.tensor(perm.slice(nTest), { dtype: "int32" });
  return [x.indexSelect(0, trainIdx), y.indexSelect(0, trainIdx), x.indexSelect(0, testIdx), y.indexSelect(0, testIdx)];
}

function standardise(xTrain: cr.Tensor): { mean: number[]; std: number[] } {
  const mean = xTrain.mean(0).toTypedArray();
  const std = xTrain.std(0, { correction: 0 }).toTypedArray();
  return { mean: Array.from(mean), std: Array.from(std, (s) => (s > 1e-8 ? s : 1)) };
}

/** Loads `name` (a built-in dataset or a CSV file) and prepares it for training. */
export function loadDataset(name: string, opts: { seed: number; target?: string; samples?: number; testFraction?: number; expect?: CsvExpectations }): PreparedData {
  const testFraction = opts.testFraction ?? 0.2;
  if (name === "mnist") {
    const { train, test } = cr.data.mnist();
    // The usual MNIST normalisation (mean 0.1307, std 0.3081 of the training pixels).
    return {
      name, xTrain: train.images, yTrain: train.labels, xTest: test.images, yTest: test.labels,
      inputs: 784, classes: 10, image: [1, 28, 28], mean: [0.1307], std: [0.3081],
    };
  }
  let x: cr.Tensor;
  let y: cr.Tensor;
  let classNames: string[] | undefined;
  let features: string[] | undefined;
  let classes: number;
  const n = opts.samples ?? 1000;
  const seed = opts.seed;
  switch (name) {
    case "xor": ({ x, y } = cr.data.xor(n, { seed })); classes = 2; break;
    case "moons": ({ x, y } = cr.data.moons(n, { noise: 0.1, seed })); classes = 2; break;
    case "circles": ({ x, y } = cr.data.circles(n, { noise: 0.05, factor: 0.5, seed })); classes = 2; break;
    case "spirals": ({ x, y } = cr.data.spirals(n, { classes: 3, noise: 0.1, seed })); classes = 3; break;
    default: {
      if (!name.toLowerCase().endsWith(".csv")) {
        throw new cr.ArgumentError(`unknown dataset "${name}" (expected ${BUILTIN.join(", ")}, or a .csv file)`);
      }
      if (!existsSync(name)) throw new cr.ArgumentError(`cannot read "${name}": no such file`);
      if (opts.target === undefined) throw new cr.ArgumentError(`a CSV dataset needs --target <column>, the column to predict`);
      const expect = opts.expect;
      const csv = cr.data.loadCsv(name, {
        target: opts.target,
        ...(expect?.features ? { features: [...expect.features] } : {}),
        ...(expect === undefined ? {} : expect.classNames === null ? { task: "regression" as const } : { classes: expect.classNames }),
      });
      x = csv.x;
      y = csv.y;
      classNames = csv.classes ?? undefined;
      classes = csv.classes?.length ?? 0;
      features = csv.featureNames;
    }
  }
  const rows = x.shape[0]!;
  // One row at least to train on and one to test: an empty training split has a NaN loss.
  if (rows < 2) throw new cr.ArgumentError(`${name} has ${rows} row${rows === 1 ? "" : "s"} of data; at least 2 are needed (one to train on, one to test)`);
  const [xTrain, yTrain, xTest, yTest] = split(x, y, testFraction, seed);
  const { mean, std } = standardise(xTrain);
  const bad = mean.findIndex((m, i) => !Number.isFinite(m) || !Number.isFinite(std[i]!));
  if (bad >= 0) {
    const column = features ? `column "${features[bad]}"` : `feature ${bad}`;
    throw new cr.ArgumentError(`${name}: ${column} holds values too large to standardise in float32 (its mean or spread overflows); rescale that column`);
  }
  return {
    name, xTrain, yTrain, xTest, yTest, inputs: x.shape[1]!, classes, mean, std,
    ...(classNames ? { classNames } : {}),
    ...(features ? { features, target: opts.target! } : {}),
  };
}
