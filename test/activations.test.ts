// The activations of issue 23 (cr.nn.functional.elu … normalize, and the modules ELU … PReLU) against PyTorch
// (test/fixtures/torch-activations.json, from tools/gen_torch_activation_fixtures.py): values and gradients in
// float32 and float64, the conventional gradients at breakpoints, NaN and infinities, module defaults; then
// gradcheck and gradgradcheck in float64, the inplace flags, and the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
const F = cr.nn.functional;
type Num = number | "NaN" | "Infinity" | "-Infinity";
interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64";
  readonly data: Num[];
}
type Kwargs = Readonly<Record<string, Num>>;
interface FunctionCase {
  readonly name: string;
  readonly fn: string;
  readonly kwargs: Kwargs;
  readonly inputs: Encoded[];
  readonly output: Encoded;
  readonly gradOutput?: Encoded;
  readonly grads?: (Encoded | null)[];
}
interface ModuleCase {
  readonly name: string;
  readonly module: string;
  readonly args: Kwargs;
  readonly dtype: "float32" | "float64";
  readonly state: Readonly<Record<string, Encoded>>;
  readonly inputs: Encoded[];
  readonly output: Encoded;
  readonly gradOutput: Encoded;
  readonly grads: Encoded[];
  readonly paramGrads: Readonly<Record<string, Encoded>>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-activations.json", import.meta.url), "utf8")) as { torch: string; cases: (FunctionCase | ModuleCase)[] };

const value = (v: Num): number => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);
const decode = (e: Encoded): Tensor => cr.tensor(e.data.map(value), { dtype: e.dtype }).reshape(e.shape);
const num = (kw: Kwargs, key: string): number | undefined => (key in kw ? value(kw[key]!) : undefined);

function close(got: Tensor, want: Encoded, what: string, tol64 = 1e-12): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const tol = want.dtype === "float32" ? 1e-5 : tol64;
  const g = got.toTypedArray();
  want.data.forEach((w0, i) => {
    const w = value(w0), v = g[i]!;
    if (!Number.isFinite(w)) assert.ok(Object.is(v, w), `${what}: [${i}] ${v} vs torch ${w}`);
    else assert.ok(Math.abs(v - w) <= tol * Math.max(1, Math.abs(w)), `${what}: [${i}] ${v} vs torch ${w}`);
  });
}

/** The chainrule call for a fixture's F function, its PyTorch keyword arguments mapped to ours. */
function callFunction(fn: string, kw: Kwargs, xs: Tensor[]): Tensor {
  const [x, w] = xs as [Tensor, Tensor | undefined];
  switch (fn) {
    case "elu": return F.elu(x, num(kw, "alpha"));
    case "celu": return F.celu(x, num(kw, "alpha"));
    case "selu": return F.selu(x);
    case "hardtanh": return F.hardtanh(x, num(kw, "min_val"), num(kw, "max_val"));
    case "relu6": return F.relu6(x);
    case "hardswish": return F.hardswish(x);
    case "hardsigmoid": return F.hardsigmoid(x);
    case "mish": return F.mish(x);
    case "softsign": return F.softsign(x);
    case "logsigmoid": return F.logsigmoid(x);
    case "softmin": return F.softmin(x, num(kw, "dim")!);
    case "glu": return F.glu(x, num(kw, "dim"));
    case "prelu": return F.prelu(x, w!);
    case "normalize": return F.normalize(x, { p: num(kw, "p"), dim: num(kw, "dim"), eps: num(kw, "eps") });
    default: throw new Error(`no mapping for F.${fn}`);
  }
}

/** The chainrule module for a fixture's torch.nn class and constructor arguments. */
function makeModule(name: string, kw: Kwargs, dtype: "float32" | "float64"): cr.nn.Module<[Tensor], Tensor> {
  switch (name) {
    case "ELU": return new cr.nn.ELU(num(kw, "alpha"));
    case "CELU": return new cr.nn.CELU(num(kw, "alpha"));
    case "SELU": return new cr.nn.SELU();
    case "Hardtanh": return new cr.nn.Hardtanh(num(kw, "min_val"), num(kw, "max_val"));
    case "ReLU6": return new cr.nn.ReLU6();
    case "Hardswish": return new cr.nn.Hardswish();
    case "Hardsigmoid": return new cr.nn.Hardsigmoid();
    case "Mish": return new cr.nn.Mish();
    case "Softsign": return new cr.nn.Softsign();
    case "LogSigmoid": return new cr.nn.LogSigmoid();
    case "Softmin": return new cr.nn.Softmin(num(kw, "dim")!);
    case "GLU": return new cr.nn.GLU(num(kw, "dim"));
    case "PReLU": return new cr.nn.PReLU(num(kw, "num_parameters"), num(kw, "init"), { dtype });
    default: throw new Error(`no mapping for nn.${name}`);
  }
}

// PyTorch's hardsigmoid_backward multiplies by 1/6 rounded to float32, in float64 too; chainrule's gradient is the
// exact 1/6, 3e-8 away (the elementwise fixture checks it against relu6(x + 3)/6 at float64's precision).
const gradTol64 = (name: string) => (name.startsWith("hardsigmoid") || name.startsWith("Hardsigmoid") ? 1e-7 : 1e-12);

test(`torch-activations.json was made by PyTorch (${fixture.torch}) and covers every activation of issue 23`, () => {
  const fns = new Set(fixture.cases.filter((c): c is FunctionCase => "fn" in c).map((c) => c.fn));
  for (const fn of ["elu", "celu", "selu", "hardtanh", "relu6", "hardswish", "hardsigmoid", "mish", "softsign", "logsigmoid", "softmin", "glu", "prelu", "normalize"]) {
    assert.ok(fns.has(fn), `F.${fn} has cases`);
  }
  const modules = new Set(fixture.cases.filter((c): c is ModuleCase => "module" in c).map((c) => c.module));
  for (const m of ["ELU", "CELU", "SELU", "Hardtanh", "ReLU6", "Hardswish", "Hardsigmoid", "Mish", "Softsign", "Softmin", "GLU", "PReLU"]) assert.ok(modules.has(m), `nn.${m} has cases`);
});

for (const c of fixture.cases) {
  if ("fn" in c) {
    test(`F.${c.name}: forward${c.grads ? " and gradients" : ""} as PyTorch`, () => {
      const xs = c.inputs.map(decode);
      close(callFunction(c.fn, c.kwargs, xs), c.output, "forward");
      if (c.grads === undefined || c.gradOutput === undefined) return;
      const leaves = xs.map((x) => x.detach().requiresGrad_(true));
      const out = callFunction(c.fn, c.kwargs, leaves);
      const grads = cr.autograd.grad([out], leaves, { gradOutputs: [decode(c.gradOutput)] });
      c.grads.forEach((want, i) => {
        if (want !== null) close(grads[i]!, want, `gradient of input ${i}`, gradTol64(c.name));
      });
    });
  } else {
    test(`nn.${c.name}: PyTorch's defaults, forward and gradients`, () => {
      const m = makeModule(c.module, c.args, c.dtype);
      const state = m.stateDict();
      assert.deepEqual(Object.keys(state).sort(), Object.keys(c.state).sort(), "state dict keys");
      for (const [k, want] of Object.entries(c.state)) close(state[k]!, want, `initial ${k}`);
      const x = decode(c.inputs[0]!).requiresGrad_(true);
      const out = m.forward(x);
      close(out, c.output, "forward");
      const params = m.namedParameters();
      const grads = cr.autograd.grad([out], [x, ...params.map(([, p]) => p)], { gradOutputs: [decode(c.gradOutput)] });
      close(grads[0]!, c.grads[0]!, "input gradient", gradTol64(c.name));
      params.forEach(([name], i) => close(grads[i + 1]!, c.paramGrads[name]!, `gradient of ${name}`));
    });
  }
}

// ---- gradcheck and gradgradcheck in float64, inputs away from each activation's kinks ----

function awayFrom(kinks: readonly number[], shape: number[], lo = -4, hi = 4): Tensor {
  const x = cr.rand(shape, { dtype: "float64" }).mul(hi - lo).add(lo);
  const data = x.toTypedArray();
  for (let i = 0; i < data.length; i++) for (const k of kinks) if (Math.abs(data[i]! - k) < 0.05) data[i] = k + 0.1;
  return cr.tensor(data, { dtype: "float64" }).reshape(shape);
}

const GRADCHECKS: { name: string; inputs: () => Tensor[]; fn: (...xs: Tensor[]) => Tensor }[] = [
  { name: "elu", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.elu(x, 0.7) },
  { name: "celu", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.celu(x, 1.3) },
  { name: "selu", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.selu(x) },
  { name: "hardtanh", inputs: () => [awayFrom([-1.5, 2], [3, 4])], fn: (x) => F.hardtanh(x, -1.5, 2) },
  { name: "relu6", inputs: () => [awayFrom([0, 6], [3, 4], -2, 8)], fn: (x) => F.relu6(x) },
  { name: "hardswish", inputs: () => [awayFrom([-3, 3], [3, 4], -5, 5)], fn: (x) => F.hardswish(x) },
  { name: "hardsigmoid", inputs: () => [awayFrom([-3, 3], [3, 4], -5, 5)], fn: (x) => F.hardsigmoid(x) },
  { name: "mish", inputs: () => [awayFrom([], [3, 4])], fn: (x) => F.mish(x) },
  { name: "softsign", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.softsign(x) },
  { name: "logsigmoid", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.logsigmoid(x) },
  { name: "softmin", inputs: () => [awayFrom([], [3, 4])], fn: (x) => F.softmin(x, 1) },
  { name: "glu", inputs: () => [awayFrom([], [3, 4])], fn: (x) => F.glu(x, 1) },
  { name: "prelu (input and weight)", inputs: () => [awayFrom([0], [2, 3, 2]), cr.tensor([0.1, 0.25, 0.4], { dtype: "float64" })], fn: (x, w) => F.prelu(x, w!) },
  { name: "normalize p=2", inputs: () => [awayFrom([], [3, 4])], fn: (x) => F.normalize(x) },
  { name: "normalize p=1", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.normalize(x, 1, 0) },
  { name: "normalize p=3", inputs: () => [awayFrom([0], [3, 4])], fn: (x) => F.normalize(x, { p: 3, dim: -1 }) },
];

for (const g of GRADCHECKS) {
  test(`F.${g.name}: gradcheck and gradgradcheck in float64`, () => {
    cr.manualSeed(7);
    const xs = g.inputs().map((x) => x.requiresGrad_(true));
    assert.equal(cr.autograd.gradcheck(g.fn, xs), true);
    assert.equal(cr.autograd.gradgradcheck(g.fn, xs), true);
  });
}

test("PyTorch's gradients at the breakpoints: hardswish -1/2 at -3 and 3/2 at 3, hardtanh and relu6 0 at their bounds", () => {
  const grad = (f: (x: Tensor) => Tensor, xs: number[]) => {
    const x = cr.tensor(xs, { dtype: "float64", requiresGrad: true });
    f(x).sum().backward();
    return Array.from(x.grad!.toTypedArray());
  };
  assert.deepEqual(grad(F.hardswish, [-3, 3, -3.5, 3.5]), [-0.5, 1.5, 0, 1]);
  assert.deepEqual(grad(F.hardsigmoid, [-3, 3, 0]), [0, 0, 1 / 6]);
  assert.deepEqual(grad((x) => F.hardtanh(x), [-1, 1, 0]), [0, 0, 1]);
  assert.deepEqual(grad(F.relu6, [0, 6, 3]), [0, 0, 1]);
  assert.deepEqual(grad((x) => F.elu(x, 0.5), [0]), [0.5]);
  assert.deepEqual(grad(F.logsigmoid, [0]), [0.5]);
  // Stable at large magnitudes: finite values and gradients where naive formulas give NaN or Infinity.
  const big = cr.tensor([-1000, 1000], { dtype: "float32", requiresGrad: true });
  const y = F.logsigmoid(big).add(F.mish(big)).add(F.softsign(big));
  y.sum().backward();
  assert.ok([...y.toTypedArray(), ...big.grad!.toTypedArray()].every(Number.isFinite));
});

test("inplace flags overwrite the input and keep gradients right; a leaf that requires grad is refused", () => {
  const x = cr.tensor([-2, -0.5, 0.5, 2]);
  const want = F.elu(x, 0.5).toTypedArray();
  const same = F.elu(x, 0.5, true);
  assert.equal(same, x);
  assert.deepEqual(Array.from(x.toTypedArray()), Array.from(want));
  const x2 = cr.tensor([-2, 0.5, 3]);
  assert.equal(F.hardtanh_(x2, -1, 2), x2);
  assert.deepEqual(Array.from(x2.toTypedArray()), [-1, 0.5, 2]);
  const x3 = cr.tensor([-1, 1], { dtype: "float64" });
  F.selu_(F.celu_(F.elu_(x3)));
  assert.deepEqual(Array.from(x3.toTypedArray()), Array.from(F.selu(F.celu(F.elu(cr.tensor([-1, 1], { dtype: "float64" })))).toTypedArray()));
  for (const [name, run] of [["hardtanh", (t: Tensor) => F.hardtanh(t, -1, 1, true)], ["hardswish", (t: Tensor) => new cr.nn.Hardswish(true).forward(t)]] as const) {
    const leaf = cr.tensor([-2, 0.5, 2], { dtype: "float64", requiresGrad: true });
    assert.throws(() => run(leaf), /leaf tensor that requires grad/, name);
    const h = leaf.mul(1);
    const out = run(h);
    assert.equal(out, h);
    out.sum().backward();
    const ref = cr.tensor([-2, 0.5, 2], { dtype: "float64", requiresGrad: true });
    (name === "hardtanh" ? F.hardtanh(ref) : F.hardswish(ref)).sum().backward();
    assert.deepEqual(Array.from(leaf.grad!.toTypedArray()), Array.from(ref.grad!.toTypedArray()), name);
  }
});

test("PReLU learns its slope: numParameters weights initialised to init, updated by an optimizer", () => {
  const act = new cr.nn.PReLU(3, 0.1);
  assert.deepEqual([...act.weight.shape], [3]);
  assert.equal(act.parameters().length, 1);
  assert.equal(String(act), "PReLU(numParameters=3)");
  const opt = new cr.optim.SGD(act.parameters(), { lr: 0.5 });
  const x = cr.full([2, 3, 2], -1);
  act.forward(x).sum().backward();
  opt.step();
  // d/dw Σ w·x over 4 elements of -1 per channel = -4: w = 0.1 + 0.5·4.
  assert.ok(Array.from(act.weight.toTypedArray()).every((w) => Math.abs(w - 2.1) < 1e-6));
  act.resetParameters();
  assert.ok(Array.from(act.weight.toTypedArray()).every((w) => Math.abs(w - 0.1) < 1e-7));
});

test("errors name the activation and what was wrong, and change nothing", () => {
  assert.throws(() => F.glu(cr.randn([2, 3]), 1), /glu: halving dimension must be even, but dimension 1 is size 3/);
  assert.throws(() => F.glu(cr.tensor(1)), /glu: does not support scalars/);
  assert.throws(() => F.prelu(cr.randn([2, 3, 4]), cr.full([2], 0.25)), /prelu: mismatch of parameter numbers and input channel size: weight has 2 .*input has 3 channels/);
  assert.throws(() => F.prelu(cr.randn([5]), cr.full([5], 0.25)), /input has 1 channels/);
  assert.throws(() => F.prelu(cr.randn([2, 3]), cr.full([3, 1], 0.25)), /prelu: weight must be a scalar or a 1-D tensor/);
  assert.throws(() => F.elu(cr.tensor([1, 2], { dtype: "int32" })), /elu: expected a floating-point tensor/);
  assert.throws(() => F.normalize(cr.randn([2, 3]), { p: -1 }), /normalize: p must be/);
  assert.throws(() => F.normalize(cr.randn([3])), /normalize/);
  assert.throws(() => F.softmin(cr.tensor([1, 2], { dtype: "int32" }), 0), /softmin/);
  assert.throws(() => new cr.nn.Hardtanh(1, -1), /Hardtanh: maxVal \(-1\) must be greater than minVal \(1\)/);
  assert.throws(() => new cr.nn.PReLU(0), /PReLU: numParameters must be an integer >= 1/);
  assert.throws(() => F.celu(cr.randn([2]), 0), /celu: alpha must not be 0/);
  const x = cr.tensor([1, -1]);
  assert.throws(() => F.elu(x, "2" as unknown as number, true), /elu: parameters must be numbers/);
  assert.deepEqual(Array.from(x.toTypedArray()), [1, -1]);
});

test("softmin takes a dtype, and the modules print PyTorch's settings", () => {
  const y = F.softmin(cr.tensor([1, 2, 3]), 0, "float64");
  assert.equal(y.dtype, "float64");
  assert.ok(Math.abs(y.sum().item() - 1) < 1e-12);
  assert.equal(String(new cr.nn.ELU(0.5, true)), "ELU(alpha=0.5, inplace=true)");
  assert.equal(String(new cr.nn.Hardtanh()), "Hardtanh(minVal=-1, maxVal=1)");
  assert.equal(String(new cr.nn.Softmin(1)), "Softmin(dim=1)");
  assert.equal(String(new cr.nn.GLU()), "GLU(dim=-1)");
});
