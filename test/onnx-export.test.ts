// cr.onnx.export checked by running the exported files in ONNX Runtime (onnxruntime-node, CPU) against
// chainrule's own forward pass: an MLP, a CNN and a small GPT (and the other mapped modules) at two batch sizes
// each, agreeing to 1e-5 relative (the largest difference over the largest magnitude of chainrule's output).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import * as cr from "chainrule";

const dir = mkdtempSync(join(tmpdir(), "chainrule-onnx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

type AnyModel = cr.nn.Module<cr.Tensor[], unknown>;
const RTOL = 1e-5;

function ortTensor(x: cr.Tensor): ort.Tensor {
  if (x.dtype === "float32") return new ort.Tensor("float32", x.toTypedArray() as Float32Array, [...x.shape]);
  if (x.dtype === "int32") return new ort.Tensor("int32", x.toTypedArray() as Int32Array, [...x.shape]);
  throw new Error(`no ort tensor for ${x.dtype}`);
}

function outputsOf(model: AnyModel, inputs: cr.Tensor[]): cr.Tensor[] {
  const out = cr.noGrad(() => (model.forward as (...a: cr.Tensor[]) => unknown)(...inputs));
  return (Array.isArray(out) ? out : [out]).filter((o): o is cr.Tensor => o instanceof cr.Tensor);
}

function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return scale === 0 ? err : err / scale;
}

/** Exports `model` on `inputs[0]`, then runs the file on every batch of inputs and compares with chainrule. */
async function checkAgainstOrt(model: AnyModel, batches: cr.Tensor[][], options: cr.onnx.OnnxExportOptions = {}): Promise<ort.InferenceSession> {
  const path = join(dir, `${model.constructor.name}-${Math.random().toString(36).slice(2)}.onnx`);
  const wasTraining = model.training;
  cr.onnx.export(model, batches[0]!, path, options); // exported in eval mode
  assert.equal(model.training, wasTraining, "the model's mode is restored");
  model.eval();
  const session = await ort.InferenceSession.create(readFileSync(path));
  for (const inputs of batches) {
    const feeds: Record<string, ort.Tensor> = {};
    inputs.forEach((x, i) => (feeds[session.inputNames[i]!] = ortTensor(x)));
    const results = await session.run(feeds);
    const want = outputsOf(model, inputs);
    assert.equal(session.outputNames.length, want.length);
    want.forEach((w, i) => {
      const got = results[session.outputNames[i]!]!;
      assert.deepEqual([...got.dims], [...w.shape], `output ${i} shape at batch ${inputs[0]!.shape[0]}`);
      const e = relativeError(got.data as Float32Array, w.toTypedArray() as Float32Array);
      assert.ok(e <= RTOL, `${model.constructor.name} output ${i} at input shape [${inputs[0]!.shape.join(", ")}]: relative error ${e}`);
    });
  }
  return session;
}

test("an MLP (Linear, activations, LayerNorm, BatchNorm1d and Dropout in eval) matches ONNX Runtime at two batch sizes", async () => {
  cr.manualSeed(1);
  const bn = new cr.nn.BatchNorm1d(16);
  const model = new cr.nn.Sequential(
    new cr.nn.Linear(6, 16), new cr.nn.ReLU(), bn, new cr.nn.Dropout(0.5),
    new cr.nn.Linear(16, 16), new cr.nn.GELU(), new cr.nn.LayerNorm(16),
    new cr.nn.Linear(16, 16), new cr.nn.Tanh(), new cr.nn.Linear(16, 8), new cr.nn.Sigmoid(),
    new cr.nn.Linear(8, 8), new cr.nn.SiLU(), new cr.nn.Linear(8, 3), new cr.nn.LogSoftmax(1),
  );
  // Running statistics that are not the initial ones, as after training.
  model.train();
  cr.noGrad(() => model.forward(cr.randn([32, 6]).mul(3).add(1)));
  const session = await checkAgainstOrt(model, [[cr.randn([4, 6])], [cr.randn([9, 6])]]);
  assert.deepEqual(session.inputNames, ["input"]);
  assert.deepEqual(session.outputNames, ["output"]);
});

test("a CNN (Conv2d, BatchNorm2d, max and average pooling, Flatten) matches ONNX Runtime at two batch sizes", async () => {
  cr.manualSeed(2);
  const model = new cr.nn.Sequential(
    new cr.nn.Conv2d(3, 4, 3, { padding: 1 }), new cr.nn.BatchNorm2d(4), new cr.nn.ReLU(), new cr.nn.MaxPool2d(2),
    new cr.nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 1 }), new cr.nn.ReLU(), new cr.nn.AvgPool2d(2),
    new cr.nn.Flatten(), new cr.nn.Linear(6, 5),
  );
  model.train();
  cr.noGrad(() => model.forward(cr.randn([8, 3, 8, 8])));
  await checkAgainstOrt(model, [[cr.randn([2, 3, 8, 8])], [cr.randn([5, 3, 8, 8])]], { inputNames: ["image"], outputNames: ["logits"] });
});

test("a small GPT (embeddings, LayerNorm, attention with its causal mask, GELU) matches ONNX Runtime at two batch sizes", async () => {
  cr.manualSeed(3);
  const gpt = new cr.models.GPT({ vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 });
  const tokens = (b: number) => cr.randint(0, 13, [b, 6]).int();
  const session = await checkAgainstOrt(gpt as unknown as AnyModel, [[tokens(2)], [tokens(5)]], { inputNames: ["idx"], outputNames: ["logits"] });
  assert.deepEqual(session.outputNames, ["logits"]);
});

test("MultiheadAttention's two results, and a dynamic axis named by the caller", async () => {
  cr.manualSeed(4);
  const mha = new cr.nn.MultiheadAttention(8, 2, { batchFirst: true });
  const x = (b: number) => cr.randn([b, 5, 8]);
  const model = new (class Attention extends cr.nn.Module<[cr.Tensor], cr.Tensor[]> {
    mha = mha;
    forward(q: cr.Tensor): cr.Tensor[] {
      const [out, weights] = this.mha.forward(q, q, q, { isCausal: true, attnMask: null });
      return [out, weights!];
    }
  })();
  await checkAgainstOrt(model as unknown as AnyModel, [[x(3)], [x(1)]], { dynamicAxes: { input: { 0: "n" } } });
});

test("the graph's inputs and outputs carry the dynamic axes; fixed shapes when asked", async () => {
  const model = new cr.nn.Linear(4, 2);
  const dynamic = await ort.InferenceSession.create(cr.onnx.exportBytes(model, cr.randn([3, 4])));
  const ok = await dynamic.run({ input: new ort.Tensor("float32", new Float32Array(7 * 4), [7, 4]) });
  assert.deepEqual([...ok.output!.dims], [7, 2]);
  const fixed = await ort.InferenceSession.create(cr.onnx.exportBytes(model, cr.randn([3, 4]), { dynamicAxes: {} }));
  await assert.rejects(fixed.run({ input: new ort.Tensor("float32", new Float32Array(7 * 4), [7, 4]) }), /dimension|shape/i);
});

test("opset 18 exports run too (reductions take their axes as inputs)", async () => {
  cr.manualSeed(5);
  const model = new cr.nn.Sequential(new cr.nn.Linear(5, 7), new cr.nn.LayerNorm(7), new cr.nn.Softmax(1));
  model.eval();
  const x = cr.randn([3, 5]);
  const s = await ort.InferenceSession.create(cr.onnx.exportBytes(model, x, { opset: 18 }));
  const got = (await s.run({ input: ortTensor(x) })).output!.data as Float32Array;
  assert.ok(relativeError(got, outputsOf(model as AnyModel, [x])[0]!.toTypedArray() as Float32Array) <= RTOL);
});

test("an op without an ONNX mapping is a clear error naming it", () => {
  const model = new (class Cumulative extends cr.nn.Module<[cr.Tensor], cr.Tensor> {
    forward(x: cr.Tensor): cr.Tensor { return x.cumsum(1); }
  })();
  assert.throws(() => cr.onnx.exportBytes(model, cr.randn([2, 3])), (e: Error) => e instanceof cr.onnx.OnnxExportError && /'cumsum'/.test(e.message));
  const atan2 = new (class Angle extends cr.nn.Module<[cr.Tensor], cr.Tensor> {
    forward(x: cr.Tensor): cr.Tensor { return cr.atan2(x, x.add(1)); }
  })();
  assert.throws(() => cr.onnx.exportBytes(atan2, cr.randn([2, 3])), /elementwise op 'atan2'/);
});

test("bad arguments are refused, naming what is wrong", () => {
  const model = new cr.nn.Linear(4, 2);
  const x = cr.randn([2, 4]);
  assert.throws(() => cr.onnx.exportBytes(model, x, { opset: 13 }), /opset 13/);
  assert.throws(() => cr.onnx.exportBytes(model, x, { inputNames: ["a", "b"] }), /inputNames has 2 names for 1 inputs/);
  assert.throws(() => cr.onnx.exportBytes(model, x, { dynamicAxes: { pixels: { 0: "batch" } } }), /"pixels", which is not an input/);
  assert.throws(() => cr.onnx.exportBytes(model, x, { dynamicAxes: { input: { 2: "batch" } } }), /axis 2/);
});

test("a constant whose shape follows the batch is refused rather than baked in", () => {
  const model = new (class Shifted extends cr.nn.Module<[cr.Tensor], cr.Tensor> {
    forward(x: cr.Tensor): cr.Tensor { return x.add(cr.ones([x.shape[0]!, 1])); }
  })();
  assert.throws(() => cr.onnx.exportBytes(model, cr.randn([2, 3])), /changes shape with the dynamic axes/);
  // With fixed shapes it is a constant like any other.
  assert.ok(cr.onnx.exportBytes(model, cr.randn([2, 3]), { dynamicAxes: {} }).length > 0);
});

test("convolutions and max pooling become ONNX's Conv and MaxPool (grouped, strided, dilated, padded)", async () => {
  cr.manualSeed(6);
  const model = new cr.nn.Sequential(
    new cr.nn.Conv2d(4, 6, 3, { groups: 2, padding: 2, dilation: 2 }), new cr.nn.ReLU(),
    new cr.nn.MaxPool2d(3, { stride: 2, padding: 1 }),
    new cr.nn.Conv2d(6, 3, 2, { stride: 2, bias: false }),
  );
  await checkAgainstOrt(model, [[cr.randn([2, 4, 9, 9])], [cr.randn([3, 4, 9, 9])]]);
  const text = new TextDecoder().decode(cr.onnx.exportBytes(model, cr.randn([1, 4, 9, 9])));
  for (const op of ["Conv", "MaxPool"]) assert.ok(text.includes(op), op);
  // The primitives' own forms (a product of columns, a gather of winners) are gone.
  for (const op of ["MatMul", "GatherElements", "Mod"]) assert.ok(!text.includes(op), `${op} left in the graph`);
});

test("unfold and pooling indices used on their own keep their general forms", async () => {
  cr.manualSeed(7);
  const model = new (class Windows extends cr.nn.Module<[cr.Tensor], cr.Tensor[]> {
    forward(x: cr.Tensor): cr.Tensor[] {
      const [pooled, indices] = cr.maxPool2dWithIndices(x, 2);
      return [cr.unfold(x, [2, 3], { padding: 1, stride: [1, 2] }), pooled, indices.float()];
    }
  })();
  await checkAgainstOrt(model as unknown as AnyModel, [[cr.randn([2, 3, 6, 6])], [cr.randn([1, 3, 6, 6])]]);
});

test("1-d and 3-d convolutions and pooling (ceil mode included) match ONNX Runtime at two batch sizes", async () => {
  cr.manualSeed(8);
  const volumes = new cr.nn.Sequential(
    new cr.nn.Conv3d(2, 4, 3, { padding: 1, stride: [1, 2, 1] }), new cr.nn.ReLU(),
    new cr.nn.MaxPool3d(2, { ceilMode: true }),
    new cr.nn.Conv3d(4, 4, [2, 1, 2], { groups: 2, padding: "same" }), new cr.nn.Tanh(),
    new cr.nn.AvgPool3d([2, 2, 3], { stride: [1, 2, 2], padding: [1, 0, 1], ceilMode: true, countIncludePad: false }),
  );
  await checkAgainstOrt(volumes, [[cr.randn([2, 2, 5, 7, 6])], [cr.randn([3, 2, 5, 7, 6])]]);
  const text = new TextDecoder().decode(cr.onnx.exportBytes(volumes, cr.randn([1, 2, 5, 7, 6])));
  for (const op of ["Conv", "MaxPool"]) assert.ok(text.includes(op), op);
  for (const op of ["MatMul", "GatherElements", "Mod"]) assert.ok(!text.includes(op), `${op} left in the graph`);

  const signals = new cr.nn.Sequential(
    new cr.nn.Conv1d(3, 4, 3, { padding: 2, dilation: 2 }), new cr.nn.ReLU(),
    new cr.nn.MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true }),
    new cr.nn.Conv1d(4, 2, 2, { padding: "same" }),
    new cr.nn.AvgPool1d(2, { ceilMode: true }),
  );
  await checkAgainstOrt(signals, [[cr.randn([2, 3, 10])], [cr.randn([4, 3, 10])]]);
});

test("ceil-mode 2-d pooling, which runs on the N-d windows, matches ONNX Runtime", async () => {
  cr.manualSeed(9);
  const model = new cr.nn.Sequential(
    new cr.nn.MaxPool2d(2, { ceilMode: true }),
    new cr.nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    new cr.nn.MaxPool2d([2, 3], { stride: [3, 2], ceilMode: true }),
  );
  await checkAgainstOrt(model, [[cr.randn([2, 3, 13, 11])], [cr.randn([1, 3, 13, 11])]]);
  const indices = new (class Winners extends cr.nn.Module<[cr.Tensor], cr.Tensor[]> {
    forward(x: cr.Tensor): cr.Tensor[] {
      const [pooled, at] = cr.nn.functional.maxPool3dWithIndices(x, 2, { ceilMode: true });
      return [pooled.mul(2), at.float()];
    }
  })();
  await checkAgainstOrt(indices as unknown as AnyModel, [[cr.randn([2, 2, 5, 4, 3])], [cr.randn([1, 2, 5, 4, 3])]]);
});

test("transposed convolutions (1-d, 2-d, 3-d; strided, padded, grouped, with output padding) match ONNX Runtime", async () => {
  cr.manualSeed(10);
  const model2d = new cr.nn.Sequential(
    new cr.nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), new cr.nn.ReLU(),
    new cr.nn.ConvTranspose2d(6, 2, [2, 3], { dilation: [2, 1], bias: false }),
  );
  await checkAgainstOrt(model2d, [[cr.randn([2, 4, 5, 4])], [cr.randn([3, 4, 5, 4])]]);
  const model1d = new cr.nn.Sequential(
    new cr.nn.ConvTranspose1d(3, 2, 4, { stride: 3, padding: 2, outputPadding: 2 }), new cr.nn.GELU(),
    new cr.nn.ConvTranspose1d(2, 2, 1, { stride: 2 }),
  );
  await checkAgainstOrt(model1d, [[cr.randn([2, 3, 7])], [cr.randn([1, 3, 7])]]);
  const model3d = new cr.nn.Sequential(new cr.nn.ConvTranspose3d(2, 3, [2, 3, 2], { stride: [2, 1, 2], padding: [0, 1, 1], outputPadding: [1, 0, 0] }));
  await checkAgainstOrt(model3d, [[cr.randn([2, 2, 3, 4, 3])], [cr.randn([3, 2, 3, 4, 3])]]);
  // 2-d and 3-d become ONNX's own ConvTranspose; 1-d (computed as 2-d over a height of 1) keeps the general form.
  for (const [model, shape] of [[model2d, [1, 4, 5, 4]], [model3d, [1, 2, 3, 4, 3]]] as const) {
    const text = new TextDecoder().decode(cr.onnx.exportBytes(model, cr.randn([...shape])));
    assert.ok(text.includes("ConvTranspose"), "ConvTranspose");
    assert.ok(!text.includes("MatMul"), "MatMul left in the graph");
  }
});

test("adaptive pooling in 1, 2 and 3 dims (bins that divide and that overlap) matches ONNX Runtime", async () => {
  cr.manualSeed(11);
  const model = new (class Adaptive extends cr.nn.Module<[cr.Tensor], cr.Tensor[]> {
    forward(x: cr.Tensor): cr.Tensor[] {
      return [
        cr.nn.functional.adaptiveAvgPool3d(x, [1, 2, 3]), cr.nn.functional.adaptiveMaxPool3d(x, [2, 3, 2]),
        cr.nn.functional.adaptiveAvgPool2d(x.flatten(2, 3), [3, 2]), cr.nn.functional.adaptiveMaxPool1d(x.flatten(2), 4),
      ];
    }
  })();
  await checkAgainstOrt(model as unknown as AnyModel, [[cr.randn([2, 3, 4, 5, 6])], [cr.randn([1, 3, 4, 5, 6])]]);
});

test("unfold and fold of N-d windows keep their general forms", async () => {
  cr.manualSeed(12);
  const model = new (class Folding extends cr.nn.Module<[cr.Tensor], cr.Tensor[]> {
    forward(x: cr.Tensor): cr.Tensor[] {
      const cols = cr.unfold(x, [2, 3], { padding: 1, stride: [1, 2] });
      return [cols, cr.fold(cols.mul(2), [5, 6], [2, 3], { padding: 1, stride: [1, 2] })];
    }
  })();
  await checkAgainstOrt(model as unknown as AnyModel, [[cr.randn([2, 3, 5, 6])], [cr.randn([1, 3, 5, 6])]]);
});
