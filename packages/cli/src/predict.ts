// `chainrule predict model.safetensors`: class probabilities (or the value) for inputs given on the command line, or an MNIST test image.
import * as cr from "chainrule";
import { isDecimal, parseFloat32Decimal } from "chainrule/internal";
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

/** `--input 0.5,-1.2`: comma-separated decimal numbers, each finite in float32. */
function parseInput(text: string): number[] {
  return text.split(",").map((part, i) => {
    const s = part.trim();
    const v = parseFloat32Decimal(s);
    if (v !== undefined) return v;
    const which = `--input value ${i + 1}`;
    if (s === "") throw new cr.ArgumentError(`${which} is missing (--input takes comma-separated numbers, such as 0.5,-1.2)`);
    throw new cr.ArgumentError(`${which}, ${JSON.stringify(s)}, ${isDecimal(s) ? "is too large for float32 (at most about ±3.4e38)" : "is not a decimal number"}`);
  });
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
    const values = parseInput(opts.input);
    const inputs = m.config.kind === "mlp" ? m.config.inputs : m.config.channels * m.config.height * m.config.width;
    if (values.length !== inputs) throw new cr.ArgumentError(`--input has ${values.length} value${values.length === 1 ? "" : "s"} but the model takes ${inputs} features`);
    raw = cr.tensor([values]);
  }
  const x = prepareInputs(raw, m.mean, m.std, m.image, m.config);
  m.model.eval();
  const out = cr.noGrad(() => m.model.forward(x));
  // Finite inputs and checked weights can still overflow (inputs far outside the training data).
  if (!out.isfinite().all().item()) throw new cr.ArgumentError("the model's output is not finite for this input (NaN or infinite): the input is far outside what it was trained on");
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
