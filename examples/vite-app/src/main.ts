/// <reference lib="dom" />
// Trains a small network on XOR in the page and shows the loss as it falls, then the four predictions.
import * as cr from "chainrule";

const status = document.querySelector<HTMLParagraphElement>("#status")!;
const log = document.querySelector<HTMLPreElement>("#log")!;

cr.manualSeed(0);
const { x, y } = cr.data.xor();
const model = new cr.nn.Sequential(new cr.nn.Linear(2, 8), new cr.nn.Tanh(), new cr.nn.Linear(8, 2));
const optimizer = new cr.optim.Adam(model.parameters(), { lr: 0.05 });

// A few steps per animation frame, so the page stays responsive while it trains.
let step = 0;
function train(): void {
  for (let i = 0; i < 20; i++, step++) {
    const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if (step % 50 === 0) log.textContent += `step ${step}: loss ${loss.item().toFixed(4)}\n`;
  }
  if (step < 300) requestAnimationFrame(train);
  else {
    const predicted = cr.noGrad(() => model.forward(x).argmax(1)).tolist();
    status.textContent = `done on the ${cr.getBackend()} backend: predictions ${JSON.stringify(predicted)} for targets ${JSON.stringify(y.tolist())}`;
  }
}
requestAnimationFrame(train);
