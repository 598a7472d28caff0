// The hand-written forms of issue 23's math ops against PyTorch (test/fixtures/torch-math.json, from
// tools/gen_torch_math_fixtures.py): div's rounding modes, nanToNum, isclose/allclose, lerp with a number weight,
// integer remainder/fmod/floorDivide, bitwise ops with numbers and mixed dtypes, result dtypes on integers. Then
// their errors, and the semantics PyTorch 1.13 leaves undefined (shift counts outside [0, 31]).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
type Num = number | boolean | "NaN" | "Infinity" | "-Infinity" | "-0";
interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64" | "int32" | "bool";
  readonly data: Num[];
}
interface Case {
  readonly name: string;
  readonly inputs: Encoded[];
  readonly output?: Encoded;
  readonly value?: boolean;
  readonly gradOutput?: Encoded;
  readonly grads?: Encoded[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-math.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };

const value = (v: Num): number => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v === "-0" ? -0 : typeof v === "boolean" ? Number(v) : v);
const decode = (e: Encoded): Tensor => cr.tensor(e.data.map(value), { dtype: e.dtype }).reshape(e.shape);

function close(got: Tensor, want: Encoded, what: string, signedZeros = true): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const tol = want.dtype === "float32" ? 2e-6 : want.dtype === "float64" ? 1e-13 : 0;
  const g = got.toTypedArray();
  want.data.forEach((w0, i) => {
    const w = value(w0), v = g[i]!;
    // Signed zeros are part of PyTorch's answer for the rounding ops (not for gradients: 0·g keeps g's sign there).
    if (!Number.isFinite(w) || (signedZeros && Object.is(w, -0))) assert.ok(Object.is(v, w), `${what}: [${i}] ${v} vs torch ${w}`);
    else assert.ok(Math.abs(v - w) <= tol * Math.max(1, Math.abs(w)), `${what}: [${i}] ${v} vs torch ${w}`);
  });
}

/** The chainrule call for each fixture name (its part before the dtype). */
const CALLS: Record<string, (...xs: Tensor[]) => Tensor | boolean> = {
  "div/trunc": (a, b) => cr.div(a!, b!, { roundingMode: "trunc" }),
  "div/floor": (a, b) => a!.div(b!, { roundingMode: "floor" }),
  "div/trunc/grad": (a, b) => cr.div(a!, b!, { roundingMode: "trunc" }),
  "div/floor/grad": (a, b) => cr.div(a!, b!, { roundingMode: "floor" }),
  "div/none": (a, b) => cr.div(a!, b!, { roundingMode: null }),
  "div/floor/int32-by-float": (a) => cr.div(a!, 2.5, { roundingMode: "floor" }),
  "remainder/specials": (a, b) => cr.remainder(a!, b!),
  "fmod/specials": (a, b) => a!.fmod(b!),
  "floorDivide/specials": (a, b) => cr.floorDivide(a!, b!),
  "remainder": (a, b) => a!.remainder(b!),
  "remainder/int32-by-number": (a) => cr.remainder(a!, 3),
  "fmod": (a, b) => cr.fmod(a!, b!),
  "floorDivide": (a, b) => a!.floorDivide(b!),
  "nanToNum/default": (x) => cr.nanToNum(x!),
  "nanToNum/options": (x) => x!.nanToNum({ nan: 1, posinf: 2, neginf: -3 }),
  "nanToNum/posinf-only": (x) => cr.nanToNum(x!, { posinf: 7 }),
  "nanToNum": (x) => cr.nanToNum(x!),
  "isclose/default": (a, b) => cr.isclose(a!, b!),
  "isclose/equalNan": (a, b) => a!.isclose(b!, { equalNan: true }),
  "isclose/tolerances": (a, b) => cr.isclose(a!, b!, { rtol: 1e-2, atol: 1e-3 }),
  "isclose/zero-tolerances": (a, b) => cr.isclose(a!, b!, { rtol: 0, atol: 0 }),
  "isclose/broadcast": (a, b) => cr.isclose(a!, b!),
  "isclose": (a, b) => cr.isclose(a!, b!, a!.dtype === "int32" ? { rtol: 0.1, atol: 0 } : {}),
  "allclose/true": (a, b) => cr.allclose(a!, b!),
  "allclose/false": (a, b) => a!.allclose(b!),
  "allclose/nan": (a, b) => cr.allclose(a!, b!, { equalNan: true }),
  "lerp/number-weight": (a, b) => cr.lerp(a!, b!, 0.75),
  "lerp/weights": (a, b, w) => a!.lerp(b!, w!),
  "bitwiseAnd/int32-number": (a) => cr.bitwiseAnd(a!, 6),
  "bitwiseOr/int32-bool": (a, b) => a!.bitwiseOr(b!),
  "bitwiseXor/bool": (a, b) => cr.bitwiseXor(a!, b!),
  "bitwiseAnd/bool-number": (a) => cr.bitwiseAnd(a!, 3),
  "bitwiseNot": (a) => a!.bitwiseNot(),
  "bitwiseLeftShift/int32-number": (a) => cr.bitwiseLeftShift(a!, 3),
  "bitwiseRightShift/int32-number": (a) => a!.bitwiseRightShift(2),
  "logicalXor/float32": (a, b) => cr.logicalXor(a!, b!),
  "square": (a) => a!.square(),
  "reciprocal": (a) => cr.reciprocal(a!),
  "rsqrt": (a) => a!.rsqrt(),
  "exp2": (a) => cr.exp2(a!),
  "trunc": (a) => cr.trunc(a!),
  "atan2": (a, b) => cr.atan2(a!, b!),
  "xlogy/int32-number": (a) => cr.xlogy(a!, 2),
};

function callFor(name: string): (...xs: Tensor[]) => Tensor | boolean {
  const parts = name.split("/");
  for (let k = parts.length; k > 0; k--) {
    const key = parts.slice(0, k).join("/");
    if (key in CALLS) return CALLS[key]!;
  }
  throw new Error(`no chainrule call for fixture case ${name}`);
}

for (const c of fixture.cases) {
  test(`${c.name}: as PyTorch (${fixture.torch})`, () => {
    const xs = c.inputs.map(decode);
    const fn = callFor(c.name);
    const out = fn(...xs);
    if (c.value !== undefined) {
      assert.equal(out, c.value);
      return;
    }
    close(out as Tensor, c.output!, "output");
    if (c.grads === undefined) return;
    const leaves = xs.map((x) => (x.dtype === "float32" || x.dtype === "float64" ? x.detach().requiresGrad_(true) : x));
    const wrt = leaves.filter((x) => x.requiresGrad);
    const grads = cr.autograd.grad([fn(...leaves) as Tensor], wrt, { gradOutputs: [decode(c.gradOutput!)], allowUnused: true });
    c.grads.forEach((want, i) => close(grads[i] ?? cr.zerosLike(wrt[i]!), want, `gradient of input ${i}`, false));
  });
}

test("bitwise ops refuse floating-point operands as PyTorch does, and shifts refuse bools", () => {
  const f = cr.tensor([1.5, 2]);
  const i = cr.tensor([1, 2], { dtype: "int32" });
  for (const run of [() => cr.bitwiseAnd(f, f), () => cr.bitwiseOr(i, 1.5), () => cr.bitwiseNot(f), () => cr.bitwiseXor(i, f), () => cr.bitwiseLeftShift(f, 1)]) {
    assert.throws(run, (e: Error) => e instanceof cr.DTypeError && /not implemented for float(32|64) tensors/.test(e.message));
  }
  assert.throws(() => cr.bitwiseLeftShift(cr.tensor([true]), cr.tensor([true])), /bitwiseLeftShift: not supported on bool tensors/);
  assert.throws(() => cr.bitwiseRightShift(cr.tensor([true]), cr.tensor([false])), cr.DTypeError);
});

test("shift counts outside [0, 31] have PyTorch's defined results (0 to the left, the sign to the right)", () => {
  const a = cr.tensor([1, -8, 5, -5], { dtype: "int32" });
  const counts = cr.tensor([32, 40, -1, 33], { dtype: "int32" });
  assert.deepEqual(Array.from(cr.bitwiseLeftShift(a, counts).toTypedArray()), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(cr.bitwiseRightShift(a, counts).toTypedArray()), [0, -1, 0, -1]);
  // In range, wrapping at 32 bits as int32 does.
  assert.deepEqual(Array.from(cr.bitwiseLeftShift(cr.tensor([1, 3], { dtype: "int32" }), cr.tensor([31, 30], { dtype: "int32" })).toTypedArray()), [-2147483648, -1073741824]);
});

test("div takes PyTorch's rounding modes and nothing else; the rounded quotients have zero gradient", () => {
  const x = cr.tensor([1, 2]);
  assert.throws(() => cr.div(x, 2, { roundingMode: "round" as "floor" }), /div: roundingMode must be "trunc", "floor" or null, got "round"/);
  assert.throws(() => x.div(2, "floor" as unknown as cr.DivOptions), /div: the third argument must be an options object/);
  assert.deepEqual(Array.from(cr.div(x, 2, {}).toTypedArray()), [0.5, 1]);
  assert.throws(() => cr.div(cr.tensor([true]), cr.tensor([true]), { roundingMode: "floor" }), /divFloor: not supported on bool tensors/);
  const w = cr.tensor([3.5, -3.5], { requiresGrad: true });
  cr.div(w, 2, { roundingMode: "floor" }).sum().backward();
  assert.deepEqual(Array.from(w.grad!.toTypedArray()), [0, 0]);
});

test("isclose and allclose check their arguments; nanToNum checks its replacements and keeps integers", () => {
  const a = cr.tensor([1, 2]);
  assert.throws(() => cr.isclose(a, a.double()), /isclose: both tensors must have the same dtype, got float32 and float64/);
  assert.throws(() => cr.isclose(a, a, { rtol: -1 }), /isclose: rtol must be greater than or equal to zero, but got -1/);
  assert.throws(() => cr.allclose(a, a, { atol: NaN }), /allclose: atol must be greater than or equal to zero/);
  assert.throws(() => cr.isclose(a, cr.tensor([1, 2, 3])), cr.ShapeError);
  assert.throws(() => cr.nanToNum(a, { nan: "0" as unknown as number }), /nanToNum: nan must be a number/);
  const ints = cr.tensor([1, 2], { dtype: "int32" });
  const copy = cr.nanToNum(ints);
  assert.notEqual(copy, ints);
  assert.equal(copy.dtype, "int32");
  const y = cr.tensor([NaN, 1]);
  assert.equal(y.nanToNum_(), y);
  assert.deepEqual(Array.from(y.toTypedArray()), [0, 1]);
});

test("reciprocal, rsqrt and square are registry ops now: one node each, PyTorch's derivative forms", () => {
  const x = cr.tensor([0.5, 2, -4], { dtype: "float64", requiresGrad: true });
  for (const [name, f] of [["Reciprocal", (t: Tensor) => t.reciprocal()], ["Square", (t: Tensor) => cr.square(t)]] as const) {
    const y = f(x);
    assert.equal(y.gradFn!.name, `${name}Backward`);
  }
  assert.equal(cr.autograd.gradcheck((t) => t.abs().rsqrt(), [x]), true);
  assert.equal(cr.autograd.gradgradcheck((t) => t.reciprocal().add(cr.square(t)), [x]), true);
});
