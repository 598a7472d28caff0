// captureGraph: a replay does what running the function again would (to the bit, optimizer state and
// schedulers included), refuses functions it could not replay, and holds memory only while the graph lives.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";
import { deferredReleases, heldBuffers } from "../src/backend/graph-memory.js";
import { getRuntime } from "../src/backend/wasm/runtime.js";

type Model = { forward(x: cr.Tensor): cr.Tensor; parameters(): cr.Tensor[] };

/** A model and its optimizer, the same for every call with the same seed. */
function mlp(seed: number, optimizer: "adam" | "sgd" = "adam") {
  cr.manualSeed(seed);
  const model: Model = new cr.nn.Sequential(new cr.nn.Linear(64, 96), new cr.nn.ReLU(), new cr.nn.Linear(96, 10));
  const opt = optimizer === "adam" ? new cr.optim.Adam(model.parameters(), { lr: 1e-2 }) : new cr.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  return { model, opt };
}

/** Batches of [x, y] (y: class indices), made outside any capture. */
function batches(count: number, rows: number, features: number, seed: number): [cr.Tensor, cr.Tensor][] {
  cr.manualSeed(seed);
  return Array.from({ length: count }, () => [cr.keep(cr.randn([rows, features])), cr.keep(cr.randint(0, 10, [rows]))]);
}

function trainStep(m: { model: Model; opt: cr.optim.Optimizer }, x: cr.Tensor, y: cr.Tensor): cr.Tensor {
  m.opt.zeroGrad();
  const loss = cr.nn.functional.crossEntropy(m.model.forward(x), y);
  loss.backward();
  m.opt.step();
  return loss;
}

function assertSameParameters(a: Model, b: Model): void {
  a.parameters().forEach((p, i) => assert.deepEqual(b.parameters()[i]!.toTypedArray(), p.toTypedArray(), `parameter ${i}`));
}

/** Static inputs of a batch's shapes, refilled with copy_ before each replay. */
function staticInputs(like: [cr.Tensor, cr.Tensor]): [cr.Tensor, cr.Tensor] {
  return [cr.keep(cr.zerosLike(like[0])), cr.keep(cr.zerosLike(like[1]))];
}

/**
 * `steps` training steps of `eager` (run each time) and of `captured` (captured at the first, replayed after), on
 * `data` in turn; asserts both give the same losses and parameters, to the bit. Returns the losses and the graph.
 */
function trainBoth(eager: ReturnType<typeof mlp>, captured: ReturnType<typeof mlp>, data: [cr.Tensor, cr.Tensor][], steps: number) {
  const [x, y] = staticInputs(data[0]!);
  const eagerLosses: number[] = [], replayLosses: number[] = [];
  let graph: cr.CapturedGraph<cr.Tensor> | undefined;
  for (let i = 0; i < steps; i++) {
    const [bx, by] = data[i % data.length]!;
    eagerLosses.push(cr.tidy(() => trainStep(eager, bx, by).item()));
    x.copy_(bx);
    y.copy_(by);
    if (graph === undefined) graph = cr.captureGraph(() => trainStep(captured, x, y)); // the capture is step 1
    else graph.replay();
    replayLosses.push(graph.output.item());
  }
  assert.deepEqual(replayLosses, eagerLosses, "losses");
  assertSameParameters(eager.model, captured.model);
  return { eagerLosses, graph: graph! };
}

for (const backend of ["cpu", "wasm"]) {
  test(`${backend}: replaying a captured training step gives the bits of running it (Adam, SGD with momentum)`, () => {
    onBackend(backend, () => {
      for (const optimizer of ["adam", "sgd"] as const) {
        const eager = mlp(1, optimizer), captured = mlp(1, optimizer);
        const { eagerLosses, graph } = trainBoth(eager, captured, batches(4, 48, 64, 5), 12);
        // wasm replays the products (four a step here) and the large elementwise ops as their kernels alone.
        if (backend === "wasm") assert.ok(graph.planned >= 4, `${graph.planned} of ${graph.steps} steps planned`);
        else assert.equal(graph.planned, 0);
        assert.ok(eagerLosses[11]! < eagerLosses[0]!, "it trained");
        graph.dispose();
      }
    });
  });

  test(`${backend}: a step with ten classes replays every call as a plan, small operands copied in and out`, () => {
    onBackend(backend, () => {
      // Batch 128: the [128, 10] logits are on the wasm heap, their bias [10], the labels [128] and the bias's
      // gradient in JavaScript memory; the optimizer changes the bias between replays, which the plans must read.
      const eager = mlp(4), captured = mlp(4);
      const { graph } = trainBoth(eager, captured, batches(3, 128, 64, 8), 8);
      const hostSteps = captured.model.parameters().length; // one Adam update each
      assert.equal(graph.planned, backend === "wasm" ? graph.steps - hostSteps : 0, `${graph.planned} of ${graph.steps} steps planned`);
      // profile() times every step of a replay, and each plan alone; a profiled replay is a replay.
      const weights = captured.model.parameters().map((p) => p.toTypedArray());
      const profile = graph.profile(2, 3);
      assert.equal(profile.length, graph.steps);
      assert.equal(profile.filter((s) => s.kind === "host").length, hostSteps);
      assert.equal(profile.filter((s) => s.kind === "plan").length, graph.planned);
      assert.ok(profile.every((s) => s.ms >= 0 && (s.kind === "plan") === (s.aloneMs !== undefined)), "plans alone, and only plans");
      assert.ok(profile.some((s) => s.kind !== "host" && /matmul|addmm/.test(s.name)), "steps are named by their backend method");
      captured.model.parameters().forEach((p, i) => assert.notDeepEqual(p.toTypedArray(), weights[i], "two more steps trained it"));
      graph.dispose();
      assert.throws(() => graph.profile(), { name: "CaptureError", message: /profile: this graph was disposed/ });
    });
  });

  test(`${backend}: a replay checks the indices it gathers with, planned or not`, () => {
    onBackend(backend, () => {
      const x = cr.keep(cr.randn([64, 8, 16]));
      const index = cr.keep(cr.randint(0, 8, [64, 4, 16])); // large enough for wasm's gather kernel
      const graph = cr.captureGraph(() => x.gather(1, index));
      graph.replay();
      graph.replay(); // the plan's, on wasm
      assert.deepEqual(graph.output.toTypedArray(), cr.tidy(() => x.gather(1, index).toTypedArray()));
      const bad = cr.tidy(() => index.clone().reshape([-1]).toTypedArray() as Int32Array);
      bad[1000] = 8;
      index.copy_(cr.tensor(bad, { dtype: "int32" }).reshape([64, 4, 16]));
      assert.throws(() => graph.replay(), { name: "IndexError", message: "gather: index 8 is out of bounds for dim 1 of size 8" });
      graph.dispose();
      x.dispose();
      index.dispose();
    });
  });

  test(`${backend}: a scheduler's learning rate and zeroGrad() between replays reach the replays`, () => {
    onBackend(backend, () => {
      const data = batches(3, 32, 64, 6);
      const eager = mlp(2), captured = mlp(2);
      const schedulers = [eager, captured].map((m) => new cr.optim.StepLR(m.opt, 2, { gamma: 0.5 }));
      const [x, y] = staticInputs(data[0]!);
      x.copy_(data[0]![0]);
      y.copy_(data[0]![1]);
      cr.tidy(() => trainStep(eager, ...data[0]!));
      const graph = cr.captureGraph(() => trainStep(captured, x, y));
      for (let i = 1; i < 7; i++) {
        schedulers.forEach((s) => s.step());
        const [bx, by] = data[i % data.length]!;
        cr.tidy(() => trainStep(eager, bx, by));
        x.copy_(bx);
        y.copy_(by);
        captured.opt.zeroGrad(); // drops .grad; the graph keeps writing its gradient buffers
        graph.replay();
      }
      assert.equal(captured.opt.paramGroups[0]!.lr, 1e-2 * 0.125);
      assertSameParameters(eager.model, captured.model);
      graph.dispose();
    });
  });

  test(`${backend}: targets equal to ignoreIndex in a replay (not at capture) are ignored`, () => {
    onBackend(backend, () => {
      const data = batches(1, 32, 64, 7);
      const { model } = mlp(3);
      const [x, y] = staticInputs(data[0]!);
      x.copy_(data[0]![0]);
      y.copy_(data[0]![1]);
      const graph = cr.captureGraph(() => cr.nn.functional.crossEntropy(model.forward(x), y));
      const ignored = cr.keep(cr.tensor(Array.from(data[0]![1].toTypedArray(), (v, i) => (i % 3 === 0 ? -100 : v)), { dtype: "int32" }));
      y.copy_(ignored);
      const expected = cr.tidy(() => cr.nn.functional.crossEntropy(model.forward(x), ignored).item());
      assert.equal(graph.replay().item(), expected);
      graph.dispose();
    });
  });

  test(`${backend}: a label out of range in a replay throws nllLoss's IndexError, planned or not`, () => {
    onBackend(backend, () => {
      const [bx, by] = batches(1, 128, 64, 9)[0]!;
      const { model } = mlp(5);
      const [x, y] = staticInputs([bx, by]);
      x.copy_(bx);
      y.copy_(by);
      const graph = cr.captureGraph(() => cr.nn.functional.crossEntropy(model.forward(x), y));
      graph.replay();
      graph.replay(); // the plans', on wasm
      const bad = cr.tidy(() => by.clone().toTypedArray() as Int32Array);
      bad[7] = 10;
      y.copy_(cr.tensor(bad, { dtype: "int32" }));
      assert.throws(() => graph.replay(), { name: "IndexError", message: "nllLoss: target 10 is out of bounds for 10 classes" });
      graph.dispose();
    });
  });

  test(`${backend}: functions a replay could not redo are refused with a CaptureError, holding nothing`, () => {
    onBackend(backend, () => {
      const data = batches(1, 16, 64, 8);
      const m = mlp(4);
      const [x, y] = data[0]!;
      cr.tidy(() => cr.nn.functional.crossEntropy(m.model.forward(x), y).backward()); // .grad to accumulate into
      const refused: [string, () => unknown, RegExp][] = [
        ["a read", () => m.model.forward(x).sum().item(), /reads a tensor's elements/],
        ["a random draw", () => cr.nn.functional.dropout(m.model.forward(x), 0.5, true), /draws random numbers/],
        ["gradients accumulated across replays", () => cr.nn.functional.crossEntropy(m.model.forward(x), y).backward(), /zeroGrad\(\) inside/],
        ["a capture inside a capture", () => cr.captureGraph(() => m.model.forward(x)), /do not nest/],
      ];
      for (const [what, fn, message] of refused) {
        assert.throws(() => cr.tidy(() => cr.captureGraph(fn)), (e: unknown) => e instanceof cr.CaptureError && message.test(e.message), what);
        assert.equal(heldBuffers(), 0, `${what}: nothing held`);
        assert.equal(deferredReleases(), 0, `${what}: no release left waiting`);
      }
      // Outside a capture the same calls work.
      assert.equal(typeof cr.tidy(() => m.model.forward(x).sum().item()), "number");
      const graph = cr.captureGraph(() => m.model.forward(x));
      graph.dispose();
      assert.throws(() => graph.replay(), (e: unknown) => e instanceof cr.CaptureError && /replay: this graph was disposed/.test(e.message));
      assert.throws(() => cr.captureGraph(42 as unknown as () => void), (e: unknown) => e instanceof cr.ArgumentError && /captureGraph: expected a function/.test(e.message));
    });
  });

  test(`${backend}: graphs for two batch sizes share a model, one dropping the other's gradients`, () => {
    onBackend(backend, () => {
      const data = [...batches(1, 32, 64, 10), ...batches(1, 12, 64, 11)];
      const { model } = mlp(6);
      // Each returns its loss only: its gradients are the graph's, and .grad's until the other graph's capture
      // drops them (its zeroGrad frees them; they wait for the graph that still writes them).
      const lossOf = (x: cr.Tensor, y: cr.Tensor) => () => {
        (model as cr.nn.Sequential).zeroGrad();
        const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
        loss.backward();
        return loss;
      };
      const inputs = data.map((batch) => staticInputs(batch));
      inputs.forEach(([x, y], i) => {
        x.copy_(data[i]![0]);
        y.copy_(data[i]![1]);
      });
      const graphs = inputs.map(([x, y]) => cr.captureGraph(lossOf(x, y)));
      cr.noGrad(() => model.parameters()[0]!.mul_(0.5)); // new weights, which the replays and the eager runs both see
      for (const i of [1, 0, 1]) {
        graphs[i]!.replay();
        const expected = cr.tidy(() => lossOf(...data[i]!)().item());
        assert.equal(graphs[i]!.output.item(), expected, `batch ${i}`);
      }
      graphs.forEach((g) => g.dispose());
      assert.equal(heldBuffers(), 0);
    });
  });

  test(`${backend}: a graph holds its memory until disposed, and replays keep it flat`, () => {
    onBackend(backend, () => {
      const data = batches(2, 40, 64, 9);
      const m = mlp(5);
      const [x, y] = staticInputs(data[0]!);
      cr.tidy(() => {
        trainStep(m, x, y); // the optimizer's state
        m.opt.zeroGrad(); // the gradients, freed with the scope
      });
      const before = cr.memory();
      const heapBefore = getRuntime()?.heap.stats().blocksInUse;
      const graph = cr.captureGraph(() => trainStep(m, x, y));
      const afterCapture = cr.memory();
      for (let i = 0; i < 50; i++) {
        x.copy_(data[i % 2]![0]);
        graph.replay();
      }
      assert.deepEqual(
        [cr.memory().numTensors, cr.memory().tensorBlocks, cr.memory().tensorBytes],
        [afterCapture.numTensors, afterCapture.tensorBlocks, afterCapture.tensorBytes],
        "50 replays made nothing that stays",
      );
      // The scope's temporaries were released during the capture, but stay the graph's until it goes.
      assert.ok(deferredReleases() > 0, "releases wait for the graph");
      cr.tidy(() => m.opt.zeroGrad());
      assert.equal(cr.tidy(() => graph.output), graph.output, "the output outlives scopes");
      assert.equal(graph.output.isDisposed, false);
      graph.dispose();
      assert.equal(graph.output.isDisposed, true, "the graph's dispose() frees its output");
      assert.equal(deferredReleases(), 0);
      const after = cr.memory();
      assert.deepEqual([after.numTensors, after.tensorBlocks, after.tensorBytes], [before.numTensors, before.tensorBlocks, before.tensorBytes], "dispose() gave everything back");
      // Kernel plans' scratch included (blocks that are not tensors').
      if (backend === "wasm") assert.ok(graph.planned === 0 && getRuntime()!.heap.stats().blocksInUse === heapBefore, "and the plans' scratch");
    });
  });
}

test("wasm: a convolutional step and tensors large enough for fused elementwise ops replay as they run", () => {
  onBackend("wasm", () => {
    cr.manualSeed(11);
    const make = () => {
      cr.manualSeed(12);
      const model = new cr.nn.Sequential(
        new cr.nn.Conv2d(1, 8, 3, { padding: 1 }), new cr.nn.ReLU(), new cr.nn.MaxPool2d(2),
        new cr.nn.Flatten(), new cr.nn.Linear(8 * 14 * 14, 10),
      );
      return { model, opt: new cr.optim.AdamW(model.parameters(), { lr: 1e-3 }) };
    };
    const data = batches(3, 64, 784, 13).map(([x, y]) => [cr.keep(x.reshape([64, 1, 28, 28])), y] as [cr.Tensor, cr.Tensor]);
    const eager = make(), captured = make();
    const [x, y] = staticInputs(data[0]!);
    let graph: cr.CapturedGraph<cr.Tensor> | undefined;
    for (let i = 0; i < 5; i++) {
      const [bx, by] = data[i % 3]!;
      const expected = cr.tidy(() => trainStep(eager, bx, by).item());
      x.copy_(bx);
      y.copy_(by);
      if (graph === undefined) graph = cr.captureGraph(() => trainStep(captured, x, y));
      else graph.replay();
      assert.equal(graph.output.item(), expected, `step ${i}`);
    }
    assertSameParameters(eager.model, captured.model);
    graph!.dispose();

    // 2¹⁸ elements: eager runs relu(x·w + b) fused; the graph runs it op by op, to the same bits.
    const xs = cr.keep(cr.randn([1024, 256]));
    const w = cr.keep(cr.randn([256, 256]).requiresGrad_()), b = cr.keep(cr.randn([256]).requiresGrad_());
    const run = () => {
      w.grad = null;
      b.grad = null;
      const s = cr.nn.functional.relu(xs.matmul(w).add(b)).sum();
      s.backward();
      return [s, w.grad!, b.grad!];
    };
    const eagerOut = cr.tidy(() => run().map((t) => t.toTypedArray()));
    xs.mul_(0.5);
    const eagerHalf = cr.tidy(() => run().map((t) => t.toTypedArray()));
    xs.mul_(2);
    const big = cr.captureGraph(run);
    assert.deepEqual(big.output.map((t) => t.toTypedArray()), eagerOut);
    xs.mul_(0.5);
    big.replay();
    assert.deepEqual(big.output.map((t) => t.toTypedArray()), eagerHalf);
    big.dispose();
  });
});
