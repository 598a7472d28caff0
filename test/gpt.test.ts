// cr.models.GPT: nanoGPT's names, initialisation and parameter groups; checkpoints both ways with PyTorch
// (test/fixtures/torch-gpt*.safetensors, chainrule-gpt.safetensors and torch-gpt.json, from
// tools/gen_torch_gpt_fixtures.py); the key/value cache; generation and sampling.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";
import { assertClose, decode } from "./helpers/fixture.js";
import type { Encoded } from "./helpers/fixture.js";

const GPT = cr.models.GPT;
type Tensor = cr.Tensor;
const fixturePath = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

interface TorchCase {
  file: string;
  config: cr.models.GPTConfig;
  dtype: "float32" | "float64";
  keys: string[];
  idx: Encoded;
  targets: Encoded;
  logits: Encoded;
  loss: number;
  grads: Record<string, Encoded>;
}
interface ChainruleCase {
  file: string;
  config: cr.models.GPTConfig;
  idx: Encoded;
  targets: Encoded;
  logits: Encoded;
  loss: number;
}
const fixture = JSON.parse(readFileSync(fixturePath("torch-gpt.json"), "utf8")) as { fromTorch: TorchCase[]; fromChainrule: ChainruleCase };

const tiny = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const ints = (rows: number[][]): Tensor => cr.tensor(rows, { dtype: "int32" });

describe("PyTorch checkpoints load into cr.models.GPT", () => {
  for (const c of fixture.fromTorch) {
    test(`${c.file}: ${c.dtype}, bias ${c.config.bias}, keys ${c.keys.includes("lm_head.weight") ? "both tied" : "wte only"}`, () => {
      const { tensors } = cr.safetensors.loadWithMetadata(fixturePath(c.file));
      const model = new GPT(c.config, { dtype: c.dtype });
      const { missingKeys, unexpectedKeys } = model.loadStateDict(tensors);
      assert.deepEqual([missingKeys, unexpectedKeys], [[], []]);
      assert.equal(model.lm_head.weight, model.transformer.wte.weight, "still tied");
      const [logits, loss] = model.forward(decode(c.idx), decode(c.targets));
      // The bar: 1e-5 relative in float64, 1e-4 in float32.
      const rtol = c.dtype === "float64" ? 1e-5 : 1e-4;
      assertClose(logits, c.logits, "logits", rtol, rtol * 1e-2);
      assert.ok(Math.abs(loss!.item() - c.loss) <= rtol * Math.abs(c.loss), `loss ${loss!.item()} vs ${c.loss}`);
      loss!.backward();
      const named = model.namedParameters();
      assert.deepEqual(named.map(([n]) => n).sort(), Object.keys(c.grads).sort(), "the same parameters, the tied one once");
      for (const [name, p] of named) assertClose(p.grad!, c.grads[name]!, `grad of ${name}`, c.dtype === "float64" ? 1e-8 : 1e-3, c.dtype === "float64" ? 1e-10 : 1e-5);
    });
  }
});

describe("a chainrule GPT checkpoint loads into PyTorch", () => {
  const c = fixture.fromChainrule;
  test("PyTorch's logits for chainrule's file (load_state_dict strict at fixture time) match chainrule's", () => {
    const { tensors, metadata } = cr.safetensors.loadWithMetadata(fixturePath(c.file));
    const config = JSON.parse(metadata!["chainrule.gpt"]!) as cr.models.GPTConfig;
    assert.deepEqual(config, c.config);
    const model = new GPT(config);
    model.loadStateDict(tensors);
    const [logits, loss] = model.forward(decode(c.idx), decode(c.targets));
    assertClose(logits, c.logits, "logits", 1e-4, 1e-6);
    assert.ok(Math.abs(loss!.item() - c.loss) < 1e-4 * c.loss);
    // The committed file is what chainrule writes: the same model saves to the same bytes.
    const again = cr.safetensors.serialize(model.stateDict(), metadata);
    assert.deepEqual(Buffer.from(again), readFileSync(fixturePath(c.file)));
  });
});

describe("GPT structure", () => {
  test("nanoGPT's state-dict names and shapes, lm_head tied to wte", () => {
    const m = new GPT({ ...tiny, nLayer: 1 });
    const shapes = Object.entries(m.stateDict()).map(([k, t]) => `${k} ${t.shape.join("x")}`);
    assert.deepEqual(shapes, [
      "transformer.wte.weight 11x8", "transformer.wpe.weight 8x8",
      "transformer.h.0.ln_1.weight 8", "transformer.h.0.ln_1.bias 8",
      "transformer.h.0.attn.c_attn.weight 24x8", "transformer.h.0.attn.c_attn.bias 24",
      "transformer.h.0.attn.c_proj.weight 8x8", "transformer.h.0.attn.c_proj.bias 8",
      "transformer.h.0.ln_2.weight 8", "transformer.h.0.ln_2.bias 8",
      "transformer.h.0.mlp.c_fc.weight 32x8", "transformer.h.0.mlp.c_fc.bias 32",
      "transformer.h.0.mlp.c_proj.weight 8x32", "transformer.h.0.mlp.c_proj.bias 8",
      "transformer.ln_f.weight 8", "transformer.ln_f.bias 8", "lm_head.weight 11x8",
    ]);
    assert.equal(m.lm_head.weight, m.transformer.wte.weight);
    assert.ok(!Object.keys(new GPT({ ...tiny, bias: false }).stateDict()).some((k) => k.endsWith(".bias")));
  });

  test("nanoGPT's initialisation: N(0, 0.02), residual projections N(0, 0.02/sqrt(2·nLayer)), zero biases", () => {
    cr.manualSeed(0);
    const m = new GPT({ vocabSize: 64, blockSize: 64, nLayer: 8, nHead: 4, nEmbd: 128 });
    const std = (t: Tensor) => t.std().item();
    assert.ok(Math.abs(std(m.transformer.wte.weight) - 0.02) < 0.001);
    assert.ok(Math.abs(std(m.transformer.wpe.weight) - 0.02) < 0.001);
    const block = m.transformer.h[0]!;
    assert.ok(Math.abs(std(block.attn.c_attn.weight) - 0.02) < 0.0005);
    assert.ok(Math.abs(std(block.mlp.c_fc.weight) - 0.02) < 0.0005);
    assert.ok(Math.abs(std(block.attn.c_proj.weight) - 0.005) < 0.0003);
    assert.ok(Math.abs(std(block.mlp.c_proj.weight) - 0.005) < 0.0002);
    assert.equal(block.attn.c_attn.bias!.abs().sum().item(), 0);
    assert.equal(block.ln_1.weight!.mean().item(), 1);
    assert.equal(m.getNumParams(), m.getNumParams(false) - 64 * 128);
  });

  test("configureOptimizers: AdamW with weight decay on 2-D parameters only", () => {
    const m = new GPT(tiny);
    const opt = m.configureOptimizers({ weightDecay: 0.1, learningRate: 3e-3, betas: [0.9, 0.99] });
    assert.ok(opt instanceof cr.optim.AdamW);
    const [decay, rest] = opt.paramGroups;
    assert.equal(decay!.weightDecay, 0.1);
    assert.equal(rest!.weightDecay, 0);
    assert.equal(decay!.lr, 3e-3);
    assert.deepEqual(decay!.betas, [0.9, 0.99]);
    assert.ok(decay!.params.every((p) => p.ndim === 2) && rest!.params.every((p) => p.ndim === 1));
    assert.equal(decay!.params.length, 2 + 4 * tiny.nLayer); // wte (= lm_head), wpe, and 4 matrices per block
    assert.equal(rest!.params.length, 2 + 8 * tiny.nLayer); // ln_f, and per block 2 LayerNorms and 4 biases
    assert.equal(decay!.params.length + rest!.params.length, m.parameters().length);
  });

  test("the loss is the cross entropy over targets that are not -1", () => {
    const m = new GPT(tiny, { dtype: "float64" });
    const x = cr.randint(0, 11, [2, 8]);
    const y = cr.where(cr.rand([2, 8]).lt(0.3), -1, cr.randint(0, 11, [2, 8])).to("int32");
    const [logits, loss] = m.forward(x, y);
    assert.deepEqual(logits.shape, [2, 8, 11]);
    const keep = y.reshape([-1]).ne(-1);
    const lp = logits.reshape([-1, 11]).logSoftmax(-1).gather(1, cr.where(keep, y.reshape([-1]), 0).to("int32").unsqueeze(1)).squeeze(1);
    const manual = cr.where(keep, lp, 0).sum().neg().div(keep.to("float64").sum());
    assert.ok(Math.abs(loss!.item() - manual.item()) < 1e-12);
    assert.equal(m.forward(x)[1], null);
  });

  test("loadStateDict accepts nanoGPT's variants: a _orig_mod. prefix, attn.bias buffers, one key of the tied pair", () => {
    const a = new GPT(tiny);
    const sd: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(a.stateDict())) if (k !== "transformer.wte.weight") sd[`_orig_mod.${k}`] = t;
    sd["_orig_mod.transformer.h.0.attn.bias"] = cr.ones([1, 1, 8, 8]);
    const b = new GPT(tiny);
    b.loadStateDict(sd);
    assert.deepEqual(b.transformer.wte.weight.tolist(), a.lm_head.weight.tolist());
    assert.throws(() => b.loadStateDict({ ...a.stateDict(), extra: cr.ones([1]) }), /Unexpected key/);
  });

  test("errors name the problem", () => {
    const m = new GPT(tiny);
    assert.throws(() => m.forward(cr.zeros([1, 9], { dtype: "int32" })), /length 9, the block size is only 8/);
    assert.throws(() => m.forward(cr.zeros([1, 3])), cr.DTypeError);
    assert.throws(() => m.forward(cr.zeros([3], { dtype: "int32" })), /\[batch, time\]/);
    assert.throws(() => m.forward(cr.zeros([1, 3], { dtype: "int32" }), cr.zeros([1, 2], { dtype: "int32" })), /targets/);
    assert.throws(() => new GPT({ nEmbd: 10, nHead: 3 }), /divisible/);
    assert.throws(() => new GPT({ vocabSize: 0 }), /vocabSize/);
    assert.throws(() => m.generate(ints([[1]]), 2, { temperature: -1 }), /temperature/);
    assert.throws(() => m.generate(ints([[1]]), 2, { topP: 0 }), /topP/);
    assert.throws(() => m.generate(ints([[1]]), 2, { topK: 1.5 }), /topK/);
    assert.throws(() => m.forward(ints([[20]])), /out of bounds/);
  });
});

describe("the key/value cache", () => {
  test("feeding a sequence in pieces through a cache gives the logits of one full forward", () => {
    cr.manualSeed(1);
    const m = new GPT({ ...tiny, dropout: 0.1 }, { dtype: "float64" }).eval();
    const x = cr.randint(0, 11, [2, 8]);
    const [full] = m.forward(x);
    const cache = new cr.models.KVCache();
    const pieces = [m.forward(x.narrow(1, 0, 3), null, { cache })[0], m.forward(x.narrow(1, 3, 1), null, { cache })[0], m.forward(x.narrow(1, 4, 4), null, { cache })[0]];
    assert.equal(cache.length, 8);
    assertClose(cr.cat(pieces, 1), full, "cached logits", 1e-10, 1e-12);
    assert.throws(() => m.forward(x.narrow(1, 0, 1), null, { cache }), /length 9 \(8 cached\)/);
    cache.clear();
    assert.equal(cache.length, 0);
  });

  test("lastPosition gives the full forward's last logits, and caches every position's keys and values", () => {
    cr.manualSeed(3);
    const m = new GPT(tiny, { dtype: "float64" }).eval();
    const x = cr.randint(0, 11, [2, 6]);
    const [full] = m.forward(x);
    const [last] = m.forward(x, null, { lastPosition: true });
    assert.deepEqual(last.shape, [2, 1, 11]);
    assertClose(last, full.narrow(1, 5, 1), "last logits", 1e-10, 1e-12);
    // Through a cache: a chunk's last logits, then the next token's, equal the full forward's.
    const cache = new cr.models.KVCache();
    const [a] = m.forward(x.narrow(1, 0, 4), null, { cache, lastPosition: true });
    assert.equal(cache.length, 4);
    const [b] = m.forward(x.narrow(1, 4, 2), null, { cache, lastPosition: true });
    const [c] = m.forward(x.narrow(1, 5, 1), null, { cache: (() => { const k = new cr.models.KVCache(); m.forward(x.narrow(1, 0, 5), null, { cache: k, lastPosition: true }); return k; })(), lastPosition: true });
    assertClose(a, full.narrow(1, 3, 1), "chunk's last logits", 1e-10, 1e-12);
    assertClose(b, full.narrow(1, 5, 1), "after the cache", 1e-10, 1e-12);
    assertClose(c, full.narrow(1, 5, 1), "one token after a cached chunk", 1e-10, 1e-12);
    assert.throws(() => m.forward(x, x, { lastPosition: true }), /lastPosition/);
  });

  test("generation with the cache gives the tokens of generation without it (greedy, and sampled with one seed), past the block size", () => {
    const m = new GPT(tiny, { dtype: "float64" }).eval();
    const prompt = ints([[1, 2, 3], [4, 5, 6]]);
    const greedy = m.generate(prompt, 12, { temperature: 0 });
    assert.deepEqual(greedy.shape, [2, 15]);
    assert.deepEqual(greedy.tolist(), m.generate(prompt, 12, { temperature: 0, useCache: false }).tolist());
    assert.deepEqual(greedy.narrow(1, 0, 3).tolist(), prompt.tolist());
    const sample = (useCache: boolean) => m.generate(prompt, 12, { temperature: 1.3, topK: 6, topP: 0.9, generator: new cr.Generator(5), useCache }).tolist();
    assert.deepEqual(sample(true), sample(false));
    assert.notDeepEqual(sample(true), greedy.tolist());
  });

  test("a prompt longer than the block size is cropped, and onToken streams each step", () => {
    const m = new GPT(tiny).eval();
    const steps: number[][] = [];
    const out = m.generate(ints([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1]]), 4, { temperature: 0, onToken: (t, i) => steps.push([i, ...t]) });
    assert.deepEqual(out.shape, [1, 16]);
    assert.deepEqual(steps.map((s) => s[0]), [0, 1, 2, 3]);
    assert.deepEqual(steps.map((s) => s[1]), out.narrow(1, 12, 4).reshape([-1]).tolist());
  });
});

describe("generation keeps no cache it will not read", () => {
  test("once the window is full each step re-reads it, holding no keys and values across steps (as many live tensors as without the cache)", () => {
    cr.manualSeed(4);
    const m = new GPT(tiny).eval();
    // Live tensors after each step, less those after the first (a step's own tensors are freed by then).
    const liveAt = (useCache: boolean): number[] => {
      const counts: number[] = [];
      m.generate(ints([[1, 2, 3]]), 10, { temperature: 0, useCache, onToken: () => counts.push(cr.memory().numTensors) });
      return counts.map((c) => c - counts[0]!);
    };
    // Steps 0–5 end with 4–9 tokens, the cache holding k and v of each layer for the next; from step 6 on the
    // window is full (8 tokens) and read afresh each step, so no step's keys and values are kept.
    const held = 2 * tiny.nLayer;
    assert.deepEqual(liveAt(true), [0, 0, 0, 0, 0, 0, -held, -held, -held, -held]);
    assert.deepEqual(liveAt(false), new Array<number>(10).fill(0));
  });

  test("on wasm too: the tokens with the cache are those without it, past the block size (greedy and sampled)", () => {
    onBackend("wasm", () => {
      cr.manualSeed(6);
      const m = new GPT({ ...tiny, vocabSize: 13 }).eval();
      cr.noGrad(() => {
        for (const p of m.parameters()) cr.nn.init.normal_(p, 0, 0.5); // spread-out logits: the tokens vary
      });
      const prompt = ints([[1, 2, 3]]);
      const greedy = m.generate(prompt, 14, { temperature: 0 });
      assert.deepEqual(greedy.tolist(), m.generate(prompt, 14, { temperature: 0, useCache: false }).tolist());
      assert.ok(new Set(greedy.toTypedArray()).size > 2, `tokens ${JSON.stringify(greedy.tolist())}`);
      const sample = (useCache: boolean) => m.generate(prompt, 14, { temperature: 1, topK: 8, generator: new cr.Generator(2), useCache }).tolist();
      assert.deepEqual(sample(true), sample(false));
    });
  });
});

describe("sampleToken", () => {
  const sample = cr.models.sampleToken;
  test("temperature 0 is the arg-max", () => {
    assert.equal(sample([0.1, 3, -2, 2.9], { temperature: 0 }), 1);
  });

  test("draws follow the softmax, and topK / topP keep only the likeliest tokens", () => {
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    const g = new cr.Generator(3);
    const counts = (o: cr.models.SamplingOptions) => {
      const c = [0, 0, 0, 0];
      for (let i = 0; i < 20000; i++) c[sample(logits, { ...o, generator: g })]!++;
      return c.map((n) => n / 20000);
    };
    const plain = counts({});
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => assert.ok(Math.abs(plain[i]! - p) < 0.015, `p[${i}] ${plain[i]}`));
    const k2 = counts({ topK: 2 });
    assert.deepEqual(k2.slice(2), [0, 0]);
    assert.ok(Math.abs(k2[0]! - 0.625) < 0.015);
    const p = counts({ topP: 0.7 }); // 0.5 < 0.7, 0.5 + 0.3 >= 0.7: the first two
    assert.deepEqual(p.slice(2), [0, 0]);
    const p1 = counts({ topP: 0.4 }); // the most likely token alone
    assert.deepEqual(p1, [1, 0, 0, 0]);
    const hot = counts({ temperature: 100 });
    assert.ok(hot.every((q) => Math.abs(q - 0.25) < 0.02));
  });

  test("all -Infinity is refused", () => {
    assert.throws(() => sample([-Infinity, -Infinity]), /no finite maximum/);
  });
});

describe("training", () => {
  test("AdamW with clipping learns a repeating sequence", () => {
    cr.manualSeed(2);
    const m = new GPT({ vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 });
    const opt = m.configureOptimizers({ learningRate: 1e-2, weightDecay: 0.1 });
    const seq = Array.from({ length: 9 }, (_, i) => i % 5);
    const x = ints([seq.slice(0, 8)]), y = ints([seq.slice(1)]);
    let first = 0, last = 0;
    for (let i = 0; i < 60; i++) {
      last = cr.tidy(() => {
        const [, loss] = m.forward(x, y);
        opt.zeroGrad();
        loss!.backward();
        cr.optim.clipGradNorm_(m.parameters(), 1);
        opt.step();
        return loss!.item();
      });
      if (i === 0) first = last;
    }
    assert.ok(first > 1.4 && last < 0.1, `loss ${first} -> ${last}`);
    m.eval();
    assert.deepEqual(m.generate(ints([[0, 1]]), 6, { temperature: 0 }).tolist(), [[0, 1, 2, 3, 4, 0, 1, 2]]);
  });
});
