// The training loop as a PyTorch user writes it (no scope, no tidy, no dispose) holds flat memory: issue 22.
// Before this, the MLP loop below grew by 32 live tensors a step, filled the 512 MiB wasm heap by step ~8,000
// and its RSS went 202 → 756 MB over 10,000 steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

const MB = 2 ** 20;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function plainMlpStep(seed: number): () => cr.Tensor {
  cr.manualSeed(seed);
  const model = new cr.nn.Sequential(new cr.nn.Linear(20, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 3));
  const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = cr.randn([32, 20]), y = cr.randint(0, 3, [32]);
  return () => {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
}

for (const backend of ["wasm", "cpu"]) {
  const steps = backend === "wasm" ? 10_000 : 4_000;
  test(`${backend}: ${steps} steps of the PyTorch-style loop without scopes keep memory flat`, () => {
    onBackend(backend, () => {
      const step = plainMlpStep(3);
      const first = step().item();
      let rssAt1000 = 0, heapAt1000 = 0, peakTensors = 0, peakBytes = 0;
      let last = first;
      for (let i = 1; i <= steps; i++) {
        const loss = step();
        // RSS after a full collection, both times: what the loop keeps, not when V8 gets round to collecting (on a
        // loaded machine its concurrent marking lags, and RSS at the end read up to 56 MB higher without this).
        if (i === 1000) {
          gc();
          rssAt1000 = process.memoryUsage().rss;
          heapAt1000 = cr.backends.wasm.memoryStats().heapBytes;
        }
        if (i % 100 === 0) {
          const m = cr.memory();
          peakTensors = Math.max(peakTensors, m.numTensors);
          peakBytes = Math.max(peakBytes, m.tensorBytes);
        }
        if (i === steps) last = loss.item();
      }
      gc();
      const rss = process.memoryUsage().rss;
      assert.ok(last < first, `it trained: ${first} → ${last}`);
      assert.ok(rss - rssAt1000 < 50 * MB, `RSS ${(rssAt1000 / MB).toFixed(0)} MB at step 1000, ${(rss / MB).toFixed(0)} MB at step ${steps}`);
      assert.ok(peakTensors < 20_000, `live tensors peaked at ${peakTensors} (${steps * 32} without reclaiming)`);
      assert.ok(peakBytes < 64 * MB, `backend tensor memory peaked at ${(peakBytes / MB).toFixed(1)} MB`);
      if (backend === "wasm") assert.equal(cr.backends.wasm.memoryStats().heapBytes, heapAt1000, "the wasm memory stopped growing by step 1000");
    });
  });
}

test("a sealed model call frees its insides when backward releases them; what the caller holds stays usable", () => {
  onBackend("wasm", () => {
    cr.manualSeed(1);
    const model = new cr.nn.Sequential(new cr.nn.Linear(16, 512), new cr.nn.ReLU(), new cr.nn.Linear(512, 512), new cr.nn.ReLU(), new cr.nn.Linear(512, 4));
    const x = cr.randn([64, 16]);
    // Tensors earlier tests left to the collector are counted until a safe point (a module's call) reclaims them.
    gc();
    cr.noGrad(() => model.forward(x)).dispose();
    const live0 = cr.memory().numTensors;
    const out = model.forward(x);
    const during = cr.memory().numTensors - live0;
    const loss = out.sum();
    loss.backward();
    const after = cr.memory().numTensors - live0;
    // Left: the output, the loss, and the parameters' gradients (5 linear params + … = 6 gradients).
    // The output, and the two relu outputs the next layers saved; the linear layers' outputs went at once.
    assert.equal(during, 3, "the forward keeps only what backward reads");
    assert.equal(after, 2 + 6, "after backward only the output, the loss and the gradients are alive");
    assert.equal(out.shape.join(), "64,4");
    assert.ok(Number.isFinite(out.sum().item()), "the output the caller holds is still readable");
  });
});

test("retainGraph keeps a sealed call's insides for a second backward", () => {
  const model = new cr.nn.Sequential(new cr.nn.Linear(8, 32), new cr.nn.Tanh(), new cr.nn.Linear(32, 1));
  const x = cr.randn([10, 8]);
  const loss = model.forward(x).square().mean();
  loss.backward({ retainGraph: true });
  const g1 = model.parameters()[0]!.grad!.clone();
  loss.backward();
  assert.ok(model.parameters()[0]!.grad!.allclose(g1.mul(2)), "the second pass saw the same saved tensors");
  assert.throws(() => loss.backward(), /second time/);
});

test("user code that may hold a module's insides turns sealing off: hooks on inner modules, modules of the user's", () => {
  onBackend("wasm", () => {
    // A forward hook on an inner layer keeps its output.
    const hooked = new cr.nn.Sequential(new cr.nn.Linear(4, 300), new cr.nn.ReLU(), new cr.nn.Linear(300, 1));
    let seen: cr.Tensor | null = null;
    hooked.children()[1]!.registerForwardHook((_m, _args, out) => void (seen = out as cr.Tensor));
    hooked.forward(cr.randn([3, 4])).sum().backward();
    assert.equal(seen!.isDisposed, false);
    assert.equal(seen!.shape.join(), "3,300");
    assert.ok(seen!.min().item() >= 0, "a relu output, still readable after backward");

    // A module of the user's inside a library container keeps what it stashes.
    class Stash extends cr.nn.Module {
      last: cr.Tensor | null = null;
      forward(x: cr.Tensor): cr.Tensor {
        this.last = x.mul(2);
        return this.last.tanh();
      }
    }
    const stash = new Stash();
    const model = new cr.nn.Sequential(new cr.nn.Linear(4, 300), stash, new cr.nn.Linear(300, 1));
    model.forward(cr.randn([3, 4])).sum().backward();
    assert.equal(stash.last!.isDisposed, false);
    assert.equal(stash.last!.shape.join(), "3,300");
  });
});

test("zeroGrad frees a gradient nobody was handed, and leaves one that was to its holder", () => {
  onBackend("wasm", () => {
    const lin = new cr.nn.Linear(300, 300);
    const opt = new cr.optim.SGD(lin.parameters(), { lr: 0.1 });
    const x = cr.randn([2, 300]);
    lin.forward(x).sum().backward();
    const held = lin.weight.grad!; // handed out
    const values = held.sum().item();
    opt.zeroGrad();
    assert.equal(lin.weight.grad, null);
    assert.equal(held.isDisposed, false, "a .grad read before zeroGrad stays the reader's, as in PyTorch");
    assert.equal(held.sum().item(), values);

    lin.forward(x).sum().backward();
    opt.step(); // reads the gradients without handing them out
    const before = cr.memory().tensorBytes;
    opt.zeroGrad();
    assert.ok(cr.memory().tensorBytes <= before - 300 * 300 * 4, "the weight's gradient (360 kB) was freed at once");
  });
});

test("backward accumulates into an existing .grad in place, as PyTorch's AccumulateGrad", () => {
  const w = cr.randn([400], { requiresGrad: true });
  w.mul(2).sum().backward();
  const g = w.grad!;
  w.mul(3).sum().backward();
  assert.equal(w.grad, g);
  assert.deepEqual([...new Set(g.tolist() as number[])], [5]);
});

test("a small GPT trained without scopes holds a flat number of tensors", () => {
  onBackend("wasm", () => {
    cr.manualSeed(0);
    const model = new cr.models.GPT({ vocabSize: 20, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0, bias: true });
    const opt = new cr.optim.AdamW(model.parameters(), { lr: 1e-3 });
    const idx = cr.randint(0, 20, [4, 16]), targets = cr.randint(0, 20, [4, 16]);
    const step = () => {
      opt.zeroGrad();
      const [, loss] = model.forward(idx, targets);
      loss!.backward();
      cr.nn.utils.clipGradNorm_(model.parameters(), 1);
      opt.step();
    };
    // What the steps return (logits, loss, the clipped norm) waits for the collector; the rest the library frees.
    const settled = () => {
      gc();
      opt.zeroGrad(); // a safe point: finalizers run
      return cr.memory().numTensors;
    };
    for (let i = 0; i < 3; i++) step();
    const before = settled();
    for (let i = 0; i < 20; i++) step();
    const after = settled();
    assert.ok(after <= before, `live tensors ${before} → ${after}`);
  });
});

test("cpu: a step whose working set is larger than the pool's floor reuses its arrays, with or without scopes", () => {
  onBackend("cpu", () => {
    cr.manualSeed(4);
    // ~110 MB of float32 intermediates a step (the pool's floor is 64 MB): before, each step's excess was left
    // to a collector that does not count memory outside its heap, and a GPT's RSS passed 2 GB on this backend.
    const w = cr.randn([4, 1 << 20], { requiresGrad: true });
    const x = cr.randn([4, 1 << 20]);
    const step = () => {
      const h = x.mul(w).relu().mul(2).add(1).tanh().mul(w).sigmoid();
      const loss = h.mean();
      loss.backward();
      w.grad = null;
      return loss;
    };
    for (let i = 0; i < 3; i++) cr.tidy(step);
    const fresh = cr.backends.cpu.memoryStats().freshArrays;
    for (let i = 0; i < 5; i++) cr.tidy(step);
    assert.equal(cr.backends.cpu.memoryStats().freshArrays, fresh, "scoped steps after warm-up allocate nothing new");
    const rss = process.memoryUsage().rss;
    for (let i = 0; i < 12; i++) step().item();
    assert.ok(process.memoryUsage().rss - rss < 300 * MB, `plain steps: RSS ${(rss / MB).toFixed(0)} → ${(process.memoryUsage().rss / MB).toFixed(0)} MB`);
    const before = cr.backends.cpu.memoryStats();
    assert.ok(before.pooledBytes > 64 * MB, `the pool holds a step's working set (${(before.pooledBytes / MB).toFixed(0)} MB)`);
    cr.backends.cpu.emptyCache();
    assert.equal(cr.backends.cpu.memoryStats().pooledBytes, 0, "emptyCache drops what the pool kept");
  });
});

test("wasm: fused elementwise chains in a loop without scopes leave nothing behind on the JavaScript heap", () => {
  onBackend("wasm", () => {
    cr.manualSeed(5);
    // Large enough to fuse (65,536 elements): each step builds pending expressions, as a GPT's layers do.
    const w = cr.randn([2, 65536], { requiresGrad: true });
    const x = cr.randn([2, 65536]);
    const step = () => {
      const loss = x.mul(w).add(1).tanh().mul(w).sigmoid().mul(x).sum();
      loss.backward();
      w.grad = null;
      return loss;
    };
    const heapAfter = (steps: number) => {
      for (let i = 0; i < steps; i++) step();
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const warm = heapAfter(200);
    const later = heapAfter(1000);
    // Before, V8 kept every WeakRef's target (the pending expressions) until the loop's task ended: ~6 MB here.
    assert.ok(later - warm < 2 * MB, `the JavaScript heap grew ${((later - warm) / MB).toFixed(2)} MB over 1,000 steps`);
  });
});
