// ModuleDict, buffers read as properties, and nn.init's PyTorch names (with the old names as aliases).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

const nn = cr.nn;

describe("ModuleDict", () => {
  test("registers modules under their keys, typed as properties, with PyTorch's parameter names", () => {
    class Net extends nn.Module {
      transformer = new nn.ModuleDict({ wte: new nn.Embedding(10, 4), h: new nn.ModuleList([new nn.Linear(4, 4)]), ln_f: new nn.LayerNorm(4) });
      forward(idx: cr.Tensor): cr.Tensor {
        let x = this.transformer.wte.forward(idx);
        for (const block of this.transformer.h) x = block.forward(x);
        return this.transformer.ln_f.forward(x);
      }
    }
    const net = new Net();
    assert.deepEqual(Object.keys(net.stateDict()), ["transformer.wte.weight", "transformer.h.0.weight", "transformer.h.0.bias", "transformer.ln_f.weight", "transformer.ln_f.bias"]);
    assert.deepEqual(net.forward(cr.tensor([[1, 2, 3]], { dtype: "int32" })).shape, [1, 3, 4]);
    assert.deepEqual(net.transformer.keys(), ["wte", "h", "ln_f"]);
    assert.deepEqual([...net.transformer], ["wte", "h", "ln_f"]);
    assert.equal(net.transformer.length, 3);
    assert.equal(net.transformer.get("wte"), net.transformer.wte);
    assert.ok(net.transformer instanceof nn.ModuleDict);
  });

  test("set, has, pop, update, items, clear", () => {
    const d = new nn.ModuleDict<Record<string, cr.nn.AnyModule>>([["a", new nn.ReLU()], ["b", new nn.Tanh()]]);
    assert.ok(d.has("a") && !d.has("c"));
    d.set("c", new nn.Linear(2, 2));
    assert.deepEqual(d.items().map(([k, m]) => [k, m.constructor.name]), [["a", "ReLU"], ["b", "Tanh"], ["c", "Linear"]]);
    assert.equal(d.parameters().length, 2);
    const b = d.pop("b");
    assert.ok(b instanceof nn.Tanh);
    assert.deepEqual(d.keys(), ["a", "c"]);
    d.update({ a: new nn.Sigmoid() });
    assert.ok(d.get("a") instanceof nn.Sigmoid);
    d.clear();
    assert.equal(d.length, 0);
    assert.equal(d.parameters().length, 0);
  });

  test("keys that would hide a member, and non-modules, are refused; it has no forward", () => {
    const d = new nn.ModuleDict();
    assert.throws(() => d.set("keys", new nn.ReLU()), /name of a ModuleDict member/);
    assert.throws(() => d.set("training", new nn.ReLU()), /member/);
    assert.throws(() => d.set("a.b", new nn.ReLU()), /without "."/);
    assert.throws(() => d.set("x", 3 as unknown as cr.nn.AnyModule), TypeError);
    assert.throws(() => d.forward(), /no forward/);
  });
});

describe("buffers are read as properties", () => {
  class CausalMask extends nn.Module {
    declare bias: cr.Tensor;
    declare scale: cr.Tensor | null;
    constructor(n: number) {
      super();
      this.registerBuffer("bias", cr.ones([n, n]).gt(0), { persistent: false });
      this.registerBuffer("scale", cr.tensor([2]));
    }
    forward(x: cr.Tensor): cr.Tensor {
      return cr.where(this.bias, x, 0).mul(this.scale!);
    }
  }

  test("this.bias after registerBuffer('bias', …), in forward, stateDict and to()", () => {
    const m = new CausalMask(2);
    assert.deepEqual(m.bias.shape, [2, 2]);
    assert.deepEqual(m.forward(cr.ones([2, 2])).tolist(), [[2, 2], [2, 2]]);
    assert.deepEqual(Object.keys(m.stateDict()), ["scale"]);
    assert.equal(m.namedBuffers().length, 2);
    m.to("float64");
    assert.equal(m.scale!.dtype, "float64");
    assert.equal(m.getBuffer("scale"), m.scale);
    assert.equal(m.namedParameters().length, 0);
  });

  test("assigning to the property replaces the buffer; a Parameter takes the name over", () => {
    const m = new CausalMask(2);
    m.scale = cr.tensor([3]);
    assert.deepEqual(m.stateDict().scale!.tolist(), [3]);
    m.scale = null;
    assert.deepEqual(Object.keys(m.stateDict()), []);
    assert.throws(() => { (m as unknown as { bias: unknown }).bias = 5; }, /cannot assign number as buffer "bias"/);
    (m as unknown as { scale: cr.nn.Parameter }).scale = new nn.Parameter(cr.tensor([4]));
    assert.deepEqual(m.namedParameters().map(([n]) => n), ["scale"]);
    assert.equal(m.namedBuffers().length, 1);
  });

  test("BatchNorm's buffers read under PyTorch's names too", () => {
    const bn = new nn.BatchNorm1d(3);
    assert.equal((bn as unknown as { running_mean: cr.Tensor }).running_mean, bn.runningMean);
  });

  test("a buffer may not take the name of a method", () => {
    class Bad extends nn.Module {
      constructor() {
        super();
        this.registerBuffer("train", cr.ones([1]));
      }
      forward(x: cr.Tensor): cr.Tensor {
        return x;
      }
    }
    assert.throws(() => new Bad(), /already a member/);
  });
});

describe("nn.init names", () => {
  const I = nn.init;
  test("PyTorch's trailing underscore, filling in place and returning the tensor", () => {
    const w = new nn.Parameter(cr.zeros([200, 300]));
    assert.equal(I.normal_(w, 0, 0.02), w);
    assert.ok(Math.abs(w.std().item() - 0.02) < 0.001);
    I.zeros_(w);
    assert.equal(w.abs().sum().item(), 0);
    I.ones_(w);
    assert.equal(w.mean().item(), 1);
    I.constant_(w, 0.5);
    assert.equal(w.mean().item(), 0.5);
    I.uniform_(w, -0.1, 0.1);
    assert.ok(w.abs().amax().item() <= 0.1);
    I.xavierUniform_(w);
    assert.ok(w.abs().amax().item() <= Math.sqrt(6 / 500));
    I.xavierNormal_(w);
    assert.ok(Math.abs(w.std().item() - Math.sqrt(2 / 500)) < 0.002);
    I.kaimingUniform_(w, { nonlinearity: "relu" });
    assert.ok(w.abs().amax().item() <= Math.sqrt(6 / 300));
    I.kaimingNormal_(w, { nonlinearity: "relu" });
    assert.ok(Math.abs(w.std().item() - Math.sqrt(2 / 300)) < 0.002);
    I.eye_(w);
    assert.equal(w.sum().item(), 200);
    I.truncNormal_(w, 0, 0.02, -0.03, 0.03);
    assert.ok(w.abs().amax().item() <= 0.03);
    assert.ok(w.abs().amax().item() > 0.029);
    assert.ok(w.requiresGrad && w.gradFn === null, "still a leaf");
  });

  test("the old names are deprecated aliases of the new ones", () => {
    assert.equal(I.normal, I.normal_);
    assert.equal(I.xavierUniform, I.xavierUniform_);
    assert.equal(I.kaimingNormal, I.kaimingNormal_);
    assert.equal(I.zeros, I.zeros_);
  });

  test("errors", () => {
    assert.throws(() => I.eye_(cr.zeros([2, 2, 2])), /only 2-D/);
    assert.throws(() => I.truncNormal_(cr.zeros([2]), 0, 1, 1, 0), /a < b/);
    assert.throws(() => I.truncNormal_(cr.zeros([2]), 0, 1, 50, 51), /too little/);
  });
});
