// `chainrule predict model.safetensors`: class probabilities (or the value) for inputs given on the command line, or an MNIST test image.
import * as cr from "../index.js";
import { loadModelFile } from "./model-file.js";
import { prepareInputs } from "./train.js";

// Shades from light to dark, so a digit is recognisable in the terminal.
function asciiImage(pixels: ArrayLike<number>, width: number): string {
  const shades = " .:-=+*#%@";
  const rows: string[] = [];
  for (let i = 0; i < pixels.length; i += width) {
    let row = "";
    for (let j = 0; j < width; j++) row += shades[Math.min(9, Math.floor(pixels[i + j]! * 10))]!.repeat(2);
    rows.push(row);
  }
  return rows.join("\n");
}

export function runPredict(modelPath: string, opts: { input?: string; mnistIndex?: number }, print: (l: string) => void = (l) => console.log(l)): number[] {
  const m = loadModelFile(modelPath);
  let raw: cr.Tensor;
  if (opts.mnistIndex !== undefined) {
    const test = cr.data.loadMnist({ split: "test" });
    const n = test.images.shape[0]!;
    if (!Number.isInteger(opts.mnistIndex) || opts.mnistIndex < 0 || opts.mnistIndex >= n) {
      throw new cr.ArgumentError(`--mnist-index must be an integer from 0 to ${n - 1}, got ${opts.mnistIndex}`);
    }
    raw = test.images.narrow(0, opts.mnistIndex, 1);
    print(asciiImage(raw.toTypedArray(), 28));
    print(`MNIST test image ${opts.mnistIndex}, labelled ${test.labels.toTypedArray()[opts.mnistIndex]}`);
  } else {
    if (opts.input === undefined) throw new cr.ArgumentError("predict needs --input <comma-separated features> or --mnist-index <n>");
    const values = opts.input.split(",").map((s) => Number(s.trim()));
    if (values.some((v) => !Number.isFinite(v))) throw new cr.ArgumentError(`--input must be comma-separated numbers, got "${opts.input}"`);
    if (values.length !== m.mean.length && m.image === undefined) {
      throw new cr.ArgumentError(`--input has ${values.length} values but the model takes ${m.mean.length} features`);
    }
    raw = cr.tensor([values]);
  }
  const x = prepareInputs(raw, m.mean, m.std, m.image, m.config);
  m.model.eval();
  const out = cr.noGrad(() => m.model.forward(x));
  if (m.classes === 0) {
    const v = out.item();
    print(`prediction: ${v}`);
    return [v];
  }
  const probs = Array.from(out.softmax(1).toTypedArray());
  const best = probs.indexOf(Math.max(...probs));
  const name = (i: number) => m.classNames?.[i] ?? String(i);
  print(`predicted class ${name(best)} (probability ${(100 * probs[best]!).toFixed(1)}%)`);
  print(probs.map((p, i) => `  ${name(i).padEnd(6)} ${(100 * p).toFixed(1).padStart(5)}%`).join("\n"));
  return probs;
}
