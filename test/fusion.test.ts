// The wasm backend's fusion of large elementwise chains: same results as computing op by op, and eager
// semantics kept (in-place writes, freed inputs, views, optimizer steps) while work is pending.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { compiledExpressions } from "../src/backend/wasm/jit.js";
import { fusedPasses, isFused } from "../src/backend/wasm/fusion.js";
import { workerChunks } from "../src/backend/wasm/workers.js";

const N = 100_003; // above the fusion threshold, with a partial last vector and a partial last sum chunk
const { setFusionMinElements } = cr.backends.wasm;
cr.backends.wasm.setThreads(2); // exercise the worker path even on one core
cr.backends.wasm.warmUp();

function seeded(seed: number, n = N): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = (s / 2 ** 31) * 4 - 2;
  }
  return out;
}

function onBackend<T>(backend: "cpu" | "wasm", fn: () => T, fuseFrom?: number): T {
  const before = cr.getBackend();
  using _fusion = fuseFrom === undefined ? undefined : setFusionMinElements(fuseFrom);
  cr.setBackend(backend);
  try {
    return fn();
  } finally {
    cr.setBackend(before);
  }
}

// sum(relu(x·w + b)) and its three gradients.
function w4(xs: Float32Array, ws: Float32Array): { loss: number; gx: Float32Array; gw: Float32Array; gb: number } {
  const x = cr.tensor(xs, { requiresGrad: true }), w = cr.tensor(ws, { requiresGrad: true }), b = cr.tensor(0.1, { requiresGrad: true });
  const loss = cr.relu(x.mul(w).add(b)).sum();
  loss.backward();
  return { loss: loss.item(), gx: x.grad!.toTypedArray() as Float32Array, gw: w.grad!.toTypedArray() as Float32Array, gb: b.grad!.item() };
}

test("a fused forward and backward gives the bits of op-by-op wasm, and cpu's gradients", () => {
  const xs = seeded(1), ws = seeded(2);
  const fused = onBackend("wasm", () => w4(xs, ws));
  const eager = onBackend("wasm", () => w4(xs, ws), Infinity);
  const cpu = onBackend("cpu", () => w4(xs, ws));
  assert.equal(fused.loss, eager.loss);
  assert.equal(fused.gb, eager.gb);
  assert.deepEqual(fused.gx, eager.gx);
  assert.deepEqual(fused.gw, eager.gw);
  assert.deepEqual(fused.gx, cpu.gx);
  assert.deepEqual(fused.gw, cpu.gw);
  assert.equal(fused.gb, cpu.gb);
  assert.ok(Math.abs(fused.loss - cpu.loss) <= 1e-5 * Math.abs(cpu.loss));
});

test("large fused loops are shared with the worker threads, with the bits of one thread", async () => {
  for (let i = 0; i < 200 && cr.backends.wasm.memoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(cr.backends.wasm.memoryStats().workers, 1, "a worker is ready");
  const xs = seeded(13, 700_005), ws = seeded(14, 700_005);
  const before = workerChunks();
  const fused = onBackend("wasm", () => w4(xs, ws));
  assert.ok(workerChunks() > before, "the worker computed chunks");
  const eager = onBackend("wasm", () => w4(xs, ws), Infinity);
  assert.equal(fused.loss, eager.loss);
  assert.equal(fused.gb, eager.gb);
  assert.deepEqual(fused.gx, eager.gx);
  assert.deepEqual(fused.gw, eager.gw);
});

test("elementwise results are pending until read, and realize() computes them", () => {
  onBackend("wasm", () => {
    const x = cr.tensor(seeded(3));
    const y = cr.relu(x.mul(x).sub(1)).sqrt().neg().abs().square().maximum(x).minimum(cr.tensor(1.5));
    assert.ok(isFused(y._buf), "pending");
    const want = onBackend("cpu", () => cr.relu(cr.tensor(seeded(3)).mul(cr.tensor(seeded(3))).sub(1)).sqrt().neg().abs().square().maximum(cr.tensor(seeded(3))).minimum(cr.tensor(1.5)).toTypedArray());
    assert.equal(y.realize(), y);
    assert.deepEqual(y.toTypedArray(), want);
    const z = x.div(cr.tensor(seeded(4)).abs().add(0.5));
    assert.deepEqual(z.toTypedArray(), onBackend("cpu", () => cr.tensor(seeded(3)).div(cr.tensor(seeded(4)).abs().add(0.5)).toTypedArray()));
  });
});

test("scalars that compare equal but differ (−0 and +0) stay apart in one expression", () => {
  const f = (t: cr.Tensor) => t.abs().add(1).div(cr.tensor(-0)).maximum(t.abs().add(1).div(cr.tensor(0))).toTypedArray();
  const got = onBackend("wasm", () => f(cr.tensor(seeded(12))));
  assert.deepEqual(got, onBackend("cpu", () => f(cr.tensor(seeded(12)))));
  assert.equal(got[0], Infinity);
});

test("cr.realize computes pending tensors together: one loop for a product's two gradients, same bits", () => {
  onBackend("wasm", () => {
    const xs = seeded(15), ws = seeded(16);
    const x = cr.tensor(xs, { requiresGrad: true }), w = cr.tensor(ws, { requiresGrad: true });
    cr.relu(x.mul(w).add(0.1)).sum().backward();
    assert.ok(isFused(x.grad!._buf) && isFused(w.grad!._buf), "both pending");
    const compiled = compiledExpressions();
    cr.realize(x.grad!, w.grad!, x); // x is computed already: left as it is
    assert.equal(compiledExpressions() - compiled <= 1, true, "at most one new function, for both");
    assert.ok(!isFused(x.grad!._buf) || x.grad!._buf.realized !== undefined);
    const want = onBackend("wasm", () => w4(xs, ws), Infinity);
    assert.deepEqual(x.grad!.toTypedArray(), want.gx);
    assert.deepEqual(w.grad!.toTypedArray(), want.gw);
    // Pending tensors of different lengths are computed too, each in its own loop.
    const a = x.detach().mul(2), b = cr.tensor(seeded(17, 70_001)).neg();
    cr.realize(a, b);
    assert.ok((a._buf as { realized?: unknown }).realized !== undefined && (b._buf as { realized?: unknown }).realized !== undefined);
    assert.deepEqual(b.toTypedArray(), seeded(17, 70_001).map((v) => -v));
  });
});

test("a sum of a pending expression is pending: the three gradients of W4 take one pass, and an unread loss none", () => {
  const xs = seeded(18), ws = seeded(19);
  const eager = onBackend("wasm", () => w4(xs, ws), Infinity);
  onBackend("wasm", () => {
    const x = cr.tensor(xs, { requiresGrad: true }), w = cr.tensor(ws, { requiresGrad: true }), b = cr.tensor(0.1, { requiresGrad: true });
    const passes = fusedPasses();
    const loss = cr.relu(x.mul(w).add(b)).sum();
    loss.backward();
    assert.ok(isFused(loss._buf) && isFused(b.grad!._buf), "the loss and the bias's gradient are pending sums");
    assert.equal(fusedPasses(), passes, "nothing computed yet");
    cr.realize(x.grad!, w.grad!, b.grad!);
    assert.equal(fusedPasses(), passes + 1, "x.grad, w.grad and b.grad in one pass");
    assert.deepEqual(x.grad!.toTypedArray(), eager.gx);
    assert.deepEqual(w.grad!.toTypedArray(), eager.gw);
    assert.equal(b.grad!.item(), eager.gb);
    assert.equal(fusedPasses(), passes + 1, "the loss is still pending");
    assert.equal(loss.item(), eager.loss, "and has the eager bits once read");
    assert.equal(fusedPasses(), passes + 2);
    // A pending sum feeds later ops as a value; a sum of a sum is the value itself.
    const y = cr.tensor(xs).add(1);
    const s = y.sum();
    assert.equal(s.sum().item(), s.item());
    assert.equal(y.sub(s.div(N)).mean().item(), onBackend("wasm", () => { const t = cr.tensor(xs).add(1); return t.sub(t.sum().div(N)).mean().item(); }, Infinity));
    const centered = y.sub(y.sum()); // a pending sum as an operand: computed, then fused as a scalar
    assert.ok(isFused(centered._buf) && centered._buf.realized === undefined, "still fused");
    assert.deepEqual(centered.toTypedArray(), onBackend("wasm", () => { const t = cr.tensor(xs).add(1); return t.sub(t.sum()).toTypedArray(); }, Infinity));
  });
});

test("a chain longer than one program is split, and its value is unchanged", () => {
  const chain = (t: cr.Tensor) => {
    let y = t;
    for (let i = 0; i < 40; i++) y = y.mul(1.001).add(i % 2 === 0 ? 0.01 : -0.02).maximum(t);
    return y.toTypedArray();
  };
  const got = onBackend("wasm", () => chain(cr.tensor(seeded(5))));
  const want = onBackend("cpu", () => chain(cr.tensor(seeded(5))));
  assert.deepEqual(got, want);
});

test("an in-place write (add_, copy_, dataView) waits for pending work that reads the old values", () => {
  onBackend("wasm", () => {
    const x = cr.tensor(seeded(6));
    const before = x.toTypedArray();
    const doubled = x.mul(2);
    const tripled = x.mul(3);
    cr.noGrad(() => x.add_(1));
    assert.deepEqual(doubled.toTypedArray(), before.map((v) => Math.fround(v * 2)));
    cr.noGrad(() => x.copy_(cr.zeros([N])));
    assert.deepEqual(tripled.toTypedArray(), before.map((v) => Math.fround(v * 3)));
    const viewed = x.add(4).sub(4); // x is all zeros now
    x.dataView().fill(7);
    assert.deepEqual(viewed.toTypedArray(), new Float32Array(N));
  });
});

test("an input freed while work that reads it is pending stays intact until that work is done", () => {
  onBackend("wasm", () => {
    const data = seeded(7);
    let pending: cr.Tensor | undefined;
    cr.tidy(() => {
      const x = cr.tensor(data);
      pending = cr.keep(x.mul(x));
    });
    // Fresh tensors of the same size would take the freed block and overwrite it.
    cr.tidy(() => {
      for (let i = 0; i < 3; i++) cr.full([N], 9).realize();
    });
    assert.deepEqual(pending!.toTypedArray(), data.map((v) => Math.fround(v * v)));
    pending!.dispose();
  });
});

test("a pending sum kept past its scope is computed when its input is freed, so the input's memory goes at once", () => {
  onBackend("wasm", () => {
    const data = seeded(20);
    const want = onBackend("wasm", () => cr.tensor(data).mul(2).sum().item(), Infinity);
    const losses: cr.Tensor[] = [];
    const heapBefore = cr.memory().tensorBytes;
    for (let i = 0; i < 5; i++) {
      cr.tidy(() => {
        const x = cr.tensor(data); // an array on the heap, freed when the scope ends
        losses.push(cr.keep(x.mul(2).sum()));
      });
    }
    assert.ok(losses.every((l) => isFused(l._buf) && l._buf.realized !== undefined), "computed when x was freed");
    assert.ok(cr.memory().tensorBytes - heapBefore < N * 4, "the five inputs were freed, not held for five numbers");
    for (const l of losses) assert.equal(l.item(), want);
    for (const l of losses) l.dispose();
  });
});

test("Adam on large parameters trains the same with fusion as on cpu, and a loop compiles its chains once", () => {
  const train = (steps: number) => {
    cr.manualSeed(3);
    const p = cr.tensor(seeded(8), { requiresGrad: true });
    const target = cr.tensor(seeded(9));
    const opt = new cr.optim.Adam([p], { lr: 0.05 });
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      cr.tidy(() => {
        opt.zeroGrad();
        const loss = cr.relu(p.sub(target)).square().sum();
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    return { losses, p: p.toTypedArray() };
  };
  const cpu = onBackend("cpu", () => train(4));
  const wasm = onBackend("wasm", () => train(4));
  wasm.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]!) <= 1e-5 * Math.abs(cpu.losses[i]!), `loss ${i}: ${l} vs ${cpu.losses[i]}`));
  for (let i = 0; i < N; i++) assert.ok(Math.abs(wasm.p[i]! - cpu.p[i]!) <= 1e-5, `p[${i}]`);
  const compiled = compiledExpressions();
  onBackend("wasm", () => train(3));
  assert.equal(compiledExpressions(), compiled, "the same chains reuse their compiled functions");
});

test("10,000 fused steps keep the wasm heap and the live tensors flat", () => {
  onBackend("wasm", () => {
    const x = cr.tensor(seeded(10), { requiresGrad: true }), w = cr.tensor(seeded(11), { requiresGrad: true });
    const step = () => cr.tidy(() => {
      x.grad = null;
      w.grad = null;
      cr.relu(x.mul(w).add(0.1)).sum().backward();
      x.grad!.realize();
    });
    for (let i = 0; i < 100; i++) step();
    const before = cr.memory();
    for (let i = 0; i < 10_000; i++) step();
    const after = cr.memory();
    // At most as many: garbage made before may be reclaimed meanwhile.
    assert.ok(after.numTensors <= before.numTensors, `live tensors: ${before.numTensors} → ${after.numTensors}`);
    assert.ok(after.tensorBlocks <= before.tensorBlocks, `tensor blocks: ${before.tensorBlocks} → ${after.tensorBlocks}`);
    assert.ok(after.tensorBytes <= before.tensorBytes, `tensor bytes: ${before.tensorBytes} → ${after.tensorBytes}`);
  });
});
