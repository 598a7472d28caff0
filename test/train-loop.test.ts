// cr.train.trainEpoch: the captured loop (capture: true) trains to the same bits as the eager one, partial last
// batch and per-batch scheduler included, and either way an epoch leaves nothing behind (each batch is freed
// with its step).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

const lossFn = (out: cr.Tensor, y: cr.Tensor) => cr.nn.functional.crossEntropy(out, y);

function setup(dropout = false) {
  cr.manualSeed(21);
  const layers: cr.nn.Module[] = [new cr.nn.Linear(20, 300), new cr.nn.ReLU()];
  if (dropout) layers.push(new cr.nn.Dropout(0.2));
  const model = new cr.nn.Sequential(...layers, new cr.nn.Linear(300, 4));
  const optimizer = new cr.optim.Adam(model.parameters(), { lr: 3e-3 });
  const scheduler = new cr.optim.StepLR(optimizer, 3, { gamma: 0.7 });
  // 200 samples in batches of 64: three full batches and one of 8, so two batch shapes.
  const x = cr.keep(cr.randn([200, 20]));
  const y = cr.keep(x.narrow(1, 0, 4).argmax(1));
  const loader = new cr.data.DataLoader(new cr.data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 3 });
  return { model, optimizer, scheduler, loader };
}

for (const backend of ["cpu", "wasm"]) {
  test(`${backend}: trainEpoch with capture trains to the eager loop's bits, and frees every batch`, () => {
    onBackend(backend, () => {
      const runs = [false, true].map((capture) => {
        const s = setup();
        const losses: number[] = [];
        const epoch = () =>
          cr.train.trainEpoch(s.model, s.loader, lossFn, s.optimizer, (_batch, loss) => {
            losses.push(loss);
            s.scheduler.step();
          }, { capture });
        const metrics = [epoch()]; // makes the optimizer's state and the gradients, which stay
        const before = cr.memory();
        metrics.push(epoch(), epoch());
        const after = cr.memory();
        assert.equal(after.numTensors, before.numTensors, `capture ${capture}: an epoch leaves no tensor alive`);
        assert.equal(after.tensorBlocks, before.tensorBlocks, `capture ${capture}: nor a block on the wasm heap`);
        return { metrics, losses, params: s.model.parameters().map((p) => p.toTypedArray()) };
      });
      const [eager, captured] = runs as [(typeof runs)[0], (typeof runs)[0]];
      assert.equal(captured.losses.length, 12);
      assert.deepEqual(captured.losses, eager.losses);
      assert.deepEqual(captured.metrics, eager.metrics);
      assert.ok(eager.metrics[2]!.loss < eager.metrics[0]!.loss, "it trained");
      captured.params.forEach((p, i) => assert.deepEqual(p, eager.params[i], `parameter ${i}`));
    });
  });
}

test("trainEpoch with capture refuses a model that draws random numbers in training, and trains it without", () => {
  const s = setup(true);
  assert.throws(() => cr.train.trainEpoch(s.model, s.loader, lossFn, s.optimizer, undefined, { capture: true }), (e: unknown) => e instanceof cr.CaptureError && /dropout/.test(e.message));
  const m = cr.train.trainEpoch(s.model, s.loader, lossFn, s.optimizer);
  assert.ok(Number.isFinite(m.loss));
});
