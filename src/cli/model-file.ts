// Reading a model file written by `chainrule train`: the weights and the metadata that rebuilds the model.
import * as cr from "../index.js";

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
}

function field(meta: Record<string, string>, key: string, path: string): string {
  const v = meta[key];
  if (v === undefined) throw new cr.ArgumentError(`${path}: not a chainrule model file (its metadata has no "${key}")`);
  return v;
}

function json<T>(text: string, key: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new cr.ArgumentError(`${path}: the metadata "${key}" is not valid JSON`);
  }
}

/** Loads a model file and rebuilds the model it describes, weights loaded strictly. */
export function loadModelFile(path: string): LoadedModel {
  const { tensors, metadata } = cr.safetensors.loadWithMetadata(path);
  const meta = metadata ?? {};
  const config = json<cr.models.ModelConfig>(field(meta, "chainrule.model", path), "chainrule.model", path);
  const model = cr.models.build(config);
  model.loadStateDict(tensors);
  const image = meta["chainrule.image"];
  const classNames = meta["chainrule.classNames"];
  return {
    model,
    config,
    dataset: field(meta, "chainrule.dataset", path),
    seed: Number(meta["chainrule.seed"] ?? "0"),
    mean: json<number[]>(field(meta, "chainrule.mean", path), "chainrule.mean", path),
    std: json<number[]>(field(meta, "chainrule.std", path), "chainrule.std", path),
    classes: Number(field(meta, "chainrule.classes", path)),
    ...(image ? { image: json<[number, number, number]>(image, "chainrule.image", path) } : {}),
    ...(classNames ? { classNames: json<string[]>(classNames, "chainrule.classNames", path) } : {}),
  };
}
