// Checks cr.optim against PyTorch (test/fixtures/torch-optim.json): trajectories, state dicts, clipping, groups, zeroGrad, errors.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";

const { optim } = cr;
const { Parameter } = cr.nn;

type Tensor = cr.Tensor;
type Float = "float32" | "float64";
type Options = Record<string, number | boolean | number[] | string>;

interface EncodedTensor {
  readonly shape: number[];
  readonly dtype: string;
  readonly data: number[];
}
interface StepRecord {
  readonly params: number[][];
  readonly lr: number[];
  readonly momentum?: number[];
}
interface OptimCase {
  readonly name: string;
  readonly dtype: Float;
  readonly optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  readonly options: Options;
  readonly groups?: { params: number[]; options: Options }[];
  readonly groupExtras?: Options[];
  readonly scheduler?: Options & { type: string };
  readonly initialLr: number[];
  readonly steps: StepRecord[];
  readonly stateDict?: TorchStateDict;
}
interface TorchStateDict {
  readonly state: Record<string, Record<string, EncodedTensor | number | null>>;
  readonly param_groups: Record<string, number | boolean | number[]>[];
}
interface ClipCase {
  readonly name: string;
  readonly dtype: Float;
  readonly fn: "clipGradNorm_" | "clipGradValue_";
  readonly args: Record<string, number | string>;
  readonly grads: number[][];
  readonly clipped: number[][];
  readonly totalNorm?: number;
  readonly totalNormDtype?: Float;
}
interface Fixture {
  readonly torch: string;
  readonly steps: number;
  readonly stateAt: number;
  readonly data: Record<Float, Record<"W" | "b" | "X" | "Y", { shape: number[]; data: number[] }>>;
  readonly optimCases: OptimCase[];
  readonly clipCases: ClipCase[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-optim.json", import.meta.url), "utf8")) as Fixture;
const TOL: Record<Float, number> = { float64: 1e-12, float32: 1e-6 };

// ---- helpers ----

function fromFixture(dtype: Float, key: "W" | "b" | "X" | "Y", requiresGrad = false): Tensor {
  const d = fixture.data[dtype][key];
  return cr.tensor(d.data, { dtype }).reshape(d.shape).detach().requiresGrad_(requiresGrad);
}

function decode(t: EncodedTensor): Tensor {
  const dtype = t.dtype as Float;
  return t.shape.length === 0 ? cr.tensor(t.data[0]!, { dtype }) : cr.tensor(t.data, { dtype }).reshape(t.shape);
}

function flat(t: Tensor): number[] {
  return Array.from(t.toTypedArray());
}

/** Asserts |a − e| <= tol·max(1, |e|) elementwise. */
function assertClose(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const ok = Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)) || (Number.isNaN(a) && Number.isNaN(e));
    assert.ok(ok, `${what}[${i}]: got ${a}, torch has ${e} (diff ${Math.abs(a - e)}, tolerance ${tol})`);
  });
}

interface Model {
  readonly W: Tensor;
  readonly b: Tensor;
  readonly X: Tensor;
  readonly Y: Tensor;
}

function model(dtype: Float): Model {
  return { W: fromFixture(dtype, "W", true), b: fromFixture(dtype, "b", true), X: fromFixture(dtype, "X"), Y: fromFixture(dtype, "Y") };
}

/** The fixture's loss, written with the same basic ops: mean((X·Wᵀ + b − Y)²). */
function loss({ W, b, X, Y }: Model): Tensor {
  return X.matmul(W.t()).add(b).sub(Y).pow(2).mean();
}

type AnyOptimizer = cr.optim.SGD | cr.optim.Adam | cr.optim.AdamW | cr.optim.RMSprop | cr.optim.Adagrad;

function makeOptimizer(c: OptimCase, params: Tensor[]): AnyOptimizer {
  const input = c.groups === undefined ? params : c.groups.map((g) => ({ ...g.options, params: g.params.map((i) => params[i]!) }));
  const o = c.options as unknown;
  const p = input as unknown;
  let opt: AnyOptimizer;
  switch (c.optimizer) {
    case "SGD": opt = new cr.optim.SGD(p as cr.optim.ParamsInput<cr.optim.SGDOptions>, o as cr.optim.SGDOptions); break;
    case "Adam": opt = new cr.optim.Adam(p as cr.optim.ParamsInput<cr.optim.AdamOptions>, o as Partial<cr.optim.AdamOptions>); break;
    case "AdamW": opt = new cr.optim.AdamW(p as cr.optim.ParamsInput<cr.optim.AdamOptions>, o as Partial<cr.optim.AdamOptions>); break;
    case "RMSprop": opt = new cr.optim.RMSprop(p as cr.optim.ParamsInput<cr.optim.RMSpropOptions>, o as Partial<cr.optim.RMSpropOptions>); break;
    case "Adagrad": opt = new cr.optim.Adagrad(p as cr.optim.ParamsInput<cr.optim.AdagradOptions>, o as Partial<cr.optim.AdagradOptions>); break;
  }
  c.groupExtras?.forEach((extra, i) => Object.assign(opt.paramGroups[i]!, extra));
  return opt;
}

function makeScheduler(c: OptimCase, opt: AnyOptimizer): cr.optim.LRScheduler | null {
  const s = c.scheduler;
  if (s === undefined) return null;
  const { type, ...rest } = s;
  const o = rest as Record<string, unknown>;
  switch (type) {
    case "StepLR": return new optim.lrScheduler.StepLR(opt, o.stepSize as number, o);
    case "ExponentialLR": return new optim.lrScheduler.ExponentialLR(opt, o.gamma as number, o);
    case "CosineAnnealingLR": return new optim.lrScheduler.CosineAnnealingLR(opt, o.tMax as number, o);
    case "OneCycleLR": return new optim.lrScheduler.OneCycleLR(opt, o as unknown as cr.optim.OneCycleLROptions);
    case "LinearLR": return new optim.lrScheduler.LinearLR(opt, o);
    default: throw new Error(`unknown scheduler ${type}`);
  }
}

function momentumOf(g: cr.optim.ParamGroup): number {
  const m = g as cr.optim.ParamGroup & { momentum?: number; betas?: readonly number[] };
  return m.betas !== undefined ? m.betas[0]! : m.momentum!;
}

/** One training step as the fixture's: zeroGrad, backward, step, then the scheduler's step. */
function trainStep(m: Model, opt: AnyOptimizer, sched: cr.optim.LRScheduler | null): StepRecord {
  opt.zeroGrad();
  loss(m).backward();
  opt.step();
  sched?.step();
  return { params: [flat(m.W), flat(m.b)], lr: opt.paramGroups.map((g) => g.lr), momentum: opt.paramGroups.map(momentumOf) };
}

function checkStep(c: OptimCase, t: number, got: StepRecord, tol = TOL[c.dtype]): void {
  const want = c.steps[t]!;
  assertClose(got.params[0]!, want.params[0]!, tol, `${c.name} step ${t + 1} W`);
  assertClose(got.params[1]!, want.params[1]!, tol, `${c.name} step ${t + 1} b`);
  assertClose(got.lr, want.lr, 1e-12, `${c.name} step ${t + 1} lr`);
  if (want.momentum !== undefined) assertClose(got.momentum!, want.momentum, 1e-12, `${c.name} step ${t + 1} momentum`);
}

// ---- trajectories against PyTorch ----

describe("optimizers and schedulers follow PyTorch's trajectories", () => {
  for (const c of fixture.optimCases) {
    test(c.name, () => {
      const m = model(c.dtype);
      const opt = makeOptimizer(c, [m.W, m.b]);
      const sched = makeScheduler(c, opt);
      assertClose(opt.paramGroups.map((g) => g.lr), c.initialLr, 1e-15, `${c.name} lr after construction`);
      c.steps.forEach((_, t) => {
        const got = trainStep(m, opt, sched);
        checkStep(c, t, got);
        if (sched !== null) assert.deepEqual(sched.getLastLr(), got.lr);
      });
      if (sched !== null) assert.equal(sched.lastEpoch, fixture.steps + (c.scheduler?.lastEpoch === undefined ? 0 : (c.scheduler.lastEpoch as number) + 1));
    });
  }
});

// ---- state dicts ----

describe("stateDict", () => {
  const withTorchDict = fixture.optimCases.filter((c) => c.stateDict !== undefined);

  for (const c of withTorchDict) {
    test(`${c.name}: has torch's structure, keys and values at step ${fixture.stateAt}`, () => {
      const m = model(c.dtype);
      const opt = makeOptimizer(c, [m.W, m.b]);
      const sched = makeScheduler(c, opt);
      for (let t = 0; t < fixture.stateAt; t++) trainStep(m, opt, sched);
      const ours = opt.stateDict();
      const torch = c.stateDict!;
      assert.deepEqual(Object.keys(ours.state), Object.keys(torch.state));
      for (const [id, entry] of Object.entries(torch.state)) {
        const mine = ours.state[Number(id)]!;
        assert.deepEqual(Object.keys(mine), Object.keys(entry), `state ${id} keys`);
        for (const [key, value] of Object.entries(entry)) {
          const got = mine[key];
          if (value === null) assert.equal(got, null);
          else if (typeof value === "number") assert.equal(got, value);
          else if (key === "step") assert.equal(got, value.data[0]);
          else {
            assert.ok(got instanceof cr.Tensor, `state ${id}.${key} is a tensor`);
            assert.deepEqual(got.shape, value.shape);
            assertClose(flat(got), value.data, TOL[c.dtype], `state ${id}.${key}`);
          }
        }
      }
      const torchOnly = new Set(["foreach", "differentiable", "capturable", "fused"]);
      ours.param_groups.forEach((g, i) => {
        const tg = torch.param_groups[i]!;
        assert.deepEqual(Object.keys(g).sort(), Object.keys(tg).filter((k) => !torchOnly.has(k)).sort(), `param_groups[${i}] keys`);
        for (const [k, v] of Object.entries(g)) {
          if (typeof v === "number") assertClose([v], [tg[k] as number], 1e-12, `param_groups[${i}].${k}`);
          else assert.deepEqual(v, tg[k], `param_groups[${i}].${k}`);
        }
      });
    });
  }

  for (const c of withTorchDict.filter((x) => x.scheduler === undefined)) {
    test(`${c.name}: torch's state dict loads and training continues on torch's trajectory`, () => {
      const m = model(c.dtype);
      const at = c.steps[fixture.stateAt - 1]!;
      cr.noGrad(() => {
        m.W.copy_(cr.tensor(at.params[0]!, { dtype: c.dtype }).reshape(m.W.shape));
        m.b.copy_(cr.tensor(at.params[1]!, { dtype: c.dtype }));
      });
      const opt = makeOptimizer({ ...c, options: { ...c.options, lr: 123 } }, [m.W, m.b]);
      const dict = c.stateDict!;
      const state: Record<number, Record<string, cr.optim.StateValue>> = {};
      for (const [id, entry] of Object.entries(dict.state)) {
        state[Number(id)] = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, v === null || typeof v === "number" ? v : decode(v)]));
      }
      opt.loadStateDict({ state, param_groups: dict.param_groups as unknown as cr.optim.ParamGroupDict[] });
      assert.equal(opt.paramGroups[0]!.lr, c.steps[0]!.lr[0]);
      for (let t = fixture.stateAt; t < fixture.steps; t++) checkStep(c, t, trainStep(m, opt, null));
    });
  }

  for (const c of fixture.optimCases) {
    test(`${c.name}: save at step ${fixture.stateAt}, load into a new optimizer and scheduler, continue as if uninterrupted`, () => {
      const m = model(c.dtype);
      const opt = makeOptimizer(c, [m.W, m.b]);
      const sched = makeScheduler(c, opt);
      for (let t = 0; t < fixture.stateAt; t++) trainStep(m, opt, sched);
      const optDict = opt.stateDict();
      const schedDict = sched?.stateDict();
      const m2: Model = { ...m, W: m.W.detach().clone().requiresGrad_(), b: m.b.detach().clone().requiresGrad_() };
      const uninterrupted: StepRecord[] = [];
      for (let t = fixture.stateAt; t < fixture.steps; t++) uninterrupted.push(trainStep(m, opt, sched));

      const opt2 = makeOptimizer(c, [m2.W, m2.b]);
      const sched2 = makeScheduler(c, opt2);
      opt2.loadStateDict(optDict);
      if (sched2 !== null) sched2.loadStateDict(JSON.parse(JSON.stringify(schedDict)) as cr.optim.SchedulerStateDict);
      for (let t = fixture.stateAt; t < fixture.steps; t++) {
        assert.deepEqual(trainStep(m2, opt2, sched2), uninterrupted[t - fixture.stateAt], `${c.name} step ${t + 1}`);
      }
    });
  }

  test("stateDict copies the state tensors, so later steps leave a saved dict as it was", () => {
    const m = model("float64");
    const opt = new cr.optim.Adam([m.W, m.b], { lr: 0.1 });
    trainStep(m, opt, null);
    const dict = opt.stateDict();
    const saved = flat(dict.state[0]!.exp_avg as Tensor);
    trainStep(m, opt, null);
    assert.deepEqual(flat(dict.state[0]!.exp_avg as Tensor), saved);
    assert.equal(dict.state[0]!.step, 1);
    assert.deepEqual(dict.param_groups, [{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, params: [0, 1] }]);
  });

  test("loading a dict that does not fit throws a clear error and changes nothing", () => {
    const m = model("float64");
    const opt = new cr.optim.Adam([{ params: [m.W] }, { params: [m.b], lr: 0.5 }], { lr: 0.1, amsgrad: true });
    trainStep(m, opt, null);
    const good = opt.stateDict();
    const before = JSON.stringify(good, (_k, v: unknown) => (v instanceof cr.Tensor ? flat(v) : v));
    const expectError = (dict: unknown, re: RegExp): void => {
      assert.throws(() => opt.loadStateDict(dict as cr.optim.OptimizerStateDict), (e: Error) => e.name === "ArgumentError" && re.test(e.message));
      assert.equal(JSON.stringify(opt.stateDict(), (_k, v: unknown) => (v instanceof cr.Tensor ? flat(v) : v)), before);
    };
    const groups = good.param_groups;
    expectError({ state: {} }, /expected \{ state, param_groups \}/);
    expectError({ ...good, param_groups: [groups[0]] }, /the state dict has 1 parameter groups, but the optimizer has 2/);
    expectError({ ...good, param_groups: [groups[0], { ...groups[1], params: [1, 2] }] }, /param_groups\[1\] has 2 parameters, but the optimizer's group 1 has 1/);
    expectError({ ...good, param_groups: [{ ...groups[0], lr: -1 }, groups[1]] }, /invalid learning rate \(lr\) -1/);
    expectError({ ...good, param_groups: [groups[0], { ...groups[1], betas: [0.9] }] }, /betas must be a list of 2 numbers/);
    const sgd = new cr.optim.SGD([{ params: [m.W] }, { params: [m.b] }], { lr: 0.1, momentum: 0.9 });
    const { momentum: _m, ...noMomentum } = sgd.stateDict().param_groups[0]!;
    assert.throws(() => sgd.loadStateDict(good), /param_groups\[0\] has no momentum; is it a state dict of another optimizer\?/);
    assert.throws(() => sgd.loadStateDict({ state: {}, param_groups: [noMomentum as cr.optim.ParamGroupDict, sgd.stateDict().param_groups[1]!] }), /has no momentum/);
    expectError({ ...good, param_groups: [{ ...groups[0], nesterov: true }, groups[1]] }, /param_groups\[0\] has an unknown key nesterov/);
    expectError({ ...good, state: { ...good.state, 7: good.state[0] } }, /state\[7\] belongs to no parameter/);
    expectError({ ...good, state: { ...good.state, 1: { ...good.state[1], exp_avg: cr.zeros([3], { dtype: "float64" }) } } }, /state\[1\]\.exp_avg has shape \[3\], but its parameter has shape \[2\]/);
    const { max_exp_avg_sq: _x, ...noMax } = good.state[0]!;
    expectError({ ...good, state: { ...good.state, 0: noMax } }, /state\[0\] has keys \[step, exp_avg, exp_avg_sq\], but Adam keeps \[step, exp_avg, exp_avg_sq, max_exp_avg_sq\]/);
    expectError({ ...good, state: { ...good.state, 0: { ...good.state[0], step: 1.5 } } }, /state\[0\]\.step must be a count of steps/);
  });
});

// ---- gradient clipping ----

describe("clipGradNorm_ and clipGradValue_ match torch.nn.utils", () => {
  for (const c of fixture.clipCases) {
    test(c.name, () => {
      const params = [cr.zeros([2, 3], { dtype: c.dtype, requiresGrad: true }), cr.zeros([2], { dtype: c.dtype, requiresGrad: true })];
      const noGradParam = cr.zeros([4], { dtype: c.dtype, requiresGrad: true });
      params.forEach((p, i) => (p.grad = cr.tensor(c.grads[i]!, { dtype: c.dtype }).reshape(p.shape)));
      const tol = TOL[c.dtype];
      if (c.fn === "clipGradNorm_") {
        const normType = c.args.normType === "Infinity" ? Infinity : (c.args.normType as number);
        const total = optim.clipGradNorm_([...params, noGradParam], c.args.maxNorm as number, { normType });
        assert.equal(total.dtype, c.totalNormDtype);
        assertClose([total.item()], [c.totalNorm!], tol, "total norm");
      } else {
        optim.clipGradValue_([...params, noGradParam], c.args.clipValue as number);
      }
      params.forEach((p, i) => assertClose(flat(p.grad!), c.clipped[i]!, tol, `grad ${i}`));
      assert.equal(noGradParam.grad, null);
    });
  }

  test("a single tensor, no gradients at all, and non-finite norms", () => {
    const p = cr.tensor([3, 4], { dtype: "float64", requiresGrad: true });
    p.grad = cr.tensor([3, 4], { dtype: "float64" });
    assert.equal(optim.clipGradNorm_(p, 1).item(), 5);
    assertClose(flat(p.grad), [3 / (5 + 1e-6), 4 / (5 + 1e-6)], 1e-15, "clipped");
    const none = optim.clipGradNorm_([cr.zeros([2], { requiresGrad: true })], 1);
    assert.equal(none.item(), 0);
    assert.equal(none.dtype, "float32");
    p.grad = cr.tensor([NaN, 1], { dtype: "float64" });
    assert.throws(() => optim.clipGradNorm_([p], 1, { errorIfNonfinite: true }), /the total norm of order 2 of the gradients is non-finite/);
    assert.ok(Number.isNaN(optim.clipGradNorm_([p], 1).item()));
    assert.ok(flat(p.grad).every(Number.isNaN), "scaled by the NaN norm, as torch");
    assert.throws(() => optim.clipGradNorm_([p], 1, { normType: -1 }), /normType must be a number >= 0 or Infinity/);
  });
});

// ---- param groups, zeroGrad, step ----

describe("Optimizer", () => {
  test("param groups override the defaults, and their lr can be changed between steps", () => {
    const m = model("float64");
    const opt = new cr.optim.SGD([{ params: [m.W], lr: 0.1 }, { params: m.b }], { lr: 0.01, momentum: 0.9 });
    assert.equal(opt.paramGroups.length, 2);
    assert.deepEqual(opt.paramGroups.map((g) => [g.lr, g.momentum, g.params.length]), [[0.1, 0.9, 1], [0.01, 0.9, 1]]);
    assert.equal(opt.paramGroups[0]!.params[0], m.W);
    assert.deepEqual(opt.defaults, { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    opt.paramGroups[0]!.lr = 0;
    const w0 = flat(m.W);
    const b0 = flat(m.b);
    trainStep(m, opt, null);
    assert.deepEqual(flat(m.W), w0, "lr 0 leaves the group's parameters alone");
    assert.notDeepEqual(flat(m.b), b0);
  });

  test("addParamGroup takes the defaults, and refuses a parameter already optimized", () => {
    const m = model("float64");
    const extra = cr.zeros([3], { dtype: "float64", requiresGrad: true });
    const opt = new cr.optim.Adam([m.W], { lr: 0.01, betas: [0.8, 0.9] });
    opt.addParamGroup({ params: [m.b, extra], weightDecay: 0.1 });
    assert.deepEqual(opt.paramGroups[1]!.betas, [0.8, 0.9]);
    assert.notEqual(opt.paramGroups[1]!.betas, opt.paramGroups[0]!.betas, "each group has its own betas");
    assert.equal(opt.paramGroups[1]!.weightDecay, 0.1);
    assert.throws(() => opt.addParamGroup({ params: [m.W] }), /Adam: param group 2: some parameters appear in more than one parameter group/);
    const ada = new cr.optim.Adagrad([m.W], { initialAccumulatorValue: 0.5 });
    assert.deepEqual(Object.keys(ada.stateDict().state), ["0"], "Adagrad, as torch, makes its state at construction");
    assert.deepEqual(flat(ada.state.get(m.W)!.sum), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    ada.addParamGroup({ params: [m.b] });
    trainStep(m, ada, null);
    assert.equal(ada.state.get(m.b)!.step, 1);
  });

  test("step skips parameters without a gradient and keeps every parameter's identity", () => {
    const m = model("float64");
    const unused = new Parameter(cr.ones([3], { dtype: "float64" }));
    const W = new Parameter(m.W.detach().clone());
    const mp: Model = { ...m, W };
    const opt = new cr.optim.Adam([W, m.b, unused], { lr: 0.1 });
    const buffer = W.dataView();
    for (let t = 0; t < 3; t++) trainStep(mp, opt, null);
    assert.deepEqual(flat(unused), [1, 1, 1]);
    assert.equal(opt.state.has(unused), false);
    assert.equal(opt.state.get(W)!.step, 3);
    assert.equal(opt.paramGroups[0]!.params[0], W);
    assert.ok(W instanceof Parameter && W.isLeaf && W.requiresGrad && W.gradFn === null);
    assert.equal(W.dataView(), buffer, "updated in place, in the same memory");
    assert.notDeepEqual(flat(W), flat(m.W));
    assert.equal(opt.state.get(W)!.expAvg.dtype, "float64");
    assert.equal(cr.isGradEnabled(), true);
  });

  test("zeroGrad sets gradients to null by default, or zeroes them in place", () => {
    const m = model("float64");
    const opt = new cr.optim.SGD([m.W, m.b], { lr: 0.1 });
    // Read through a function, so the assertions below do not narrow `.grad` for the type checker.
    const grad = (t: Tensor): Tensor | null => t.grad;
    loss(m).backward();
    opt.zeroGrad();
    assert.equal(grad(m.W), null);
    assert.equal(grad(m.b), null);
    loss(m).backward();
    const g = grad(m.W)!;
    opt.zeroGrad({ setToNone: false });
    assert.equal(grad(m.W), g, "the same gradient tensor");
    assert.deepEqual(flat(g), [0, 0, 0, 0, 0, 0]);
    loss(m).backward({ createGraph: true });
    assert.ok(grad(m.W)!.requiresGrad);
    opt.zeroGrad({ setToNone: false });
    assert.equal(grad(m.W)!.requiresGrad, false, "a gradient with a graph is detached first");
    assert.deepEqual(flat(grad(m.W)!), [0, 0, 0, 0, 0, 0]);
  });

  test("step(closure) runs the closure with gradients on and returns its loss", () => {
    const m = model("float64");
    const opt = new cr.optim.SGD([m.W, m.b], { lr: 0.1 });
    const before = flat(m.W);
    const out = cr.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = loss(m);
        l.backward();
        return l;
      }),
    );
    assert.ok(out instanceof cr.Tensor);
    assert.notDeepEqual(flat(m.W), before);
  });

  test("SGD's momentum buffer does not share memory with the gradient", () => {
    const p = cr.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const opt = new cr.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = cr.tensor([1, 1], { dtype: "float64" });
    opt.step();
    opt.zeroGrad({ setToNone: false });
    assert.deepEqual(flat(opt.state.get(p)!.momentumBuffer!), [1, 1]);
  });

  test("lrScheduler namespace and flat exports are the same classes", () => {
    assert.equal(optim.lrScheduler.StepLR, cr.optim.StepLR);
    assert.equal(optim.lrScheduler.OneCycleLR, cr.optim.OneCycleLR);
    assert.ok(new cr.optim.SGD([cr.zeros([1], { requiresGrad: true })], { lr: 1 }) instanceof cr.optim.Optimizer);
  });
});

// ---- errors ----

describe("errors", () => {
  const w = (): Tensor => cr.zeros([2], { requiresGrad: true });
  const argError = (re: RegExp) => (e: Error): boolean => e.name === "ArgumentError" && re.test(e.message);

  test("optimizer arguments", () => {
    assert.throws(() => new cr.optim.SGD([], { lr: 0.1 }), argError(/SGD: got an empty parameter list/));
    assert.throws(() => new cr.optim.Adam([]), argError(/Adam: got an empty parameter list/));
    assert.throws(() => new cr.optim.SGD([w()], { lr: -0.1 }), argError(/SGD: invalid learning rate \(lr\) -0\.1; it must be a number >= 0/));
    assert.throws(() => new cr.optim.Adam([w()], { lr: -1 }), argError(/Adam: invalid learning rate/));
    assert.throws(() => new cr.optim.RMSprop([w()], { lr: -1 }), argError(/RMSprop: invalid learning rate/));
    assert.throws(() => new cr.optim.Adagrad([w()], { lr: -1 }), argError(/Adagrad: invalid learning rate/));
    assert.throws(() => new cr.optim.SGD([{ params: [w()], lr: -1 }], { lr: 0.1 }), argError(/SGD: invalid learning rate/));
    assert.throws(() => new cr.optim.Adam([w()], { betas: [1, 0.999] }), argError(/Adam: invalid beta parameter at index 0: 1; it must be in \[0, 1\)/));
    assert.throws(() => new cr.optim.AdamW([w()], { betas: [0.9, -0.1] }), argError(/AdamW: invalid beta parameter at index 1: -0\.1/));
    assert.throws(() => new cr.optim.Adam([w()], { eps: -1 }), argError(/Adam: invalid epsilon \(eps\) -1/));
    assert.throws(() => new cr.optim.SGD([w()], { lr: 0.1, nesterov: true }), argError(/Nesterov momentum requires a momentum > 0 and zero dampening/));
    assert.throws(() => new cr.optim.SGD([w()], {} as cr.optim.SGDOptions), argError(/SGD: lr is required/));
    const snake = { lr: 0.1, weight_decay: 0.1 } as unknown as cr.optim.SGDOptions;
    assert.throws(() => new cr.optim.SGD([w()], snake), argError(/unknown option weight_decay \(did you mean weightDecay\?\)/));
    assert.throws(() => new cr.optim.SGD(w() as unknown as Tensor[], { lr: 0.1 }), /SGD: params must be an array of Tensors or of param groups .* got a Tensor/);
    assert.throws(() => new cr.optim.SGD([w().mul(2)], { lr: 0.1 }), argError(/params\[0\] is not a leaf tensor .*MulBackward/));
    const p = w();
    assert.throws(() => new cr.optim.SGD([p, p], { lr: 0.1 }), argError(/the group lists a parameter more than once/));
    assert.throws(() => new cr.optim.SGD([p, 3] as unknown as Tensor[], { lr: 0.1 }), /can only optimize Tensors, but params\[1\] is 3/);
  });

  test("scheduler arguments", () => {
    const opt = (): cr.optim.SGD => new cr.optim.SGD([w()], { lr: 0.1 });
    const { StepLR, OneCycleLR, LinearLR, CosineAnnealingLR, ExponentialLR } = optim.lrScheduler;
    assert.throws(() => new StepLR(opt(), 0), argError(/StepLR: stepSize must be a positive integer, got 0/));
    assert.throws(() => new ExponentialLR(opt(), NaN), argError(/ExponentialLR: gamma must be a finite number/));
    assert.throws(() => new CosineAnnealingLR(opt(), 0), argError(/CosineAnnealingLR: tMax must be a positive number/));
    assert.throws(() => new LinearLR(opt(), { startFactor: 1.5 }), argError(/LinearLR: startFactor must be in \(0, 1\]/));
    assert.throws(() => new OneCycleLR(opt(), { maxLr: 0.1 }), argError(/you must define either totalSteps or \(epochs and stepsPerEpoch\)/));
    assert.throws(() => new OneCycleLR(opt(), { maxLr: 0.1, epochs: 2 }), argError(/expected a positive integer stepsPerEpoch, got undefined/));
    assert.throws(() => new OneCycleLR(opt(), { maxLr: [0.1, 0.2], totalSteps: 5 }), argError(/expected 1 values for maxLr/));
    assert.throws(
      () => new OneCycleLR(new cr.optim.Adagrad([w()]), { maxLr: 0.1, totalSteps: 5 }),
      argError(/the optimizer must have momentum or betas when cycleMomentum is true/),
    );
    assert.throws(() => new CosineAnnealingLR(opt(), 10, { lastEpoch: 3 }), argError(/paramGroups\[0\] has no initialLr, which resuming with lastEpoch 3 needs/));
    assert.throws(() => new StepLR({} as cr.optim.Optimizer, 1), /StepLR: expected an Optimizer/);
    const once = new OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 2 });
    once.step();
    once.step();
    assert.throws(() => once.step(), /OneCycleLR: tried to step 4 times; the specified number of total steps is 2/);
    const step = new StepLR(opt(), 2);
    const saved = step.stateDict();
    assert.deepEqual(saved, { step_size: 2, gamma: 0.1, base_lrs: [0.1], last_epoch: 0, _step_count: 1, _last_lr: [0.1] });
    assert.throws(() => step.loadStateDict({ ...saved, T_max: 3 }), argError(/unknown key T_max/));
    assert.throws(() => step.loadStateDict({ ...saved, base_lrs: [0.1, 0.2] }), argError(/base_lrs must be a list of 1 numbers/));
    assert.deepEqual(step.stateDict(), saved, "a failed load changes nothing");
  });
});
