// cr.nn's module API: parameter discovery and PyTorch's dotted names, children, train/eval, zeroGrad,
// state dicts (round trip, strict errors, all-or-nothing loads), forward hooks, init, dropout, error
// messages, and a 2-4-1 network learning XOR with plain gradient descent.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

const { nn } = cr;

type Tensor = cr.Tensor;
const F = nn.functional;

class Net extends cr.nn.Module {
  layers = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.ReLU(), new cr.nn.Linear(4, 2));
  bn = new cr.nn.BatchNorm1d(2);
  head = new cr.nn.Linear(2, 1, { bias: false });
  forward(x: Tensor): Tensor {
    return this.head.forward(this.bn.forward(this.layers.forward(x)));
  }
}

const values = (t: Tensor): number[] => [...t.toTypedArray()];

// ---- names and traversal ----

test("namedParameters gives PyTorch's dotted names, in assignment order", () => {
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "bn.weight", "bn.bias", "head.weight"],
  );
  assert.equal(net.parameters().length, 7);
  assert.ok(net.parameters().every((p) => p instanceof cr.nn.Parameter && p.requiresGrad && p.isLeaf));
  assert.deepEqual(net.namedParameters({ recurse: false }), []);
  assert.equal(net.getParameter("layers.2.bias"), (net.layers[2] as cr.nn.Linear).bias);
});

test("children, namedChildren, modules and namedModules walk the tree in order", () => {
  const net = new Net();
  assert.deepEqual(net.namedChildren().map(([n]) => n), ["layers", "bn", "head"]);
  assert.deepEqual(net.children(), [net.layers, net.bn, net.head]);
  assert.deepEqual(
    net.namedModules().map(([n, m]) => `${n}:${m.constructor.name}`),
    [":Net", "layers:Sequential", "layers.0:Linear", "layers.1:ReLU", "layers.2:Linear", "bn:BatchNorm1d", "head:Linear"],
  );
  assert.equal(net.modules().length, 7);
  assert.equal(net.getSubmodule("layers.1"), net.layers[1]);
  assert.throws(() => net.getSubmodule("layers.7"), /no sub-module "7"/);
});

test("stateDict holds parameters and buffers under PyTorch's names, detached but sharing memory", () => {
  const net = new Net();
  const sd = net.stateDict();
  assert.deepEqual(Object.keys(sd), [
    "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
    "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "head.weight",
  ]);
  assert.ok(Object.values(sd).every((t) => !t.requiresGrad && t.isLeaf));
  assert.equal(sd["bn.num_batches_tracked"]!.dtype, "int32");
  assert.deepEqual(sd["bn.num_batches_tracked"]!.shape, []);
  cr.noGrad(() => net.head.weight.fill_(3));
  assert.deepEqual(values(sd["head.weight"]!), [3, 3]);
  assert.deepEqual(net.namedBuffers().map(([n]) => n), ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]);
});

test("registerParameter, registerModule and registerBuffer (persistent or not)", () => {
  class Custom extends cr.nn.Module {
    constructor() {
      super();
      this.registerParameter("scale", new cr.nn.Parameter(cr.ones([2])));
      this.registerModule("proj", new cr.nn.Linear(2, 2));
      this.registerBuffer("steps", cr.zeros([1]));
      this.registerBuffer("cache", cr.zeros([2]), { persistent: false });
      this.registerBuffer("unused", null);
    }
    forward(x: Tensor): Tensor {
      return (this as unknown as { proj: cr.nn.Linear }).proj.forward(x);
    }
  }
  const m = new Custom();
  assert.deepEqual(m.namedParameters().map(([n]) => n), ["scale", "proj.weight", "proj.bias"]);
  assert.deepEqual(Object.keys(m.stateDict()), ["scale", "steps", "proj.weight", "proj.bias"]);
  assert.deepEqual(m.namedBuffers().map(([n]) => n), ["steps", "cache"]);
  assert.equal(m.getBuffer("unused"), null);
  assert.throws(() => m.registerParameter("a.b", null), /without "\."/);
  assert.throws(() => m.registerParameter("w", cr.ones([2]) as cr.nn.Parameter), /not a Parameter/);
  assert.throws(() => m.registerBuffer("scale", cr.ones([2])), /already a parameter/);
});

test("a shared parameter is listed once by parameters() and under both names in stateDict", () => {
  class Tied extends cr.nn.Module {
    enc = new cr.nn.Linear(3, 3, { bias: false });
    dec = new cr.nn.Linear(3, 3, { bias: false });
    constructor() {
      super();
      this.dec.weight = this.enc.weight;
    }
    forward(x: Tensor): Tensor {
      return this.dec.forward(this.enc.forward(x));
    }
  }
  const m = new Tied();
  assert.deepEqual(m.namedParameters().map(([n]) => n), ["enc.weight"]);
  assert.deepEqual(Object.keys(m.stateDict()), ["enc.weight", "dec.weight"]);
});

test("a plain array of modules is an error that points to ModuleList; ModuleList names them", () => {
  class Bad extends cr.nn.Module {
    blocks = [new cr.nn.Linear(2, 2), new cr.nn.Linear(2, 2)];
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => new Bad().parameters(), /property "blocks" is a plain array.*ModuleList/);

  class Good extends cr.nn.Module {
    blocks = new cr.nn.ModuleList<cr.nn.AnyModule>([new cr.nn.Linear(2, 2), new cr.nn.Linear(2, 2)]);
    forward(x: Tensor): Tensor {
      let h = x;
      for (const b of this.blocks) h = b.forward(h) as Tensor;
      return h;
    }
  }
  const g = new Good();
  assert.deepEqual(g.namedParameters().map(([n]) => n), ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias"]);
  assert.equal(g.blocks.length, 2);
  assert.ok(g.blocks[1] instanceof cr.nn.Linear);
  g.blocks.insert(0, new cr.nn.Identity());
  g.blocks.append(new cr.nn.Tanh());
  assert.deepEqual(g.namedChildren().length, 1);
  assert.deepEqual([...g.blocks].map((m) => m.constructor.name), ["Identity", "Linear", "Linear", "Tanh"]);
  assert.deepEqual(g.namedParameters().map(([n]) => n), ["blocks.1.weight", "blocks.1.bias", "blocks.2.weight", "blocks.2.bias"]);
  assert.deepEqual(g.forward(cr.ones([1, 2])).shape, [1, 2]);
  assert.throws(() => g.blocks.forward(), /ModuleList has no forward/);
});

test("Sequential: indexing, append, named entries, and printing", () => {
  const seq = new cr.nn.Sequential(new cr.nn.Linear(2, 3), new cr.nn.ReLU());
  assert.equal(seq.length, 2);
  seq.append(new cr.nn.Linear(3, 1));
  assert.deepEqual(seq.forward(cr.ones([4, 2])).shape, [4, 1]);
  const named = new cr.nn.Sequential({ fc: new cr.nn.Linear(2, 3), act: new cr.nn.GELU() });
  assert.deepEqual(named.namedParameters().map(([n]) => n), ["fc.weight", "fc.bias"]);
  assert.equal(
    String(seq),
    "Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n  (2): Linear(inFeatures=3, outFeatures=1, bias=true)\n)",
  );
});

test("forward must be a method, so the base class can wrap it", () => {
  class Arrow extends cr.nn.Module {
    forward = (x: Tensor): Tensor => x;
  }
  assert.throws(() => new Arrow(), /forward must be a method/);
});

// ---- modes and gradients ----

test("train() and eval() set `training` on every module, and change Dropout and BatchNorm", () => {
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  assert.equal(net.eval(), net);
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  net.layers.train(false);
  assert.deepEqual(net.modules().map((m) => m.training), [true, false, false, false, false, true, true]);

  const drop = new cr.nn.Dropout(0.5);
  const x = cr.ones([100]);
  assert.equal(drop.eval().forward(x), x);
  assert.notDeepEqual(values(drop.train().forward(x)), values(x));
});

test("zeroGrad sets grads to null by default, or zeroes them in place with setToNone: false", () => {
  const net = new Net();
  net.forward(cr.randn([5, 3])).sum().backward();
  assert.ok(net.parameters().every((p) => p.grad !== null));
  const grads = net.parameters().map((p) => p.grad!);
  net.zeroGrad({ setToNone: false });
  net.parameters().forEach((p, i) => {
    assert.equal(p.grad, grads[i], "the same tensor, zeroed in place");
    assert.ok(values(p.grad!).every((v) => v === 0));
  });
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
});

test("requiresGrad_(false) freezes every parameter", () => {
  const net = new Net();
  net.layers.requiresGrad_(false);
  assert.deepEqual(net.parameters().map((p) => p.requiresGrad), [false, false, false, false, true, true, true]);
});

test("to('float64') converts parameters and floating buffers, keeping names and sharing", () => {
  const net = new Net().to("float64");
  assert.ok(net.parameters().every((p) => p.dtype === "float64" && p instanceof cr.nn.Parameter && p.requiresGrad));
  assert.equal(net.bn.runningMean!.dtype, "float64");
  assert.equal(net.bn.numBatchesTracked!.dtype, "int32");
  assert.deepEqual(net.forward(cr.randn([4, 3], { dtype: "float64" })).dtype, "float64");
  assert.throws(() => new Net().forward(cr.randn([4, 3], { dtype: "float64" })), /Linear: input is float64 but the weight is float32/);
});

// ---- state dicts ----

test("stateDict → loadStateDict round trip, buffers included, gives the same model", () => {
  cr.manualSeed(1);
  const a = new Net();
  for (let i = 0; i < 3; i++) a.forward(cr.randn([6, 3])); // move the running statistics
  assert.equal(a.bn.numBatchesTracked!.item(), 3);
  cr.manualSeed(2);
  const b = new Net();
  const result = b.loadStateDict(a.stateDict());
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  for (const [k, t] of Object.entries(a.stateDict())) assert.deepEqual(values(b.stateDict()[k]!), values(t), k);
  const x = cr.randn([4, 3]);
  a.eval();
  b.eval();
  assert.deepEqual(values(b.forward(x)), values(a.forward(x)));
  assert.ok(b.parameters().every((p) => p.isLeaf && p.requiresGrad), "still trainable leaves");
});

test("loadStateDict (strict) lists missing and unexpected keys and changes nothing", () => {
  const net = new Net();
  const before = net.stateDict();
  const snapshot = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, values(t)]));
  const sd: Record<string, Tensor> = Object.fromEntries(Object.entries(before).map(([k, t]) => [k, cr.onesLike(t)]));
  delete sd["head.weight"];
  delete sd["bn.running_var"];
  sd["head.bias"] = cr.ones([1]);
  sd["extra"] = cr.ones([1]);
  assert.throws(
    () => net.loadStateDict(sd),
    (e: unknown) => {
      assert.ok(e instanceof cr.nn.StateDictError);
      assert.deepEqual(e.missingKeys, ["bn.running_var", "head.weight"]);
      assert.deepEqual(e.unexpectedKeys, ["head.bias", "extra"]);
      assert.match(e.message, /for Net; nothing was changed/);
      assert.match(e.message, /Missing key\(s\): "bn.running_var", "head.weight"/);
      assert.match(e.message, /Unexpected key\(s\): "head.bias", "extra"/);
      return true;
    },
  );
  for (const [k, t] of Object.entries(net.stateDict())) assert.deepEqual(values(t), snapshot[k], `${k} unchanged`);

  const loose = net.loadStateDict(sd, { strict: false });
  assert.deepEqual(loose, { missingKeys: ["bn.running_var", "head.weight"], unexpectedKeys: ["head.bias", "extra"] });
  assert.ok(values(net.layers[0] instanceof cr.nn.Linear ? net.layers[0].weight : cr.zeros([1])).every((v) => v === 1));
});

test("a shape mismatch names the key and both shapes, even with strict: false, and changes nothing", () => {
  const net = new Net();
  const snapshot = Object.fromEntries(Object.entries(net.stateDict()).map(([k, t]) => [k, values(t)]));
  const sd = Object.fromEntries(Object.entries(net.stateDict()).map(([k, t]) => [k, cr.onesLike(t)]));
  sd["layers.2.weight"] = cr.ones([4, 2]);
  for (const strict of [true, false]) {
    assert.throws(
      () => net.loadStateDict(sd, { strict }),
      (e: unknown) => {
        assert.ok(e instanceof cr.nn.StateDictError);
        assert.match(e.message, /size mismatch for layers\.2\.weight: copying a tensor of shape \[4,2\] from the state dict, the shape in the model is \[2,4\]/);
        assert.deepEqual(e.sizeMismatches, [{ key: "layers.2.weight", stateDictShape: [4, 2], modelShape: [2, 4] }]);
        return true;
      },
    );
  }
  for (const [k, t] of Object.entries(net.stateDict())) assert.deepEqual(values(t), snapshot[k], `${k} unchanged`);
});

// ---- hooks ----

test("forward pre-hooks and forward hooks run on model.forward(x), may replace inputs and outputs, and can be removed", () => {
  const lin = new cr.nn.Linear(2, 2);
  const seen: string[] = [];
  const pre = lin.registerForwardPreHook((m, [x]) => {
    assert.equal(m, lin);
    seen.push(`pre ${x.shape}`);
    return x.mul(0); // a single value replaces the single argument
  });
  const post = lin.registerForwardHook((_m, [x], out) => {
    seen.push(`post ${values(x).join(",")}`);
    return out.add(100);
  });
  const out = lin.forward(cr.ones([1, 2]));
  assert.deepEqual(seen, ["pre 1,2", "post 0,0"]);
  assert.deepEqual(values(out), values(lin.bias!.add(100)));
  pre.remove();
  post.remove();
  post.remove();
  const x = cr.ones([1, 2]);
  assert.deepEqual(values(lin.forward(x)), values(F.linear(x, lin.weight, lin.bias)));
  assert.equal(seen.length, 2);
});

test("linear on a 1-D input is that row's product, shape [out], with the weight's gradient of a batch of one", () => {
  cr.manualSeed(3);
  const w = cr.randn([3, 5], { requiresGrad: true }), b = cr.randn([3], { requiresGrad: true });
  const x = cr.randn([5]);
  const one = F.linear(x, w, b);
  assert.deepEqual(one.shape, [3]);
  const row = F.linear(x.unsqueeze(0), w, b);
  assert.deepEqual(values(one), values(row.squeeze(0)));
  one.sum().backward();
  const gw = values(w.grad!);
  assert.deepEqual(gw, values(x.unsqueeze(0).expand([3, 5]))); // d(sum(x·Wᵀ))/dW: x in every row
  assert.deepEqual(values(b.grad!), [1, 1, 1]);
});

test("hooks on a child fire when the parent runs it, once per call; returning nothing keeps the value", () => {
  const net = new Net();
  const activations: number[][] = [];
  const relu = net.layers[1]!;
  const h = relu.registerForwardHook((_m, _args, out) => void activations.push([...(out as Tensor).shape]));
  const pre = net.registerForwardPreHook((_m, args) => [args[0].mul(2)]); // an array replaces the argument list
  net.forward(cr.randn([5, 3]));
  net.forward(cr.randn([2, 3]));
  assert.deepEqual(activations, [[5, 4], [2, 4]]);
  h.remove();
  pre.remove();
  net.forward(cr.randn([2, 3]));
  assert.equal(activations.length, 2);
  assert.notEqual(h.id, pre.id);
});

test("loss modules are Modules: two inputs, hooks, buffers in stateDict", () => {
  const ce = new cr.nn.CrossEntropyLoss({ weight: cr.tensor([1, 2, 3]) });
  assert.deepEqual(Object.keys(ce.stateDict()), ["weight"]);
  assert.deepEqual(Object.keys(new cr.nn.BCEWithLogitsLoss({ posWeight: cr.tensor([2]) }).stateDict()), ["pos_weight"]);
  let calls = 0;
  ce.registerForwardHook((_m, [input, target], out) => {
    calls++;
    assert.deepEqual(input.shape, [2, 3]);
    assert.equal(target.dtype, "int32");
    return out.mul(0);
  });
  assert.equal(ce.forward(cr.randn([2, 3]), cr.tensor([0, 2], { dtype: "int32" })).item(), 0);
  assert.equal(calls, 1);
});

// ---- init and seeding ----

test("the same cr.manualSeed gives the same Linear initialisation; another seed does not", () => {
  cr.manualSeed(123);
  const a = new cr.nn.Linear(5, 3);
  cr.manualSeed(123);
  const b = new cr.nn.Linear(5, 3);
  assert.deepEqual(values(a.weight), values(b.weight));
  assert.deepEqual(values(a.bias!), values(b.bias!));
  cr.manualSeed(124);
  assert.notDeepEqual(values(new cr.nn.Linear(5, 3).weight), values(a.weight));
});

test("default initialisation as PyTorch's: Linear/Conv2d U(±1/√fanIn), Embedding N(0,1), norms ones/zeros", () => {
  cr.manualSeed(0);
  const lin = new cr.nn.Linear(400, 50);
  const bound = 1 / Math.sqrt(400);
  const w = values(lin.weight);
  assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w) > 0.95 * bound && Math.min(...w) < -0.95 * bound);
  assert.ok(values(lin.bias!).every((v) => Math.abs(v) <= bound));
  const conv = new cr.nn.Conv2d(4, 8, 3, { groups: 2 });
  assert.deepEqual(conv.weight.shape, [8, 2, 3, 3]);
  assert.ok(values(conv.weight).every((v) => Math.abs(v) <= 1 / Math.sqrt(18)));
  const emb = values(new cr.nn.Embedding(100, 100).weight);
  const mean = emb.reduce((s, v) => s + v, 0) / emb.length;
  const std = Math.sqrt(emb.reduce((s, v) => s + (v - mean) ** 2, 0) / emb.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(std - 1) < 0.03, `mean ${mean}, std ${std}`);
  const padded = new cr.nn.Embedding(5, 3, { paddingIdx: -2 });
  assert.equal(padded.paddingIdx, 3);
  assert.deepEqual(values(padded.weight.select(0, 3)), [0, 0, 0]);
  const bn = new cr.nn.BatchNorm2d(3);
  assert.deepEqual([values(bn.weight!), values(bn.bias!), values(bn.runningMean!), values(bn.runningVar!)], [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  const ln = new cr.nn.LayerNorm([2, 2], { bias: false });
  assert.deepEqual(values(ln.weight!), [1, 1, 1, 1]);
  assert.equal(ln.bias, null);
});

test("cr.nn.init: calculateGain as PyTorch's, fans, bounds and spreads, in place on parameters", () => {
  const I = nn.init;
  assert.equal(I.calculateGain("linear"), 1);
  assert.equal(I.calculateGain("conv2d"), 1);
  assert.equal(I.calculateGain("sigmoid"), 1);
  assert.equal(I.calculateGain("tanh"), 5 / 3);
  assert.equal(I.calculateGain("relu"), Math.SQRT2);
  assert.equal(I.calculateGain("leaky_relu"), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.equal(I.calculateGain("leaky_relu", 0.2), Math.sqrt(2 / 1.04));
  assert.equal(I.calculateGain("selu"), 0.75);
  assert.throws(() => I.calculateGain("swish" as cr.nn.init.Nonlinearity), /unsupported nonlinearity "swish"/);
  assert.deepEqual(I.calculateFanInAndFanOut(cr.zeros([16, 3, 5, 5])), { fanIn: 75, fanOut: 400 });
  assert.throws(() => I.calculateFanInAndFanOut(cr.zeros([3])), /fewer than 2 dims, got \[3\]/);

  cr.manualSeed(5);
  const p = new cr.nn.Parameter(cr.zeros([200, 300]));
  assert.equal(I.xavierUniform(p, 2), p, "returns the same tensor");
  assert.ok(p.requiresGrad && p.isLeaf && p.gradFn === null);
  const a = 2 * Math.sqrt(6 / 500);
  const xs = values(p);
  assert.ok(xs.every((v) => Math.abs(v) <= a) && Math.max(...xs) > 0.99 * a);
  const spread = (t: Tensor) => {
    const v = values(t);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
  };
  assert.ok(Math.abs(spread(I.xavierNormal(p)) - Math.sqrt(2 / 500)) < 0.002);
  assert.ok(Math.abs(spread(I.kaimingNormal(p, { nonlinearity: "relu" })) - Math.SQRT2 / Math.sqrt(300)) < 0.002);
  assert.ok(Math.abs(spread(I.kaimingNormal(p, { mode: "fan_out", nonlinearity: "relu" })) - Math.SQRT2 / Math.sqrt(200)) < 0.002);
  const kb = Math.sqrt(3) * Math.SQRT2 / Math.sqrt(300);
  assert.ok(values(I.kaimingUniform(p, { nonlinearity: "relu" })).every((v) => Math.abs(v) <= kb));
  assert.ok(Math.abs(spread(I.normal(p, 3, 0.5)) - 0.5) < 0.005);
  assert.ok(values(I.uniform(p, 2, 3)).every((v) => v >= 2 && v < 3));
  assert.deepEqual(values(I.constant(cr.zeros([2]), 0.5)), [0.5, 0.5]);
  assert.deepEqual(values(I.ones(cr.zeros([2], { dtype: "float64" }))), [1, 1]);
  assert.deepEqual(values(I.zeros(cr.ones([2]))), [0, 0]);
  const g = new cr.Generator(9);
  const u1 = values(I.uniform(cr.zeros([3]), 0, 1, { generator: g.manualSeed(9) }));
  const u2 = values(I.uniform(cr.zeros([3]), 0, 1, { generator: g.manualSeed(9) }));
  assert.deepEqual(u1, u2);
});

// ---- dropout ----

test("Dropout: inverted scaling in training, repeatable with cr.manualSeed, identity for p = 0", () => {
  const x = cr.ones([20000]);
  const drop = new cr.nn.Dropout(0.25);
  cr.manualSeed(11);
  const y = values(drop.forward(x));
  const zeros = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.02, `dropped ${zeros}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  cr.manualSeed(11);
  assert.deepEqual(values(drop.forward(x)), y);
  assert.equal(new cr.nn.Dropout(0).forward(x), x);
  assert.deepEqual(values(new cr.nn.Dropout(1).forward(cr.ones([3]))), [0, 0, 0]);
  assert.throws(() => new cr.nn.Dropout(1.5), /between 0 and 1, but got 1.5/);
  const g = cr.ones([4], { requiresGrad: true });
  cr.manualSeed(3);
  const out = F.dropout(g, 0.5);
  out.sum().backward();
  assert.deepEqual(values(g.grad!), values(out.detach()), "the gradient is the mask times 1/(1-p)");
});

// ---- functional ----

test("functional forms agree with the modules, and oneHot encodes classes", () => {
  cr.manualSeed(4);
  const lin = new cr.nn.Linear(3, 2);
  const x = cr.randn([4, 3]);
  assert.deepEqual(values(F.linear(x, lin.weight, lin.bias)), values(lin.forward(x)));
  const conv = new cr.nn.Conv2d(2, 3, 3, { padding: "same" });
  const img = cr.randn([1, 2, 5, 5]);
  assert.deepEqual(conv.forward(img).shape, [1, 3, 5, 5]);
  assert.deepEqual(values(F.conv2d(img, conv.weight, conv.bias, { padding: 1 })), values(conv.forward(img)));
  assert.deepEqual(F.oneHot(cr.tensor([0, 2, 1], { dtype: "int32" })).tolist(), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  assert.deepEqual(F.oneHot(cr.tensor([1], { dtype: "int32" }), 4).tolist(), [[0, 1, 0, 0]]);
  assert.equal(F.oneHot(cr.tensor([1], { dtype: "int32" }), 4).dtype, "int32");
  assert.throws(() => F.oneHot(cr.tensor([3], { dtype: "int32" }), 3), { name: "IndexError", message: "oneHot: class 3 is out of bounds for 3 classes" });
  assert.deepEqual(values(F.softmax(cr.tensor([[0, 0]]), 1)), [0.5, 0.5]);
});

test("losses stay finite on logits of ±1000, values and gradients", () => {
  const logits = cr.tensor([[1000, -1000, 0], [-1000, 1000, 1000]], { requiresGrad: true });
  const ce = F.crossEntropy(logits, cr.tensor([1, 0], { dtype: "int32" }), { reduction: "none" });
  const [c0, c1] = values(ce);
  assert.equal(c0, 2000);
  assert.ok(Math.abs(c1! - (2000 + Math.LN2)) < 1e-3, `${c1}`); // two tied maxima: log(2e^1000) - (-1000)
  ce.sum().backward();
  assert.ok(values(logits.grad!).every(Number.isFinite));
  const z = cr.tensor([1000, -1000, 1000, -1000], { requiresGrad: true });
  const bce = F.bceWithLogitsLoss(z, cr.tensor([1, 0, 0, 1]), { reduction: "none" });
  assert.deepEqual(values(bce), [0, 0, 1000, 1000]);
  bce.sum().backward();
  assert.deepEqual(values(z.grad!), [0, 0, 1, -1]);
  const p = cr.tensor([0, 1, 0.5], { requiresGrad: true });
  const b = F.bceLoss(p, cr.tensor([1, 0, 1]), { reduction: "none" });
  assert.deepEqual(values(b).map((v) => Math.round(v * 1e4) / 1e4), [100, 100, 0.6931]);
  b.sum().backward();
  assert.ok(values(p.grad!).every(Number.isFinite));
});

test("crossEntropy ignores ignoreIndex in the mean's denominator; all ignored gives NaN as PyTorch", () => {
  const logits = cr.tensor([[2, 0], [0, 2], [5, 5]]);
  const both = F.crossEntropy(logits.slice(0, 0, 2), cr.tensor([0, 1], { dtype: "int32" })).item();
  const withIgnored = F.crossEntropy(logits, cr.tensor([0, 1, -100], { dtype: "int32" })).item();
  assert.ok(Math.abs(both - withIgnored) < 1e-7);
  assert.ok(Number.isNaN(F.crossEntropy(logits, cr.tensor([-100, -100, -100], { dtype: "int32" })).item()));
});

test("crossEntropy and nllLoss give the masked path's values and gradients when no target is ignored, in fewer ops", () => {
  // Without weights or ignored targets the loss skips its masks; an ignoreIndex that is a real class's index
  // still masks wherever it occurs.
  const data = [[1.5, -0.5, 0.25], [0.1, 2, -1], [-2, 0.5, 3], [0.7, 0.7, -0.3]];
  const target = cr.tensor([2, 0, 1, 1], { dtype: "int32" });
  const grads = (opts: { ignoreIndex?: number; weight?: Tensor }, reduction: "mean" | "sum" | "none", labelSmoothing = 0) => {
    const x = cr.tensor(data, { requiresGrad: true });
    const loss = F.crossEntropy(x, target, { ...opts, reduction, labelSmoothing });
    const nodes = cr.viz.graph(loss).model.nodes.length;
    (reduction === "none" ? loss.sum() : loss).backward();
    return { loss: values(loss), grad: values(x.grad!), nodes };
  };
  for (const reduction of ["mean", "sum", "none"] as const) {
    for (const eps of [0, 0.2]) {
      const fast = grads({}, reduction, eps);
      // A weight of ones takes the masked path: the same numbers, more ops.
      const masked = grads({ weight: cr.ones([3]) }, reduction, eps);
      assert.deepEqual(fast.loss, masked.loss, `${reduction}, labelSmoothing ${eps}: loss`);
      assert.deepEqual(fast.grad, masked.grad, `${reduction}, labelSmoothing ${eps}: gradient`);
      assert.ok(fast.nodes < masked.nodes, `${reduction}: ${fast.nodes} nodes against ${masked.nodes}`);
    }
  }
  // ignoreIndex 1 is a class here: the two targets equal to it are left out of the mean.
  const x = cr.tensor(data);
  const ignored = F.crossEntropy(x, target, { ignoreIndex: 1 }).item();
  const kept = F.crossEntropy(cr.tensor([data[0]!, data[1]!]), cr.tensor([2, 0], { dtype: "int32" })).item();
  assert.ok(Math.abs(ignored - kept) < 1e-7, `${ignored} against ${kept}`);
  assert.equal(values(F.nllLoss(x.logSoftmax(1), target, { ignoreIndex: 1, reduction: "none" }))[2], 0);
});

// ---- error messages ----

test("bad inputs name the module or loss and the shapes", () => {
  const i32 = (d: number[]) => cr.tensor(d, { dtype: "int32" });
  assert.throws(() => new cr.nn.Linear(5, 2).forward(cr.zeros([4, 3])), { name: "ShapeError", message: "Linear: input [4,3] has 3 features, expected 5" });
  assert.throws(() => F.linear(cr.zeros([4, 3]), cr.zeros([2, 5])), /^ShapeError: linear: input \[4,3\] has 3 features, expected 5/);
  assert.throws(() => F.crossEntropy(cr.zeros([4, 10]), i32([1, 2, 3, 4, 5])), /crossEntropy: input \[4,10\] and target \[5\]: class indices must have shape \[4\]/);
  assert.throws(() => F.crossEntropy(cr.zeros([4, 10]), cr.zeros([4, 9])), /crossEntropy: input \[4,10\] and target \[4,9\]/);
  assert.throws(() => F.crossEntropy(cr.zeros([2, 3]), i32([0, 3])), { name: "IndexError", message: "crossEntropy: target 3 is out of bounds for 3 classes" });
  assert.throws(() => F.nllLoss(cr.zeros([2, 3]), cr.zeros([2])), /nllLoss: target must be integer class indices, got float32/);
  assert.throws(() => new cr.nn.MSELoss().forward(cr.zeros([4, 1]), cr.zeros([4])), /mseLoss: input \[4,1\] and target \[4\] must have the same shape/);
  assert.throws(() => F.bceLoss(cr.tensor([1.5]), cr.tensor([1])), /bceLoss: all elements of input should be between 0 and 1, got 1.5/);
  assert.throws(() => new cr.nn.Conv2d(3, 4, 3).forward(cr.zeros([1, 2, 5, 5])), /Conv2d: input \[1,2,5,5\] has 2 channels, expected 3/);
  assert.throws(() => new cr.nn.Conv2d(3, 4, 3).forward(cr.zeros([5, 5])), /Conv2d: expected input \[N, 3, H, W\] or \[3, H, W\], got \[5,5\]/);
  assert.throws(() => new cr.nn.Conv2d(3, 4, 3, { groups: 2 }), /inChannels 3 must be divisible by groups 2/);
  assert.throws(() => new cr.nn.Conv2d(3, 4, 3, { stride: 2, padding: "same" }), /"same" is not supported for strided/);
  assert.throws(() => new cr.nn.BatchNorm2d(3).forward(cr.zeros([2, 3])), /BatchNorm2d: expected 4-D input \[N, C, H, W\], got \[2,3\]/);
  assert.throws(() => new cr.nn.BatchNorm1d(3).forward(cr.zeros([2, 4])), /BatchNorm1d: input \[2,4\] has 4 channels \(dim 1\), expected 3/);
  assert.throws(() => new cr.nn.BatchNorm1d(3).forward(cr.zeros([1, 3])), /more than 1 value per channel when training, got input \[1,3\]/);
  assert.throws(() => new cr.nn.LayerNorm(4).forward(cr.zeros([2, 3])), /LayerNorm: input \[2,3\] does not end with the normalized shape \[4\]/);
  assert.throws(() => new cr.nn.Embedding(10, 3).forward(i32([1, 12])), { name: "IndexError", message: "Embedding: index 12 is out of bounds for 10 embeddings" });
  assert.throws(() => new cr.nn.Embedding(10, 3).forward(cr.zeros([2])), /Embedding: indices must be an integer tensor \(int32, int64, int16, int8 or uint8\), got float32/);
  assert.throws(() => new cr.nn.MaxPool2d(2, { ceilMode: true }).forward(cr.zeros([1, 3])), /maxPool2d: expected input \[N, C, H, W\] or \[C, H, W\], got \[1,3\]/);
  assert.throws(() => new cr.nn.Residual(new cr.nn.Linear(3, 2)).forward(cr.zeros([1, 3])), /Residual: the inner module maps \[1,3\] to \[1,2\]/);
  assert.throws(() => new cr.nn.CrossEntropyLoss({ reduction: "avg" as cr.nn.functional.Reduction }), /CrossEntropyLoss: reduction must be "mean", "sum" or "none", got "avg"/);
  assert.throws(() => new cr.nn.Sequential(new cr.nn.ReLU(), cr.ones([1]) as unknown as cr.nn.ReLU), /Sequential: argument 1 is not a Module/);
});

test("BatchNorm: batch statistics in training (running stats updated with the unbiased variance), running ones in eval", () => {
  const bn = new cr.nn.BatchNorm1d(1, { momentum: 0.5 });
  const x = cr.tensor([[1], [2], [3], [6]]);
  const y = values(bn.forward(x));
  const mean = 3;
  const biased = (4 + 1 + 0 + 9) / 4;
  y.forEach((v, i) => assert.ok(Math.abs(v - ([1, 2, 3, 6][i]! - mean) / Math.sqrt(biased + 1e-5)) < 1e-6));
  assert.ok(Math.abs(bn.runningMean!.item() - 1.5) < 1e-6);
  assert.ok(Math.abs(bn.runningVar!.item() - (0.5 + 0.5 * (14 / 3))) < 1e-6);
  bn.eval();
  const z = values(bn.forward(cr.tensor([[1.5]])));
  assert.ok(Math.abs(z[0]!) < 1e-6);
  assert.equal(bn.numBatchesTracked!.item(), 1, "eval does not count");
  const untracked = new cr.nn.BatchNorm1d(1, { trackRunningStats: false });
  assert.deepEqual(Object.keys(untracked.stateDict()), ["weight", "bias"]);
  assert.equal(untracked.runningMean, null);
});

// ---- learning ----

test("a 2-4-1 Tanh/Sigmoid network learns XOR with plain gradient descent", () => {
  cr.manualSeed(0);
  const model = new cr.nn.Sequential(new cr.nn.Linear(2, 4), new cr.nn.Tanh(), new cr.nn.Linear(4, 1), new cr.nn.Sigmoid());
  const x = cr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = cr.tensor([[0], [1], [1], [0]]);
  const lossFn = new cr.nn.BCELoss();
  const lr = 1;
  let loss = Infinity;
  for (let step = 0; step < 2000 && loss > 0.05; step++) {
    const l = lossFn.forward(model.forward(x), y);
    model.zeroGrad();
    l.backward();
    cr.noGrad(() => {
      for (const p of model.parameters()) p.sub_(p.grad!.mul(lr));
    });
    loss = l.item();
  }
  assert.ok(loss <= 0.05, `loss ${loss}`);
  const predictions = cr.noGrad(() => model.eval().forward(x)).gt(0.5);
  assert.deepEqual(predictions.tolist(), [[false], [true], [true], [false]], "100% accuracy");
});
