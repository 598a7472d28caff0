// MultiheadAttention and the transformer layers against PyTorch 1.13 (test/fixtures/torch-attention.json, from
// tools/gen_torch_attention_fixtures.py): PyTorch's state dict loads strictly, and outputs and gradients agree.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { assertClose, decode, tolerance } from "./helpers/fixture.js";
import type { Encoded } from "./helpers/fixture.js";

const nn = cr.nn;
type Tensor = cr.Tensor;
type Kw = Record<string, unknown>;

interface ModuleCase {
  kind: "module";
  name: string;
  module: string;
  args: number[];
  kwargs: Kw;
  dtype: "float32" | "float64";
  state: Record<string, Encoded>;
  inputs: Encoded[];
  forward: Record<string, Encoded | boolean>;
  outputs: Encoded[];
  returnsWeights: boolean;
  gradOutputs: Encoded[];
  grads: (Encoded | null)[];
  paramGrads: Record<string, Encoded>;
  call?: "self" | "cross" | "kv";
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-attention.json", import.meta.url), "utf8")) as { cases: { kind: string }[] };
const moduleCases = fixture.cases.filter((c): c is ModuleCase => c.kind === "module");

const camel = (k: string): string => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** PyTorch's keyword arguments in chainrule's spelling (tensors decoded). */
function options(kw: Record<string, unknown>): Kw {
  const out: Kw = {};
  for (const [k, v] of Object.entries(kw)) out[camel(k)] = v !== null && typeof v === "object" && "shape" in v ? decode(v as Encoded) : v;
  return out;
}

function layerOptions(kw: Kw, dtype: cr.DType): cr.nn.TransformerLayerOptions {
  const o = options(kw);
  return { dimFeedforward: o.dimFeedforward as number, dropout: o.dropout as number, normFirst: o.normFirst as boolean | undefined,
    batchFirst: o.batchFirst as boolean | undefined, activation: o.activation as "relu" | "gelu" | undefined, dtype };
}

function build(c: ModuleCase): cr.nn.AnyModule {
  const d = c.dtype;
  switch (c.module) {
    case "MultiheadAttention":
      return new nn.MultiheadAttention(c.args[0]!, c.args[1]!, { ...(options(c.kwargs) as cr.nn.MultiheadAttentionOptions), dtype: d });
    case "TransformerEncoderLayer":
      return new nn.TransformerEncoderLayer(c.args[0]!, c.args[1]!, layerOptions(c.kwargs, d));
    case "TransformerDecoderLayer":
      return new nn.TransformerDecoderLayer(c.args[0]!, c.args[1]!, layerOptions(c.kwargs, d));
    case "TransformerEncoder": {
      const { num_layers: n, norm, ...rest } = c.kwargs;
      return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(c.args[0]!, c.args[1]!, layerOptions(rest, d)), n as number,
        { norm: norm ? new nn.LayerNorm(c.args[0]!, { dtype: d }) : null });
    }
    case "TransformerDecoder": {
      const { num_layers: n, norm, ...rest } = c.kwargs;
      return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(c.args[0]!, c.args[1]!, layerOptions(rest, d)), n as number,
        { norm: norm ? new nn.LayerNorm(c.args[0]!, { dtype: d }) : null });
    }
    case "Transformer":
      return new nn.Transformer({ ...(options(c.kwargs) as cr.nn.TransformerOptions), dtype: d });
    default:
      throw new Error(`unknown module ${c.module}`);
  }
}

function run(c: ModuleCase, m: cr.nn.AnyModule, inputs: Tensor[]): Tensor[] {
  const kw = options(c.forward);
  if (m instanceof nn.MultiheadAttention) {
    const [q, k = q, v = k] = inputs as [Tensor, Tensor?, Tensor?];
    const [out, w] = m.forward(q, c.call === "self" ? q : k!, c.call === "kv" ? v! : k!, kw);
    return w === null ? [out] : [out, w];
  }
  if (m instanceof nn.TransformerEncoderLayer) return [m.forward(inputs[0]!, kw)];
  if (m instanceof nn.TransformerEncoder) return [m.forward(inputs[0]!, { mask: kw.mask as Tensor | undefined, srcKeyPaddingMask: kw.srcKeyPaddingMask as Tensor })];
  if (m instanceof nn.TransformerDecoderLayer || m instanceof nn.TransformerDecoder) return [m.forward(inputs[0]!, inputs[1]!, kw)];
  if (m instanceof nn.Transformer) return [m.forward(inputs[0]!, inputs[1]!, kw)];
  throw new Error("unreachable");
}

describe("attention modules agree with PyTorch 1.13 (state dict, outputs, gradients)", () => {
  assert.ok(moduleCases.length >= 20);
  for (const c of moduleCases) {
    test(c.name, () => {
      const { rtol, atol } = tolerance(c.dtype);
      const m = build(c);
      const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)]));
      assert.deepEqual(Object.keys(m.stateDict()), Object.keys(c.state), "state-dict keys and their order");
      m.loadStateDict(state);
      const inputs = c.inputs.map((e) => decode(e).requiresGrad_(true));
      const outs = run(c, m, inputs);
      assert.equal(outs.length, c.outputs.length, "number of outputs");
      outs.forEach((o, i) => assertClose(o, c.outputs[i]!, `output ${i}`, rtol, atol));
      outs.map((o, i) => o.mul(decode(c.gradOutputs[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
      inputs.forEach((x, i) => assertClose(x.grad!, c.grads[i]!, `grad of input ${i}`, rtol, atol));
      for (const [name, p] of m.namedParameters()) assertClose(p.grad!, c.paramGrads[name]!, `grad of ${name}`, rtol, atol);
    });
  }
});

describe("MultiheadAttention", () => {
  test("defaults and parameter layout follow PyTorch", () => {
    const mha = new nn.MultiheadAttention(12, 3);
    assert.deepEqual(mha.namedParameters().map(([n, p]) => [n, p.shape]), [
      ["in_proj_weight", [36, 12]], ["in_proj_bias", [36]], ["out_proj.weight", [12, 12]], ["out_proj.bias", [12]],
    ]);
    assert.equal(mha.inProjBias!.abs().sum().item(), 0);
    assert.equal(mha.outProj.bias!.abs().sum().item(), 0);
    // Xavier-uniform on [36, 12]: bound sqrt(6 / 48).
    assert.ok(mha.inProjWeight!.abs().amax().item() <= Math.sqrt(6 / 48));
    const sep = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false, addBiasKv: true });
    assert.deepEqual(sep.namedParameters().map(([n, p]) => [n, p.shape]), [
      // A module's own parameters come before its children's, as in PyTorch.
      ["q_proj_weight", [8, 8]], ["k_proj_weight", [8, 3]], ["v_proj_weight", [8, 5]], ["bias_k", [1, 1, 8]], ["bias_v", [1, 1, 8]], ["out_proj.weight", [8, 8]],
    ]);
  });

  test("fully masked query rows give zeros instead of PyTorch's NaN", () => {
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = cr.randn([1, 3, 4]);
    const [out, w] = mha.forward(x, x, x, { keyPaddingMask: cr.tensor([[true, true, true]]) });
    assert.ok(out.isfinite().all().item());
    assert.equal(w!.abs().sum().item(), 0);
  });

  test("isCausal without a mask applies the causal mask", () => {
    const mha = new nn.MultiheadAttention(6, 2);
    const x = cr.randn([5, 2, 6]);
    const mask = nn.Transformer.generateSquareSubsequentMask(5);
    const [a, wa] = mha.forward(x, x, x, { attnMask: mask });
    const [b, wb] = mha.forward(x, x, x, { isCausal: true });
    assertClose(b, a, "output", 1e-6, 1e-6);
    assertClose(wb!, wa!, "weights", 1e-6, 1e-6);
  });

  test("dropout acts in training only", () => {
    const mha = new nn.MultiheadAttention(8, 2, { dropout: 0.5, batchFirst: true });
    const x = cr.randn([2, 6, 8]);
    cr.manualSeed(1);
    const [, w1] = mha.forward(x, x, x, { averageAttnWeights: false });
    assert.ok(w1!.eq(0).any().item(), "some weights dropped in training");
    mha.eval();
    const [o2, w2] = mha.forward(x, x, x, { averageAttnWeights: false });
    const [o3] = mha.forward(x, x, x);
    assert.ok(!w2!.eq(0).any().item());
    assertClose(o2, o3, "deterministic in eval", 0, 0);
  });

  test("bad inputs are refused with the shapes named", () => {
    const mha = new nn.MultiheadAttention(8, 2);
    const x = cr.randn([5, 2, 8]);
    assert.throws(() => new nn.MultiheadAttention(10, 3), /divisible/);
    assert.throws(() => mha.forward(cr.randn([5, 2, 6]), x, x), /6 features, expected embedDim 8/);
    assert.throws(() => mha.forward(x, cr.randn([4, 3, 8]), cr.randn([4, 3, 8])), /different batch sizes/);
    assert.throws(() => mha.forward(x, x, x, { attnMask: cr.ones([5, 4]).gt(0) }), /2-D attnMask is \[5,4\], but should be \[5,5\]/);
    assert.throws(() => mha.forward(x, x, x, { keyPaddingMask: cr.ones([5, 2]).gt(0) }), /keyPaddingMask is \[5,2\], but should be \[2,5\]/);
    assert.throws(() => mha.forward(x, x, x, { attnMask: cr.ones([3, 5, 5]).gt(0) }), /3-D attnMask is \[3,5,5\], but should be \[4,5,5\]/);
    assert.throws(() => mha.forward(x.double(), x, x), cr.DTypeError);
  });
});

describe("transformer layers", () => {
  test("PyTorch's defaults", () => {
    const layer = new nn.TransformerEncoderLayer(16, 4);
    assert.equal(layer.linear1.outFeatures, 2048);
    assert.equal(layer.dropout.p, 0.1);
    assert.equal(layer.norm1.eps, 1e-5);
    assert.equal(layer.normFirst, false);
    assert.equal(layer.batchFirst, false);
    assert.equal(layer.activation, "relu");
    const dec = new nn.TransformerDecoderLayer(16, 4);
    assert.deepEqual(Object.keys(dec.stateDict()).filter((k) => !k.includes("attn")),
      ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"]);
  });

  test("an encoder stacks copies of its layer, starting with equal weights as PyTorch's deep copies", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 3);
    assert.equal(enc.layers.length, 3);
    assert.notEqual(enc.layers[0], layer);
    assert.notEqual(enc.layers[0]!.linear1.weight, enc.layers[1]!.linear1.weight);
    assert.deepEqual(enc.layers[2]!.linear1.weight.tolist(), layer.linear1.weight.tolist());
    assert.ok(Object.keys(enc.stateDict()).includes("layers.2.self_attn.in_proj_weight"));
  });

  test("generateSquareSubsequentMask", () => {
    assert.deepEqual(nn.Transformer.generateSquareSubsequentMask(3).tolist(), [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
  });

  test("eval mode is deterministic and training with dropout is not", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.3, batchFirst: true });
    const x = cr.randn([2, 4, 8]);
    assert.ok(layer.forward(x).sub(layer.forward(x)).abs().amax().item() > 0);
    layer.eval();
    assert.equal(layer.forward(x).sub(layer.forward(x)).abs().amax().item(), 0);
  });

  test("a custom activation function", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: (t) => t.tanh() });
    const ref = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: "gelu" });
    ref.loadStateDict(layer.stateDict());
    const x = cr.randn([3, 2, 8]);
    assert.ok(layer.forward(x).sub(ref.forward(x)).abs().amax().item() > 1e-4);
    assert.throws(() => new nn.TransformerEncoderLayer(8, 2, { activation: "swish" as "relu" }), /activation/);
    const asModule = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: new nn.GELU() });
    asModule.loadStateDict(layer.stateDict());
    assertClose(asModule.forward(x), ref.forward(x), "a GELU module as the activation", 1e-6, 1e-6);
    assert.equal(asModule.namedChildren().at(-1)![0], "activation");
  });
});
