// Checks every tensor op's forward values and gradients against PyTorch (test/fixtures/torch-ops.json, from tools/gen_torch_fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
type DTypeName = "float32" | "float64" | "int32" | "bool";

/** A tensor as the fixture stores it: row-major flat data (booleans for bool, integers for int32). */
interface Encoded {
  readonly shape: number[];
  readonly dtype: DTypeName;
  readonly data: (number | boolean)[];
}
interface EncodedInput extends Encoded {
  readonly requiresGrad: boolean;
}
type ArgValue = number | boolean | string | null | number[];
type Args = Readonly<Record<string, ArgValue>>;
interface Case {
  readonly name: string;
  readonly op: string;
  readonly args: Args;
  readonly dtype: DTypeName;
  readonly inputs: EncodedInput[];
  readonly output: Encoded;
  /** Null for forward-only cases (bool/int outputs, or no input requires grad). */
  readonly gradOutput: Encoded | null;
  /** One entry per input: torch's gradient, or null where the input does not require grad. */
  readonly grads: (Encoded | null)[] | null;
}
interface Fixture {
  readonly torch: string;
  readonly cases: Case[];
}

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/torch-ops.json", import.meta.url), "utf8"),
) as Fixture;

// ---- reading args ----

function num(args: Args, key: string): number {
  const v = args[key];
  assert.equal(typeof v, "number", `arg ${key} should be a number`);
  return v as number;
}
function optNum(args: Args, key: string): number | undefined {
  const v = args[key];
  return v === undefined || v === null ? undefined : num(args, key);
}
function optBool(args: Args, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  assert.equal(typeof v, "boolean", `arg ${key} should be a boolean`);
  return v as boolean;
}
function ints(args: Args, key: string): number[] {
  const v = args[key];
  assert.ok(Array.isArray(v), `arg ${key} should be a list`);
  return v;
}
/** A reduction's `dim`: absent (all dims), one dim, or a list. */
function optDims(args: Args, key: string): number | number[] | undefined {
  const v = args[key];
  return Array.isArray(v) ? v : optNum(args, key);
}
function str(args: Args, key: string): string {
  const v = args[key];
  assert.equal(typeof v, "string", `arg ${key} should be a string`);
  return v as string;
}

/** A window size: one number for both dims, or [height, width]. */
function optSize2(args: Args, key: string): number | [number, number] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  const list = ints(args, key);
  assert.equal(list.length, 2, `arg ${key} should be a pair`);
  return [list[0]!, list[1]!];
}
/** max pooling's options from a case's kernelSize, stride, padding and dilation. */
function poolArgs(a: Args): [number | [number, number], { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number] }] {
  const opts = Object.fromEntries((["stride", "padding", "dilation"] as const).flatMap((k) => (a[k] === undefined ? [] : [[k, optSize2(a, k)]])));
  return [optSize2(a, "kernelSize")!, opts];
}

// ---- the ops, in chainrule's API ----

type OpFn = (xs: readonly Tensor[], args: Args) => Tensor;

/** The i-th input of a case (the fixture's input count must match the op's arity). */
function input(xs: readonly Tensor[], i: number): Tensor {
  const x = xs[i];
  assert.ok(x !== undefined, `missing input ${i}`);
  return x;
}
function unary(f: (x: Tensor, args: Args) => Tensor): OpFn {
  return (xs, a) => f(input(xs, 0), a);
}
function pair(f: (x: Tensor, y: Tensor, args: Args) => Tensor): OpFn {
  return (xs, a) => f(input(xs, 0), input(xs, 1), a);
}
/** x.op(y), or x.op(number) when the case passes the second operand as the number arg `key`. */
function binary(method: (x: Tensor, other: Tensor | number) => Tensor, key = "other"): OpFn {
  return (xs, a) => method(input(xs, 0), a[key] === undefined ? input(xs, 1) : num(a, key));
}
/** Reductions taking `(dim?, keepdim?)`: no dim means all elements. */
function reduceWith(method: (x: Tensor, dim: number | number[] | undefined, keepdim: boolean) => Tensor): OpFn {
  return unary((x, a) => method(x, optDims(a, "dim"), optBool(a, "keepdim") ?? false));
}
/** max/min/argmax/argmin: `()` over all elements, or `(dim, keepdim)`. */
function overDim(all: (x: Tensor) => Tensor, along: (x: Tensor, dim: number, keepdim: boolean) => Tensor): OpFn {
  return unary((x, a) => (a.dim === undefined ? all(x) : along(x, num(a, "dim"), optBool(a, "keepdim") ?? false)));
}

const OPS: Readonly<Record<string, OpFn>> = {
  add: binary((x, y) => x.add(y)),
  sub: binary((x, y) => x.sub(y)),
  mul: binary((x, y) => x.mul(y)),
  div: binary((x, y) => x.div(y)),
  pow: binary((x, y) => x.pow(y), "exponent"),
  maximum: pair((x, y) => x.maximum(y)),
  // relu's gradient, differentiated again (its own primitive, thresholdBackward, and that one's vjp).
  reluGrad: pair((x, v) => cr.autograd.grad(cr.relu(x), x, { gradOutputs: [v], createGraph: true })[0]!),
  // The loss's kernels differentiated again: logSoftmaxBackward's vjp, and nllLossBackward's then that one's.
  logSoftmaxGrad: pair((x, v, a) => cr.autograd.grad(x.logSoftmax(num(a, "dim")), x, { gradOutputs: [v], createGraph: true })[0]!),
  crossEntropyGrad: unary((x, a) => {
    const target = cr.tensor(ints(a, "target"), { dtype: "int32" });
    const reduction = str(a, "reduction") as "mean" | "sum";
    return cr.autograd.grad(cr.nn.functional.crossEntropy(x, target, { reduction }), x, { createGraph: true })[0]!;
  }),
  minimum: pair((x, y) => x.minimum(y)),

  neg: unary((x) => x.neg()),
  abs: unary((x) => x.abs()),
  sqrt: unary((x) => x.sqrt()),
  exp: unary((x) => x.exp()),
  log: unary((x) => x.log()),
  log1p: unary((x) => x.log1p()),
  expm1: unary((x) => x.expm1()),
  erf: unary((x) => x.erf()),
  softplus: unary((x) => x.softplus()),
  silu: unary((x) => x.silu()),
  sin: unary((x) => x.sin()),
  cos: unary((x) => x.cos()),
  tanh: unary((x) => x.tanh()),
  sigmoid: unary((x) => x.sigmoid()),
  relu: unary((x) => x.relu()),
  leakyRelu: unary((x, a) => {
    const slope = optNum(a, "negativeSlope");
    return slope === undefined ? x.leakyRelu() : x.leakyRelu(slope);
  }),
  gelu: unary((x, a) => {
    const approximate = str(a, "approximate");
    assert.ok(approximate === "none" || approximate === "tanh");
    return x.gelu(approximate);
  }),
  clamp: unary((x, a) => x.clamp(optNum(a, "min"), optNum(a, "max"))),

  gt: pair((x, y) => x.gt(y)),
  ge: pair((x, y) => x.ge(y)),
  lt: pair((x, y) => x.lt(y)),
  le: pair((x, y) => x.le(y)),
  eq: pair((x, y) => x.eq(y)),
  ne: pair((x, y) => x.ne(y)),
  where: (xs) => cr.where(input(xs, 0), input(xs, 1), input(xs, 2)),

  matmul: pair((x, y) => x.matmul(y)),
  addmm: (xs, a) => cr.addmm(input(xs, 0), input(xs, 1), input(xs, 2), {
    ...(a.beta === undefined ? {} : { beta: num(a, "beta") }),
    ...(a.alpha === undefined ? {} : { alpha: num(a, "alpha") }),
  }),

  sum: reduceWith((x, dim, keepdim) => x.sum(dim, keepdim)),
  mean: reduceWith((x, dim, keepdim) => x.mean(dim, keepdim)),
  max: overDim((x) => x.max(), (x, dim, keepdim) => x.max(dim, keepdim)),
  min: overDim((x) => x.min(), (x, dim, keepdim) => x.min(dim, keepdim)),
  argmax: overDim((x) => x.argmax(), (x, dim, keepdim) => x.argmax(dim, keepdim)),
  argmin: overDim((x) => x.argmin(), (x, dim, keepdim) => x.argmin(dim, keepdim)),
  logsumexp: unary((x, a) => {
    const dim = optDims(a, "dim");
    assert.ok(dim !== undefined, "logsumexp needs a dim");
    return x.logsumexp(dim, optBool(a, "keepdim") ?? false);
  }),
  var: unary((x, a) =>
    x.var(optDims(a, "dim"), { correction: optNum(a, "correction") ?? 1, keepdim: optBool(a, "keepdim") ?? false }),
  ),
  std: unary((x, a) =>
    x.std(optDims(a, "dim"), { correction: optNum(a, "correction") ?? 1, keepdim: optBool(a, "keepdim") ?? false }),
  ),
  softmax: unary((x, a) => x.softmax(num(a, "dim"))),
  logSoftmax: unary((x, a) => x.logSoftmax(num(a, "dim"))),

  reshape: unary((x, a) => x.reshape(ints(a, "shape"))),
  view: unary((x, a) => x.view(ints(a, "shape"))),
  transpose: unary((x, a) => x.transpose(num(a, "dim0"), num(a, "dim1"))),
  permute: unary((x, a) => x.permute(ints(a, "dims"))),
  squeeze: unary((x, a) => (a.dim === undefined ? x.squeeze() : x.squeeze(num(a, "dim")))),
  unsqueeze: unary((x, a) => x.unsqueeze(num(a, "dim"))),
  expand: unary((x, a) => x.expand(ints(a, "shape"))),
  flatten: unary((x, a) => x.flatten(optNum(a, "startDim") ?? 0, optNum(a, "endDim") ?? -1)),
  cat: (xs, a) => (a.dim === undefined ? cr.cat(xs) : cr.cat(xs, num(a, "dim"))),
  stack: (xs, a) => (a.dim === undefined ? cr.stack(xs) : cr.stack(xs, num(a, "dim"))),
  slice: unary((x, a) => x.slice(num(a, "dim"), optNum(a, "start"), optNum(a, "end"), optNum(a, "step") ?? 1)),
  narrow: unary((x, a) => x.narrow(num(a, "dim"), num(a, "start"), num(a, "length"))),
  select: unary((x, a) => x.select(num(a, "dim"), num(a, "index"))),
  gather: pair((x, index, a) => x.gather(num(a, "dim"), index)),
  indexSelect: pair((x, index, a) => x.indexSelect(num(a, "dim"), index)),
  maxPool2d: unary((x, a) => cr.maxPool2d(x, ...poolArgs(a))),
  maxPool2dIndices: unary((x, a) => cr.maxPool2dWithIndices(x, ...poolArgs(a))[1]),
};

// ---- tolerances ----

interface Tol {
  readonly rtol: number;
  readonly atol: number;
}
// float64: chainrule and torch may sum in different orders and use different libm routines, which
// moves results by a few ulps (~1e-15 relative); 1e-9 leaves room for that and nothing more.
const F64_TOL: Tol = { rtol: 1e-9, atol: 1e-10 };
// float32: one rounding is ~6e-8 relative; a different summation order or computing an intermediate
// in double before rounding moves results by a few of those.
const F32_TOL: Tol = { rtol: 1e-4, atol: 1e-5 };

function tolFor(dtype: DTypeName): Tol {
  return dtype === "float64" ? F64_TOL : F32_TOL;
}

// ---- building and comparing tensors ----

/** A leaf tensor holding `e` exactly; reshaped before requiresGrad_ so it stays a leaf. */
function build(e: Encoded, requiresGrad = false): Tensor {
  const base =
    e.shape.length === 0
      ? cr.tensor(e.data[0] as number | boolean, { dtype: e.dtype })
      : cr.tensor(e.data as number[] | boolean[], { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? base.requiresGrad_(true) : base;
}

function assertMatches(got: Tensor, want: Encoded, what: string): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const data = Array.from(got.toTypedArray(), Number);
  const expected = want.data.map(Number);
  assert.equal(data.length, expected.length, `${what}: element count`);
  if (want.dtype === "bool" || want.dtype === "int32") {
    assert.deepEqual(data, expected, `${what}: values`);
    return;
  }
  const { rtol, atol } = tolFor(want.dtype);
  const bad: string[] = [];
  expected.forEach((e, i) => {
    const g = data[i] ?? Number.NaN;
    // Written so that NaN in either fails.
    if (!(Math.abs(g - e) <= atol + rtol * Math.abs(e))) bad.push(`[${i}] got ${g}, expected ${e}`);
  });
  assert.ok(
    bad.length === 0,
    `${what}: ${bad.length} of ${expected.length} values off (rtol ${rtol}, atol ${atol}):\n  ${bad.slice(0, 8).join("\n  ")}`,
  );
}

// ---- the tests ----

test(`fixture (torch ${fixture.torch}) and op table cover the same ops`, () => {
  const inFixture = new Set(fixture.cases.map((c) => c.op));
  assert.deepEqual([...inFixture].filter((op) => !(op in OPS)), [], "ops in the fixture with no table entry");
  assert.deepEqual(Object.keys(OPS).filter((op) => !inFixture.has(op)), [], "table ops with no fixture case");
});

for (const c of fixture.cases) {
  test(c.name, () => {
    const op = OPS[c.op];
    assert.ok(op !== undefined, `no table entry for op ${c.op}`);
    const inputs = c.inputs.map((e) => build(e, e.requiresGrad));
    const out = op(inputs, c.args);
    assertMatches(out, c.output, "forward");

    if (c.gradOutput === null || c.grads === null) return;
    const needs = inputs.filter((_, i) => c.inputs[i]?.requiresGrad === true);
    const grads = cr.autograd.grad(out, needs, { gradOutputs: [build(c.gradOutput)] });
    assert.equal(grads.length, needs.length, "one gradient per input");
    let k = 0;
    c.inputs.forEach((spec, i) => {
      const want = c.grads?.[i] ?? null;
      if (!spec.requiresGrad) {
        assert.equal(want, null, `fixture: input ${i} needs no grad`);
        return;
      }
      assert.ok(want !== null, `fixture: gradient of input ${i}`);
      const got = grads[k++];
      assert.ok(got !== null && got !== undefined, `gradient of input ${i} is null`);
      assertMatches(got, want, `grad of input ${i}`);
    });
  });
}

// The op table and the fixture, for suites that run them on backends this file cannot (test/webgpu/fixtures.gpu.ts).
export { OPS, build, fixture, type Case as TorchCase, type Encoded as TorchEncoded };
