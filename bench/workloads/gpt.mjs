// chainrule's side of W7 (one GPT training iteration: forward, backward, clipping, AdamW) and W8 (generation with
// the key/value cache), with the public API only, as a PyTorch user writes them (bench/torch_bench.py has PyTorch's).
import * as cr from "chainrule";
import { GPT, SEED, gptTokens, mulberry32 } from "../lib/data.mjs";

function model() {
  cr.manualSeed(SEED);
  return new cr.models.GPT({ vocabSize: GPT.vocabSize, blockSize: GPT.blockSize, nLayer: GPT.nLayer, nHead: GPT.nHead, nEmbd: GPT.nEmbd });
}

/** W7: `step()` runs one training iteration on a fresh batch and returns the loss read back. */
export function gptTrainWorkload() {
  const gpt = model();
  const opt = gpt.configureOptimizers({ weightDecay: GPT.weightDecay, learningRate: GPT.lr, betas: GPT.betas });
  const params = gpt.parameters();
  const next = mulberry32(SEED + 7);
  const T = GPT.blockSize;
  return {
    step() {
      const tokens = gptTokens(next, GPT.batch * (T + 1));
      const all = cr.tensor(tokens, { dtype: "int32" }).reshape([GPT.batch, T + 1]);
      const [, loss] = gpt.forward(all.narrow(1, 0, T), all.narrow(1, 1, T));
      opt.zeroGrad();
      loss.backward();
      cr.optim.clipGradNorm_(params, GPT.clip);
      opt.step();
      return loss.item();
    },
  };
}

/** W8: `run()` generates `newTokens` tokens greedily from a one-token prompt (batch 1) and returns them. */
export function gptGenerateWorkload(newTokens = GPT.newTokens) {
  const gpt = model();
  gpt.eval();
  return {
    run() {
      const out = gpt.generate(cr.tensor([[0]], { dtype: "int32" }), newTokens, { temperature: 0 });
      return out.toTypedArray();
    },
  };
}
