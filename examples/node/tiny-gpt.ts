// A character-level GPT, nanoGPT's layout at toy size: trained for a few steps on a paragraph, then sampled.
import * as cr from "chainrule";

const text = `It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want
of a wife. However little known the feelings or views of such a man may be on his first entering a neighbourhood,
this truth is so well fixed in the minds of the surrounding families, that he is considered the rightful property
of some one or other of their daughters.`;

cr.manualSeed(0);
const tokenizer = cr.data.CharTokenizer.fromText(text);
const data = new cr.data.TokenWindows(tokenizer.encode(text), 32);
const model = new cr.models.GPT({ vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 2, nHead: 2, nEmbd: 32 });
const optimizer = model.configureOptimizers({ weightDecay: 0.1, learningRate: 3e-3 });

const steps = Number(process.env.STEPS ?? 60);
let first = 0;
let last = 0;
for (let step = 1; step <= steps; step++) {
  const [x, y] = data.sample(8);
  const [, loss] = model.forward(x, y);
  optimizer.zeroGrad();
  loss!.backward();
  cr.optim.clipGradNorm_(model.parameters(), 1);
  optimizer.step();
  last = loss!.item();
  if (step === 1) first = last;
  if (step % 20 === 0) console.log(`step ${step}: loss ${last.toFixed(3)}`);
}
if (!(last < first)) throw new Error(`the loss should fall, from ${first} to ${last}`);

model.eval();
const prompt = cr.tensor([Array.from(tokenizer.encode("It is"))], { dtype: "int32" });
const out = model.generate(prompt, 40, { temperature: 0.8, topK: 10 });
console.log(JSON.stringify(tokenizer.decode(out.select(0, 0))));
