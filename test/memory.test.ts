// Tensor lifetimes: scopes free what a step made (on the wasm heap at once), keep what must outlive it,
// refuse use after dispose, and keep a training loop's memory flat; the garbage collector is the safety net.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function tinyTraining(seed: number) {
  cr.manualSeed(seed);
  const model = new cr.nn.Sequential(new cr.nn.Linear(64, 128), new cr.nn.ReLU(), new cr.nn.Linear(128, 10));
  const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = cr.keep(cr.randn([32, 64]));
  const y = cr.keep(cr.randint(0, 10, [32]));
  return () => {
    using _ = cr.scope();
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  };
}

for (const backend of ["cpu", "wasm"]) {
  // 10,000 where the heap is at stake; the cpu backend only has the bookkeeping to show, and is slower.
  const steps = backend === "wasm" ? 10_000 : 1_000;
  test(`${backend}: ${steps} training steps in scopes keep memory flat`, () => {
    onBackend(backend, () => {
      const step = tinyTraining(1);
      const first = step();
      for (let i = 0; i < 10; i++) step(); // the first steps make the optimizer's state
      const before = { ...cr.memory(), heap: cr.backends.wasm.memoryStats().heapBytes };
      let last = first;
      for (let i = 0; i < steps; i++) last = step();
      const after = { ...cr.memory(), heap: cr.backends.wasm.memoryStats().heapBytes };
      assert.ok(last < first, `it trained: loss ${first} → ${last}`);
      // At most as many: the garbage of the first steps (made outside the scopes) may be reclaimed meanwhile.
      assert.ok(after.numTensors <= before.numTensors, `live tensors: ${before.numTensors} → ${after.numTensors}`);
      assert.ok(after.tensorBlocks <= before.tensorBlocks, `tensor blocks on the wasm heap: ${before.tensorBlocks} → ${after.tensorBlocks}`);
      assert.ok(after.tensorBytes <= before.tensorBytes, `tensor bytes on the wasm heap: ${before.tensorBytes} → ${after.tensorBytes}`);
      assert.equal(after.heap, before.heap, "the wasm memory did not grow");
      assert.equal(cr.backends.wasm.memoryStats().bytesInUse, 0, "no scratch reserved between kernels");
      if (backend === "wasm") {
        assert.ok(before.tensorBlocks > 0, "tensors live on the wasm heap");
        // Each step's loss and output at least: the backward pass, the optimizer and sealed module calls free the rest themselves.
        assert.ok(after.disposedByScopes >= before.disposedByScopes + steps * 2, `scopes disposed every step's temporaries: ${after.disposedByScopes - before.disposedByScopes} in ${steps} steps`);
      }
    });
  });

  test(`${backend}: tidy keeps what it returns and what its graph saved; the rest is disposed`, () => {
    onBackend(backend, () => {
      const w = cr.randn([300], { requiresGrad: true });
      let inner!: cr.Tensor;
      const y = cr.tidy(() => {
        inner = w.mul(2).add(1);
        return inner.mul(inner).sum();
      });
      assert.ok(inner.isDisposed === false, "saved for mul's backward: kept");
      y.backward(); // runs through the graph the scope made
      assert.ok(w.grad !== null && !w.grad.isDisposed);
      let temp!: cr.Tensor;
      const out = cr.tidy(() => {
        temp = cr.ones([400]).mul(3);
        return { result: [temp.sum()], note: "plain values pass through" };
      });
      assert.equal(out.result[0]!.item(), 1200);
      assert.ok(temp.isDisposed);
      assert.throws(() => temp.toTypedArray(), (e: Error) => e instanceof cr.DisposedError && /shape \[400\], float32.*was disposed/.test(e.message));
      assert.throws(() => temp.add(1), cr.DisposedError);
    });
  });

  test(`${backend}: nested scopes hand survivors outward, keep() outlives them all, views keep shared memory`, () => {
    onBackend(backend, () => {
      let fromInner!: cr.Tensor, kept!: cr.Tensor, view!: cr.Tensor;
      {
        using outer = cr.scope();
        fromInner = cr.tidy(() => cr.arange(0, 500).mul(2));
        assert.ok(!fromInner.isDisposed, "returned from the inner scope");
        kept = cr.keep(cr.full([300], 7));
        const base = cr.arange(0, 600).float();
        view = outer.keep(base.reshape([20, 30]));
        base.dispose();
        assert.ok(base.isDisposed);
        assert.equal(view.sum().item(), (599 * 600) / 2, "the view still reads the shared memory");
      }
      assert.ok(fromInner.isDisposed, "the outer scope disposed what the inner handed it");
      assert.equal(kept.sum().item(), 2100);
      assert.equal(view.shape[0], 20);
      assert.equal(view.sum().item(), (599 * 600) / 2, "kept by the outer scope: it lives on");
      kept.dispose();
      kept.dispose(); // idempotent
      assert.ok(kept.isDisposed);
    });
  });

  test(`${backend}: parameters, optimizer state and .grad outlive scopes; dropped gradients go with the scope`, () => {
    onBackend(backend, () => {
      let model!: cr.nn.Linear;
      let opt!: cr.optim.Adam;
      {
        using _ = cr.scope();
        model = new cr.nn.Linear(30, 20); // made inside a scope: parameters are kept all the same
        opt = new cr.optim.Adam(model.parameters());
        model.forward(cr.randn([4, 30])).sum().backward();
        opt.step();
      }
      const grad = model.weight.grad!;
      assert.ok(!model.weight.isDisposed && !grad.isDisposed);
      const state = opt.state.get(model.weight)!;
      assert.ok(!state.expAvg.isDisposed && !state.expAvgSq.isDisposed);
      {
        using _ = cr.scope();
        opt.zeroGrad(); // the dropped gradient now belongs to this scope
        assert.equal(model.weight.grad, null);
        assert.ok(!grad.isDisposed);
      }
      assert.ok(grad.isDisposed, "freed with the scope that dropped it");
      const mine = cr.keep(cr.zeros([20, 30]));
      model.weight.grad = mine;
      {
        using _ = cr.scope();
        opt.zeroGrad();
      }
      assert.ok(!mine.isDisposed, "a gradient the user assigned is the user's");
    });
  });
}

test("wasm: without scopes the garbage collector frees heap blocks once the event loop turns", async () => {
  cr.setBackend("wasm");
  try {
    const before = cr.memory();
    let made = 0;
    for (let i = 0; i < 200; i++) {
      cr.randn([1000]).mul(2).relu();
      made += 3;
    }
    assert.ok(cr.memory().tensorBlocks >= before.tensorBlocks + made, "blocks stay until collected");
    for (let i = 0; i < 5 && cr.memory().tensorBlocks > before.tensorBlocks + 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = cr.memory();
    assert.ok(after.collectedTensors >= before.collectedTensors + made, "the safety net took the tensors");
    assert.ok(after.tensorBlocks <= before.tensorBlocks + 10, `blocks back to about where they were: ${before.tensorBlocks} → ${after.tensorBlocks}`);
  } finally {
    cr.setBackend("cpu");
  }
});

test("a scope ends even when its function throws, and refuses an async function", async () => {
  let made!: cr.Tensor;
  assert.throws(() => cr.tidy(() => {
    made = cr.ones([300]);
    throw new Error("boom");
  }), /boom/);
  assert.ok(made.isDisposed, "disposed on the way out");
  assert.equal(cr.memory().scopes, 0, "no scope left open");
  assert.throws(() => cr.tidy(async () => cr.ones([2])), /Promise.*cannot span an await/);
  assert.throws(() => cr.keep(3 as unknown as cr.Tensor), /keep: expected Tensors/);
  assert.throws(() => cr.tidy(5 as unknown as () => void), /tidy: expected a function/);
  assert.equal(cr.memory().scopes, 0);
  await Promise.resolve();
});

test("cpu: a disposed tensor's memory serves the next kernel output of its size, zeroed; a caller's array is never reused", () => {
  onBackend("cpu", () => {
    const a = cr.ones([5000]).mul(7);
    const memory = a.dataView();
    a.dispose();
    // slice's gradient writes 10 of its 5000 elements and relies on zeros elsewhere.
    const y = cr.ones([5000], { requiresGrad: true });
    y.narrow(0, 0, 10).sum().backward();
    assert.equal(y.grad!.dataView(), memory, "the released array came back");
    assert.equal(y.grad!.sum().item(), 10, "zeroed before reuse");
    const mine = new Float32Array(5000).fill(3);
    const t = cr.tensor(mine);
    t.dispose();
    const c = cr.ones([5000]).mul(2);
    assert.notEqual(c.dataView(), mine);
    assert.equal(mine[0], 3, "the caller's array is untouched");
  });
});

test("an optimizer or a module converted inside a scope keeps its state after it", () => {
  let model!: cr.nn.Sequential;
  let opt!: cr.optim.Adagrad;
  cr.tidy(() => {
    model = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.BatchNorm1d(4)).to("float64");
    opt = new cr.optim.Adagrad(model.parameters(), { lr: 0.1 }); // Adagrad makes its state at construction
  });
  model.forward(cr.randn([5, 3], { dtype: "float64" })).sum().backward();
  opt.step();
  const bn = model.children()[1] as cr.nn.BatchNorm1d;
  assert.ok(bn.runningMean !== null && !bn.runningMean.isDisposed);
  assert.ok([...opt.state.values()].every((s) => !s.sum.isDisposed));
});

test("setNumThreads takes a positive integer", () => {
  assert.throws(() => cr.setNumThreads(0), /setNumThreads: expected a positive integer, got 0/);
  assert.throws(() => cr.setNumThreads(1.5), /setNumThreads/);
});
