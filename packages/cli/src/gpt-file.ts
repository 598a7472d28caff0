// GPT model files and training checkpoints. A model file is the weights under nanoGPT's names (PyTorch
// loads it as it is) with the config and tokenizer in the metadata; a checkpoint adds the optimizer's
// moments as tensors and the optimizer, scheduler and run state as JSON, so a run resumes where it stopped.
import * as cr from "chainrule";

const GPT_KEY = "chainrule.gpt";
const TOKENIZER_KEY = "chainrule.tokenizer";
const CHECKPOINT_KEY = "chainrule.checkpoint";
const OPTIMIZER_PREFIX = "optimizer.state.";

/** What a GPT model file holds besides the weights. */
export interface GptFile {
  model: cr.models.GPT;
  tokenizer: cr.data.Tokenizer;
  metadata: Record<string, string>;
}

function jsonField<T>(path: string, meta: Record<string, string>, key: string): T {
  const text = meta[key];
  if (text === undefined) throw new cr.ArgumentError(`${path}: not a chainrule GPT file (its metadata has no "${key}")`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new cr.ArgumentError(`${path}: the metadata "${key}" is not valid JSON`);
  }
}

/** The metadata of a GPT model file. */
export function gptMetadata(model: cr.models.GPT, tokenizer: cr.data.Tokenizer, extra: Record<string, string> = {}): Record<string, string> {
  return { format: "pt", [GPT_KEY]: JSON.stringify(model.config), [TOKENIZER_KEY]: JSON.stringify(tokenizer.toJSON()), ...extra };
}

/** Writes the model's weights (nanoGPT's names) with its config and tokenizer. */
export function saveGptFile(path: string, model: cr.models.GPT, tokenizer: cr.data.Tokenizer, extra: Record<string, string> = {}): void {
  cr.safetensors.save(model.stateDict(), path, gptMetadata(model, tokenizer, extra));
}

/** Rebuilds the model and tokenizer of a file written by `chainrule train --model gpt` (model file or checkpoint). */
export function loadGptFile(path: string): GptFile {
  const { tensors, metadata } = cr.safetensors.loadWithMetadata(path);
  const meta = metadata ?? {};
  const config = jsonField<cr.models.GPTConfig>(path, meta, GPT_KEY);
  const tokenizer = cr.data.tokenizerFromJSON(jsonField<cr.data.TokenizerJSON>(path, meta, TOKENIZER_KEY));
  const dtype = tensors["transformer.wte.weight"]?.dtype ?? tensors["lm_head.weight"]?.dtype ?? "float32";
  const model = new cr.models.GPT(config, { dtype });
  if (model.config.vocabSize !== tokenizer.vocabSize) {
    throw new cr.ArgumentError(`${path}: the model has ${model.config.vocabSize} tokens but its tokenizer ${tokenizer.vocabSize}`);
  }
  const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith(OPTIMIZER_PREFIX)));
  model.loadStateDict(weights);
  return { model, tokenizer, metadata: meta };
}

/** The run state a checkpoint records besides the weights and the optimizer's tensors. */
export interface RunState {
  /** Iterations done. */
  iter: number;
  /** Iterations the run was set to do. */
  iters: number;
  /** The settings of the run (so a resumed run continues the same one). */
  settings: Record<string, unknown>;
  history: unknown[];
}

type SavedOptimizer = {
  param_groups: cr.optim.ParamGroupDict[];
  state: Record<string, Record<string, number | null | { tensor: string }>>;
};

/** Writes a checkpoint: model file contents, the optimizer's moments as tensors, and the run state. */
export function saveCheckpoint(path: string, model: cr.models.GPT, tokenizer: cr.data.Tokenizer, optimizer: cr.optim.Optimizer, run: RunState): void {
  const tensors: Record<string, cr.Tensor> = { ...model.stateDict() };
  const sd = optimizer.stateDict();
  const saved: SavedOptimizer = { param_groups: sd.param_groups, state: {} };
  for (const [id, entry] of Object.entries(sd.state)) {
    const out: Record<string, number | null | { tensor: string }> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (value instanceof cr.Tensor) {
        const name = `${OPTIMIZER_PREFIX}${id}.${key}`;
        tensors[name] = value;
        out[key] = { tensor: name };
      } else {
        out[key] = value;
      }
    }
    saved.state[id] = out;
  }
  cr.safetensors.save(tensors, path, gptMetadata(model, tokenizer, { [CHECKPOINT_KEY]: JSON.stringify({ ...run, optimizer: saved }) }));
}

/** Reads a checkpoint: the model and tokenizer, and a function that loads the optimizer state into an optimizer. */
export function loadCheckpoint(path: string): GptFile & { run: RunState; loadOptimizer(optimizer: cr.optim.Optimizer): void } {
  const file = loadGptFile(path);
  const { tensors } = cr.safetensors.loadWithMetadata(path);
  const raw = jsonField<RunState & { optimizer: SavedOptimizer }>(path, file.metadata, CHECKPOINT_KEY);
  const { optimizer: saved, ...run } = raw;
  if (typeof run.iter !== "number" || saved === undefined || typeof saved !== "object") throw new cr.ArgumentError(`${path}: the checkpoint's run state is incomplete`);
  const loadOptimizer = (optimizer: cr.optim.Optimizer): void => {
    const state: cr.optim.OptimizerStateDict["state"] = {};
    for (const [id, entry] of Object.entries(saved.state)) {
      const out: Record<string, cr.optim.StateValue> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (value !== null && typeof value === "object") {
          const t = tensors[value.tensor];
          if (t === undefined) throw new cr.ArgumentError(`${path}: the checkpoint lacks the optimizer tensor "${value.tensor}"`);
          out[key] = t;
        } else {
          out[key] = value;
        }
      }
      state[Number(id)] = out;
    }
    optimizer.loadStateDict({ state, param_groups: saved.param_groups });
  };
  return { ...file, run, loadOptimizer };
}
