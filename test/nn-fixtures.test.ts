// Checks every cr.nn module and loss against PyTorch (test/fixtures/torch-nn.json, from tools/gen_torch_nn_fixtures.py):
// PyTorch's state_dict is loaded with loadStateDict (strict, so the names must match), then the forward
// output, the gradients of inputs and parameters, and the buffers after the pass are compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";


type Tensor = cr.Tensor;
type DTypeName = "float32" | "float64" | "int32" | "bool";

interface Encoded {
  readonly shape: number[];
  readonly dtype: DTypeName;
  readonly data: (number | boolean)[];
}
interface EncodedInput extends Encoded {
  readonly requiresGrad: boolean;
}
type Kwarg = number | boolean | string | null | number[] | (Encoded & { tensor: true });
interface Case {
  readonly name: string;
  readonly module: string;
  readonly args: (number | number[] | null)[];
  readonly kwargs: Readonly<Record<string, Kwarg>>;
  readonly dtype: "float32" | "float64";
  readonly train: boolean;
  readonly state: Readonly<Record<string, Encoded>>;
  readonly inputs: EncodedInput[];
  readonly output: Encoded;
  readonly gradOutput: Encoded | null;
  readonly grads: (Encoded | null)[];
  readonly paramGrads: Readonly<Record<string, Encoded>>;
  readonly stateAfter: Readonly<Record<string, Encoded>>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-nn.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };

function decode(e: Encoded): Tensor {
  return cr.tensor(e.data as number[], { dtype: e.dtype }).reshape(e.shape);
}

// ---- building the chainrule module from PyTorch's constructor arguments ----

type Size2 = number | [number, number];
const size2 = (v: unknown): Size2 => (Array.isArray(v) ? [v[0] as number, v[1] as number] : (v as number));
const opt = <T>(kw: Readonly<Record<string, Kwarg>>, key: string): T | undefined => (key in kw ? (kw[key] as T) : undefined);
const tensorKw = (kw: Readonly<Record<string, Kwarg>>, key: string): Tensor | undefined => {
  const v = kw[key];
  return v !== undefined && v !== null && typeof v === "object" && !Array.isArray(v) ? decode(v) : undefined;
};
const reduction = (kw: Readonly<Record<string, Kwarg>>) => opt<cr.nn.functional.Reduction>(kw, "reduction");

/** The equivalent of the generator's SmallCNN, written as a chainrule user would. */
class SmallCNN extends cr.nn.Module {
  features = new cr.nn.Sequential(new cr.nn.Conv2d(1, 3, 3, { padding: 1 }), new cr.nn.BatchNorm2d(3), new cr.nn.ReLU(), new cr.nn.MaxPool2d(2));
  classifier = new cr.nn.Sequential(new cr.nn.Flatten(), new cr.nn.Linear(3 * 2 * 2, 3));
  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

type Factory = (args: Case["args"], kw: Readonly<Record<string, Kwarg>>) => cr.nn.AnyModule;
const num = (v: unknown): number => v as number;

const factories: Record<string, Factory> = {
  Linear: (a, kw) => new cr.nn.Linear(num(a[0]), num(a[1]), { bias: opt(kw, "bias") }),
  Conv2d: (a, kw) =>
    new cr.nn.Conv2d(num(a[0]), num(a[1]), size2(a[2]), {
      stride: kw.stride === undefined ? undefined : size2(kw.stride),
      padding: typeof kw.padding === "string" ? (kw.padding as "same" | "valid") : kw.padding === undefined ? undefined : size2(kw.padding),
      dilation: kw.dilation === undefined ? undefined : size2(kw.dilation),
      groups: opt(kw, "groups"),
      bias: opt(kw, "bias"),
    }),
  MaxPool2d: (a, kw) => new cr.nn.MaxPool2d(size2(a[0]), { stride: opt(kw, "stride"), padding: opt(kw, "padding"), dilation: opt(kw, "dilation") }),
  AvgPool2d: (a, kw) =>
    new cr.nn.AvgPool2d(size2(a[0]), {
      stride: opt(kw, "stride"), padding: opt(kw, "padding"), countIncludePad: opt(kw, "count_include_pad"), divisorOverride: opt(kw, "divisor_override"),
    }),
  Flatten: (a) => new cr.nn.Flatten(...(a as number[])),
  BatchNorm1d: (a, kw) =>
    new cr.nn.BatchNorm1d(num(a[0]), { eps: opt(kw, "eps"), momentum: opt(kw, "momentum"), affine: opt(kw, "affine"), trackRunningStats: opt(kw, "track_running_stats") }),
  BatchNorm2d: (a, kw) =>
    new cr.nn.BatchNorm2d(num(a[0]), { eps: opt(kw, "eps"), momentum: opt(kw, "momentum"), affine: opt(kw, "affine"), trackRunningStats: opt(kw, "track_running_stats") }),
  LayerNorm: (a, kw) => new cr.nn.LayerNorm(a[0] as number | number[], { eps: opt(kw, "eps"), elementwiseAffine: opt(kw, "elementwise_affine") }),
  Embedding: (a, kw) => new cr.nn.Embedding(num(a[0]), num(a[1]), { paddingIdx: opt(kw, "padding_idx") }),
  Dropout: (a) => new cr.nn.Dropout(num(a[0])),
  ReLU: () => new cr.nn.ReLU(),
  LeakyReLU: (a) => new cr.nn.LeakyReLU(a[0] as number | undefined),
  Sigmoid: () => new cr.nn.Sigmoid(),
  Tanh: () => new cr.nn.Tanh(),
  GELU: (_a, kw) => new cr.nn.GELU({ approximate: opt(kw, "approximate") }),
  SiLU: () => new cr.nn.SiLU(),
  Softplus: () => new cr.nn.Softplus(),
  LogSigmoid: () => new cr.nn.LogSigmoid(),
  Softmax: (a) => new cr.nn.Softmax(num(a[0])),
  LogSoftmax: (a) => new cr.nn.LogSoftmax(num(a[0])),
  Identity: () => new cr.nn.Identity(),
  "Sequential/mlp": () => new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.Tanh(), new cr.nn.Linear(4, 2)),
  "Residual/mlp": () => new cr.nn.Residual(new cr.nn.Sequential(new cr.nn.Linear(4, 4), new cr.nn.Tanh())),
  SmallCNN: () => new SmallCNN(),
  MSELoss: (_a, kw) => new cr.nn.MSELoss({ reduction: reduction(kw) }),
  L1Loss: (_a, kw) => new cr.nn.L1Loss({ reduction: reduction(kw) }),
  HuberLoss: (_a, kw) => new cr.nn.HuberLoss({ reduction: reduction(kw), delta: opt(kw, "delta") }),
  BCELoss: (_a, kw) => new cr.nn.BCELoss({ reduction: reduction(kw), weight: tensorKw(kw, "weight") }),
  BCEWithLogitsLoss: (_a, kw) => new cr.nn.BCEWithLogitsLoss({ reduction: reduction(kw), weight: tensorKw(kw, "weight"), posWeight: tensorKw(kw, "pos_weight") }),
  CrossEntropyLoss: (_a, kw) =>
    new cr.nn.CrossEntropyLoss({
      reduction: reduction(kw), weight: tensorKw(kw, "weight"), ignoreIndex: opt(kw, "ignore_index"), labelSmoothing: opt(kw, "label_smoothing"),
    }),
  NLLLoss: (_a, kw) => new cr.nn.NLLLoss({ reduction: reduction(kw), weight: tensorKw(kw, "weight"), ignoreIndex: opt(kw, "ignore_index") }),
};

// ---- comparing ----

const TOL = { float32: { rtol: 1e-4, atol: 2e-5 }, float64: { rtol: 1e-9, atol: 1e-10 } } as const;

function assertClose(got: Tensor, want: Encoded, what: string): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  const g = got.toTypedArray();
  if (want.dtype === "int32" || want.dtype === "bool") {
    assert.deepEqual([...g], want.data.map(Number), `${what}: values`);
    return;
  }
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const { rtol, atol } = TOL[want.dtype];
  const bad: string[] = [];
  want.data.forEach((e, i) => {
    const v = g[i]!;
    if (!(Math.abs(v - (e as number)) <= atol + rtol * Math.abs(e as number))) bad.push(`[${i}] got ${v}, expected ${String(e)}`);
  });
  assert.equal(bad.length, 0, `${what}: ${bad.length} of ${want.data.length} values off (rtol ${rtol}, atol ${atol}):\n  ${bad.slice(0, 6).join("\n  ")}`);
}

test(`torch-nn.json was made by PyTorch (${fixture.torch}) and has cases of every module`, () => {
  const kinds = new Set(fixture.cases.map((c) => c.module));
  for (const m of Object.keys(factories)) assert.ok(kinds.has(m), `no fixture case for ${m}`);
});

for (const c of fixture.cases) {
  test(`torch nn: ${c.name}`, () => {
    const factory = factories[c.module];
    assert.ok(factory !== undefined, `no factory for ${c.module}`);
    cr.manualSeed(0);
    const model = factory(c.args, c.kwargs);
    if (c.dtype === "float64") model.to("float64");
    const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)]));
    assert.deepEqual(Object.keys(model.stateDict()), Object.keys(c.state), "stateDict keys, in PyTorch's order");
    model.loadStateDict(state);
    model.train(c.train);

    const inputs = c.inputs.map((e) => (e.requiresGrad ? decode(e).requiresGrad_(true) : decode(e)));
    const out = model.forward(...inputs) as Tensor;
    assertClose(out, c.output, "output");

    for (const [k, want] of Object.entries(c.stateAfter)) assertClose(model.getBuffer(k)!, want, `buffer ${k} after forward`);

    if (c.gradOutput === null) return;
    const diffInputs = inputs.filter((x) => x.requiresGrad);
    const params = Object.keys(c.paramGrads).map((k) => model.getParameter(k));
    const grads = cr.autograd.grad(out, [...diffInputs, ...params], { gradOutputs: [decode(c.gradOutput)], allowUnused: true });
    let k = 0;
    c.grads.forEach((want, i) => {
      if (want === null) return;
      const g = grads[k++] ?? cr.zerosLike(inputs[i]!);
      assertClose(g, want, `grad of input ${i}`);
    });
    Object.entries(c.paramGrads).forEach(([name, want], j) => {
      assertClose(grads[diffInputs.length + j] ?? cr.zerosLike(params[j]!), want, `grad of ${name}`);
    });
  });
}
