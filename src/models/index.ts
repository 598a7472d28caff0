// Ready-made models for the command line and the playground: an MLP and a small CNN, described by a
// plain config so a saved model file can say how to rebuild itself.
import { ArgumentError } from "../errors.js";
import * as nn from "../nn/index.js";
import type { AnyModule } from "../nn/module.js";

/** Activations the model builders accept, by PyTorch's class names in lower case. */
export type ActivationName = "relu" | "leakyrelu" | "tanh" | "sigmoid" | "gelu";
/** Every `ActivationName`, for validating options and listing choices in help texts. */
export const ACTIVATIONS: readonly ActivationName[] = ["relu", "leakyrelu", "tanh", "sigmoid", "gelu"];

/** Everything needed to rebuild a model: stored in a safetensors file's metadata. */
export type ModelConfig =
  | { kind: "mlp"; inputs: number; hidden: number[]; outputs: number; activation: ActivationName }
  | { kind: "cnn"; channels: number; height: number; width: number; outputs: number; activation: ActivationName };

function activation(name: ActivationName): AnyModule {
  switch (name) {
    case "relu": return new nn.ReLU();
    case "leakyrelu": return new nn.LeakyReLU();
    case "tanh": return new nn.Tanh();
    case "sigmoid": return new nn.Sigmoid();
    case "gelu": return new nn.GELU();
  }
}

/**
 * A multilayer perceptron: Linear → activation for each hidden width, then a Linear to the outputs.
 * Parameter names follow PyTorch's nn.Sequential: `0.weight`, `0.bias`, `2.weight`, …
 * @example const model = cr.models.mlp({ inputs: 784, hidden: [256, 128], outputs: 10 });
 */
export function mlp(cfg: { inputs: number; hidden?: number[]; outputs: number; activation?: ActivationName }): nn.Sequential {
  const hidden = cfg.hidden ?? [];
  const act = cfg.activation ?? "relu";
  if (!ACTIVATIONS.includes(act)) throw new ArgumentError(`mlp: unknown activation "${act}" (expected one of ${ACTIVATIONS.join(", ")})`);
  const sizes = [cfg.inputs, ...hidden, cfg.outputs];
  for (const s of sizes) if (!Number.isInteger(s) || s < 1) throw new ArgumentError(`mlp: layer sizes must be positive integers, got ${sizes.join(",")}`);
  const layers: AnyModule[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new nn.Linear(sizes[i]!, sizes[i + 1]!));
    if (i + 2 < sizes.length) layers.push(activation(act));
  }
  return new nn.Sequential(...layers);
}

/**
 * A small convolutional network for images `[N, C, H, W]`: two 5×5 convolutions (16 and 32
 * channels) each followed by the activation and 2×2 max pooling, then Linear 128 and the outputs.
 * @example cr.models.cnn({ channels: 1, height: 28, width: 28, outputs: 10 }).forward(cr.zeros([2, 1, 28, 28])).shape // [2, 10]
 */
export function cnn(cfg: { channels: number; height: number; width: number; outputs: number; activation?: ActivationName }): nn.Sequential {
  const act = cfg.activation ?? "relu";
  const h = Math.floor((Math.floor((cfg.height - 4) / 2) - 4) / 2);
  const w = Math.floor((Math.floor((cfg.width - 4) / 2) - 4) / 2);
  if (h < 1 || w < 1) throw new ArgumentError(`cnn: images of ${cfg.height}×${cfg.width} are too small for two 5×5 convolutions with pooling`);
  return new nn.Sequential(
    new nn.Conv2d(cfg.channels, 16, 5),
    activation(act),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 5),
    activation(act),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * h * w, 128),
    activation(act),
    new nn.Linear(128, cfg.outputs),
  );
}

/**
 * Builds the model a config describes.
 * @example cr.models.build({ kind: "mlp", inputs: 4, hidden: [8], outputs: 2, activation: "relu" }).forward(cr.zeros([3, 4])).shape // [3, 2]
 */
export function build(cfg: ModelConfig): nn.Sequential {
  return cfg.kind === "mlp" ? mlp(cfg) : cnn(cfg);
}

export { GPT, KVCache, CausalSelfAttention, Block as GPTBlock, MLP as GPTMLP, resolveGPTConfig } from "./gpt.js";
export type { GPTConfig, ResolvedGPTConfig, GPTOptions, GPTForwardOptions, GenerateOptions, ConfigureOptimizersOptions } from "./gpt.js";
export { sampleToken } from "./sampling.js";
export type { SamplingOptions } from "./sampling.js";

// The module classes above are the library's: a call of one made only of them may be sealed (library.ts).
// A namespace import of this very module gives them all, however many are added.
import * as self from "./index.js";
import { registerLibraryModules } from "../nn/library.js";
import { Module as ModuleBase } from "../nn/module.js";
registerLibraryModules(self, ModuleBase);
