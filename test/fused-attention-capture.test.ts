// A captured GPT training step (fused attention forward and backward inside) replays to the bits of eager steps,
// on cpu and on wasm (where the attention kernels are planned calls).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

function gpt() {
  cr.manualSeed(1);
  const model = new cr.models.GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 });
  return { model, opt: model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-2 }) };
}

function step({ model, opt }: ReturnType<typeof gpt>, x: cr.Tensor, y: cr.Tensor): cr.Tensor {
  const [, loss] = model.forward(x, y);
  opt.zeroGrad();
  loss!.backward();
  opt.step();
  return loss!;
}

for (const backend of ["cpu", "wasm"]) {
  test(`${backend}: a captured GPT step replays as eager steps run`, () => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      const eager = gpt(), captured = gpt();
      const x = cr.keep(cr.zeros([3, 8], { dtype: "int32" })), y = cr.keep(cr.zeros([3, 8], { dtype: "int32" }));
      let graph: cr.CapturedGraph<cr.Tensor> | undefined;
      const eagerLosses: number[] = [], replayLosses: number[] = [];
      for (let i = 0; i < 4; i++) {
        cr.manualSeed(100 + i);
        const bx = cr.randint(0, 11, [3, 8], { dtype: "int32" }), by = cr.randint(0, 11, [3, 8], { dtype: "int32" });
        eagerLosses.push(cr.tidy(() => step(eager, bx, by).item()));
        x.copy_(bx);
        y.copy_(by);
        if (graph === undefined) graph = cr.captureGraph(() => step(captured, x, y));
        else graph.replay();
        replayLosses.push(graph.output.item());
      }
      assert.deepEqual(replayLosses, eagerLosses);
      graph!.dispose();
    } finally {
      cr.setBackend(previous);
    }
  });
}
