// Trains a tiny cr.models.GPT for a few steps and writes it as safetensors with PyTorch's (nanoGPT's) names:
// the chainrule side of the chainrule -> PyTorch interop fixture. tools/gen_torch_gpt_fixtures.py runs this,
// loads the file into its nanoGPT-layout torch model (strictly) and records torch's logits for it.
//
//   node --conditions=chainrule-source --import tsx tools/write_gpt_checkpoint.ts OUT.safetensors
import * as cr from "chainrule";

const out = process.argv[2];
if (out === undefined || !out.endsWith(".safetensors")) {
  console.error("usage: write_gpt_checkpoint.ts OUT.safetensors");
  process.exit(2);
}

const config = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0, bias: false };
cr.manualSeed(1234);
const model = new cr.models.GPT(config);
const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-2, betas: [0.9, 0.95] });
const g = new cr.Generator(99);
for (let step = 0; step < 5; step++) {
  const x = cr.randint(0, config.vocabSize, [4, config.blockSize], { generator: g });
  const y = cr.randint(0, config.vocabSize, [4, config.blockSize], { generator: g });
  const [, loss] = model.forward(x, y);
  opt.zeroGrad();
  loss!.backward();
  cr.optim.clipGradNorm_(model.parameters(), 1);
  opt.step();
}
cr.safetensors.save(model.stateDict(), out, { format: "pt", "chainrule.gpt": JSON.stringify(model.config) });
console.log(`wrote ${out}: ${Object.keys(model.stateDict()).length} tensors, ${model.getNumParams(false)} parameters`);
