// Reading a model file written by `chainrule train`: the weights and the metadata that rebuilds the model.
// Everything the metadata claims is checked against the file's own tensors before a model is built:
// a 2 KB file claiming `hidden: [20000, 20000]` must not allocate 6.3 GB on the way to an error.
import * as cr from "chainrule";

export interface LoadedModel {
  model: cr.nn.Sequential;
  config: cr.models.ModelConfig;
  dataset: string;
  seed: number;
  mean: number[];
  std: number[];
  classes: number;
  classNames?: string[];
  image?: [number, number, number];
  /** The CSV columns it was trained on (files written before these were recorded lack them). */
  target?: string;
  features?: string[];
}

type Meta = Record<string, string>;

function field(meta: Meta, key: string, path: string): string {
  const v = meta[key];
  if (v === undefined) throw new cr.FormatError(`${path}: not a chainrule model file (its metadata has no "${key}")`);
  return v;
}

function json(text: string, key: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new cr.FormatError(`${path}: the metadata "${key}" is not valid JSON`);
  }
}

const isCount = (v: unknown, min = 1): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;
const isFiniteArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string" && x !== "");

/** The model config in the metadata, with every number checked, or an error saying which is wrong. */
function readConfig(meta: Meta, path: string): cr.models.ModelConfig {
  const raw = json(field(meta, "chainrule.model", path), "chainrule.model", path);
  const bad = (what: string): never => {
    throw new cr.FormatError(`${path}: the metadata "chainrule.model" ${what}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("is not an object");
  const c = raw as Record<string, unknown>;
  if (!cr.models.ACTIVATIONS.includes(c.activation as cr.models.ActivationName)) bad(`has an unknown activation ${JSON.stringify(c.activation)}`);
  const activation = c.activation as cr.models.ActivationName;
  if (c.kind === "mlp") {
    if (!isCount(c.inputs) || !isCount(c.outputs) || !Array.isArray(c.hidden) || !c.hidden.every((h) => isCount(h))) {
      bad("must give an MLP's inputs, hidden widths and outputs as positive integers");
    }
    return { kind: "mlp", inputs: c.inputs as number, hidden: [...(c.hidden as number[])], outputs: c.outputs as number, activation };
  }
  if (c.kind === "cnn") {
    if (![c.channels, c.height, c.width, c.outputs].every((v) => isCount(v))) bad("must give a CNN's channels, height, width and outputs as positive integers");
    return { kind: "cnn", channels: c.channels as number, height: c.height as number, width: c.width as number, outputs: c.outputs as number, activation };
  }
  return bad(`has an unknown kind ${JSON.stringify(c.kind)} (expected "mlp" or "cnn")`);
}

/** The parameters `cr.models.build(config)` makes, by name, without making them. */
export function parameterShapes(config: cr.models.ModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const linear = (index: number, inputs: number, outputs: number) => {
    shapes.set(`${index}.weight`, [outputs, inputs]);
    shapes.set(`${index}.bias`, [outputs]);
  };
  if (config.kind === "mlp") {
    const sizes = [config.inputs, ...config.hidden, config.outputs];
    // Linear layers at even indices, each activation between them at the odd one.
    for (let i = 0; i + 1 < sizes.length; i++) linear(2 * i, sizes[i]!, sizes[i + 1]!);
    return shapes;
  }
  // conv(16, 5) → act → pool(2) → conv(32, 5) → act → pool(2) → flatten → linear(128) → act → linear(outputs)
  const h = Math.floor((Math.floor((config.height - 4) / 2) - 4) / 2);
  const w = Math.floor((Math.floor((config.width - 4) / 2) - 4) / 2);
  shapes.set("0.weight", [16, config.channels, 5, 5]);
  shapes.set("0.bias", [16]);
  shapes.set("3.weight", [32, 16, 5, 5]);
  shapes.set("3.bias", [32]);
  linear(7, 32 * Math.max(h, 0) * Math.max(w, 0), 128);
  linear(9, 128, config.outputs);
  return shapes;
}

/** Checks the file's tensors against the config's parameters: names, shapes and dtypes, all listed. */
function checkTensors(config: cr.models.ModelConfig, tensors: Record<string, cr.Tensor>, path: string): void {
  if (config.kind === "cnn" && (config.height < 16 || config.width < 16)) {
    throw new cr.FormatError(`${path}: the metadata "chainrule.model" describes ${config.height}×${config.width} images, too small for the CNN's two 5×5 convolutions with pooling`);
  }
  const expected = parameterShapes(config);
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const t = Object.hasOwn(tensors, name) ? tensors[name]! : undefined;
    if (t === undefined) problems.push(`"${name}" is missing (the config needs [${shape.join(", ")}])`);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) problems.push(`"${name}" is [${t.shape.join(", ")}] but the config needs [${shape.join(", ")}]`);
    else if (t.dtype !== "float32") problems.push(`"${name}" is ${t.dtype}, not float32`);
  }
  for (const name of Object.keys(tensors)) if (!expected.has(name)) problems.push(`"${name}" is not a parameter of the config's model`);
  if (problems.length > 0) {
    const shown = problems.length > 12 ? [...problems.slice(0, 12), `… and ${problems.length - 12} more`] : problems;
    throw new cr.FormatError(`${path}: the weights do not match the model its metadata describes:\n  ${shown.join("\n  ")}`);
  }
}

/** Loads a model file and rebuilds the model it describes, after checking the metadata against the weights. */
export function loadModelFile(path: string): LoadedModel {
  const { tensors, metadata } = cr.safetensors.loadWithMetadata(path);
  const meta = metadata ?? {};
  const config = readConfig(meta, path);
  checkTensors(config, tensors, path);
  const bad = (key: string, what: string): never => {
    throw new cr.FormatError(`${path}: the metadata "${key}" ${what}`);
  };
  const inputs = config.kind === "mlp" ? config.inputs : config.channels * config.height * config.width;

  const classes = Number(field(meta, "chainrule.classes", path));
  if (!isCount(classes, 0)) bad("chainrule.classes", "must be a non-negative integer");
  if ((classes === 0 ? 1 : classes) !== config.outputs) bad("chainrule.classes", `says ${classes} classes but the model has ${config.outputs} outputs`);
  const mean = json(field(meta, "chainrule.mean", path), "chainrule.mean", path);
  const std = json(field(meta, "chainrule.std", path), "chainrule.std", path);
  // A shift and scale per feature, or one for all of them (MNIST's pixels).
  const scaleLengths = [inputs, 1];
  if (!isFiniteArray(mean) || !scaleLengths.includes(mean.length)) bad("chainrule.mean", `must be ${inputs} finite numbers`);
  if (!isFiniteArray(std) || std.length !== (mean as number[]).length || std.some((s) => s <= 0)) bad("chainrule.std", `must be ${(mean as number[]).length} positive numbers`);
  const seed = Number(meta["chainrule.seed"] ?? "0");
  if (!isCount(seed, 0)) bad("chainrule.seed", "must be a non-negative integer");

  let image: [number, number, number] | undefined;
  if (meta["chainrule.image"] !== undefined) {
    const v = json(meta["chainrule.image"], "chainrule.image", path);
    if (!Array.isArray(v) || v.length !== 3 || !v.every((d) => isCount(d)) || (v as number[]).reduce((a, d) => a * d, 1) !== inputs) {
      bad("chainrule.image", `must be [channels, height, width] of ${inputs} values in all`);
    }
    image = v as [number, number, number];
  }
  if (config.kind === "cnn" && (image === undefined || image[0] !== config.channels || image[1] !== config.height || image[2] !== config.width)) {
    bad("chainrule.image", `must be [${config.channels}, ${config.height}, ${config.width}] for the CNN it describes`);
  }
  let classNames: string[] | undefined;
  if (meta["chainrule.classNames"] !== undefined) {
    const v = json(meta["chainrule.classNames"], "chainrule.classNames", path);
    if (!isStringArray(v) || v.length !== classes || new Set(v).size !== v.length) bad("chainrule.classNames", `must be ${classes} distinct class names`);
    classNames = v as string[];
  }
  let features: string[] | undefined;
  if (meta["chainrule.features"] !== undefined) {
    const v = json(meta["chainrule.features"], "chainrule.features", path);
    if (!isStringArray(v) || v.length !== inputs) bad("chainrule.features", `must be ${inputs} column names`);
    features = v as string[];
  }
  const target = meta["chainrule.target"];

  // Only now is anything built: the weights just read are the size of what the model allocates.
  const model = cr.models.build(config);
  model.loadStateDict(tensors);
  return {
    model, config, dataset: field(meta, "chainrule.dataset", path), seed, mean: mean as number[], std: std as number[], classes,
    ...(image ? { image } : {}),
    ...(classNames ? { classNames } : {}),
    ...(features ? { features } : {}),
    ...(target !== undefined && target !== "" ? { target } : {}),
  };
}
