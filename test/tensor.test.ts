// Tensor basics: creation, reading, dtype promotion, every op's forward on hand-checked values,
// and clear errors (naming the op and the shapes) for bad input, with nothing changed afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

type Tensor = cr.Tensor;

/** Flattens nested arrays of numbers (or a number) into one list. */
function flat(x: unknown): number[] {
  if (Array.isArray(x)) return x.flatMap((v) => flat(v));
  if (typeof x === "boolean") return [x ? 1 : 0];
  assert.equal(typeof x, "number", `expected a number, got ${String(x)}`);
  return [x as number];
}

/** Asserts the tensor's shape and that every element is within tol·max(1, |expected|) of `expected`. */
function assertClose(actual: Tensor, expected: unknown, tol = 1e-6, shape?: readonly number[]): void {
  const got = Array.from(actual.toTypedArray() as ArrayLike<number>);
  const want = flat(expected);
  if (shape !== undefined) assert.deepEqual(actual.shape, shape);
  assert.equal(got.length, want.length, `expected ${want.length} elements, got ${got.length} (shape ${JSON.stringify(actual.shape)})`);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `element ${i}: expected NaN, got ${g}`);
      return;
    }
    if (!Number.isFinite(w)) {
      assert.equal(g, w, `element ${i}`);
      return;
    }
    assert.ok(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)), `element ${i}: expected ${w}, got ${g} (all: ${got.join(", ")})`);
  });
}

const f64 = (data: cr.NestedArray): Tensor => cr.tensor(data, { dtype: "float64" });
const i32 = (data: cr.NestedArray): Tensor => cr.tensor(data, { dtype: "int32" });

// ---------------------------------------------------------------------------------------------
// creation
// ---------------------------------------------------------------------------------------------

test("tensor: numbers give float32, booleans give bool, nested arrays give the shape", () => {
  const a = cr.tensor([1, 2, 3]);
  assert.equal(a.dtype, "float32");
  assert.deepEqual(a.shape, [3]);
  assert.deepEqual(a.tolist(), [1, 2, 3]);

  const b = cr.tensor([true, false]);
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.tolist(), [true, false]);

  const c = cr.tensor([[[1, 2, 3], [4, 5, 6]]]);
  assert.deepEqual(c.shape, [1, 2, 3]);
  assert.deepEqual(c.tolist(), [[[1, 2, 3], [4, 5, 6]]]);

  const s = cr.tensor(3.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.ndim, 0);
  assert.equal(s.item(), 3.5);

  const e = cr.tensor([]);
  assert.deepEqual(e.shape, [0]);
  assert.equal(e.dtype, "float32");
  assert.deepEqual(cr.tensor([[], []]).shape, [2, 0]);

  // Mixed numbers and booleans are numbers.
  const m = cr.tensor([1, true, false]);
  assert.equal(m.dtype, "float32");
  assert.deepEqual(m.tolist(), [1, 1, 0]);
});

test("tensor: typed arrays keep their dtype; { dtype } overrides", () => {
  assert.equal(cr.tensor(new Float32Array([1, 2])).dtype, "float32");
  assert.equal(cr.tensor(new Float64Array([1, 2])).dtype, "float64");
  assert.equal(cr.tensor(new Int32Array([1, 2])).dtype, "int32");
  assert.equal(cr.tensor(new Uint8Array([1, 0])).dtype, "bool");
  assert.deepEqual(cr.tensor(new Uint8Array([1, 0])).tolist(), [true, false]);
  assert.deepEqual(cr.tensor(new Int32Array([7, -3])).tolist(), [7, -3]);

  const d = cr.tensor([1, 2], { dtype: "float64" });
  assert.equal(d.dtype, "float64");
  const i = cr.tensor([1, -2], { dtype: "int32" });
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.tolist(), [1, -2]);
  const bo = cr.tensor([0, 2, -1], { dtype: "bool" });
  assert.deepEqual(bo.tolist(), [false, true, true]);
  const fb = cr.tensor([true, false], { dtype: "float32" });
  assert.deepEqual(fb.tolist(), [1, 0]);
  const up = cr.tensor(new Float32Array([1.5]), { dtype: "float64" });
  assert.equal(up.dtype, "float64");
  assert.deepEqual(up.tolist(), [1.5]);

  // The tensor copies the data: changing the source array later does not change it.
  const src = new Float64Array([1, 2]);
  const t = cr.tensor(src);
  src[0] = 99;
  assert.deepEqual(t.tolist(), [1, 2]);
});

test("tensor: int32 with a fraction is a DTypeError", () => {
  assert.throws(() => cr.tensor([1, 2.5], { dtype: "int32" }), { name: "DTypeError", message: /tensor.*2\.5.*int32/ });
  assert.throws(() => cr.full([2], 0.5, { dtype: "int32" }), { name: "DTypeError", message: /full.*0\.5.*int32/ });
});

test("zeros, ones, full", () => {
  const z = cr.zeros([2, 3]);
  assert.equal(z.dtype, "float32");
  assert.deepEqual(z.tolist(), [[0, 0, 0], [0, 0, 0]]);
  const o = cr.ones([3], { dtype: "float64" });
  assert.equal(o.dtype, "float64");
  assert.deepEqual(o.tolist(), [1, 1, 1]);
  const oi = cr.ones([2], { dtype: "int32" });
  assert.equal(oi.dtype, "int32");
  assert.deepEqual(cr.full([2, 2], 7).tolist(), [[7, 7], [7, 7]]);
  assert.equal(cr.full([2], true).dtype, "bool");
  assert.deepEqual(cr.full([2], true).tolist(), [true, true]);
  assert.equal(cr.full([2], 3, { dtype: "int32" }).dtype, "int32");
  assert.ok(Number.isNaN(cr.full([1], NaN).item()));
  assert.deepEqual(cr.zeros([]).shape, []);
  assert.deepEqual(cr.zeros([2, 0]).tolist(), [[], []]);
  const r = cr.zeros([2], { requiresGrad: true });
  assert.ok(r.requiresGrad && r.isLeaf);
});

test("arange: integer args give int32, fractional args give float32", () => {
  const a = cr.arange(5);
  assert.equal(a.dtype, "int32");
  assert.deepEqual(a.tolist(), [0, 1, 2, 3, 4]);
  const b = cr.arange(1, 10, 3);
  assert.equal(b.dtype, "int32");
  assert.deepEqual(b.tolist(), [1, 4, 7]);
  assert.deepEqual(cr.arange(5, 0, -2).tolist(), [5, 3, 1]);
  assert.deepEqual(cr.arange(2, 5).tolist(), [2, 3, 4]);
  const c = cr.arange(0, 1, 0.25);
  assert.equal(c.dtype, "float32");
  assert.deepEqual(c.tolist(), [0, 0.25, 0.5, 0.75]);
  assert.equal(cr.arange(0.5, 3).dtype, "float32");
  assert.deepEqual(cr.arange(0.5, 3).tolist(), [0.5, 1.5, 2.5]);
  assert.equal(cr.arange(0, 1, 0.1).numel(), 10);
  assert.equal(cr.arange(3, { dtype: "float64" }).dtype, "float64");
  assert.deepEqual(cr.arange(0).shape, [0]);
});

test("linspace: both ends included, the last value exactly end", () => {
  assertClose(cr.linspace(-1, 1, 5), [-1, -0.5, 0, 0.5, 1], 0, [5]);
  const l = cr.linspace(0, 1, 7);
  assert.equal(l.dtype, "float32");
  const v = l.toTypedArray();
  assert.equal(v[0], 0);
  assert.equal(v[6], 1);
  const d = cr.linspace(0.1, 0.7, 7, { dtype: "float64" });
  assert.equal(d.dtype, "float64");
  assert.equal(d.toTypedArray()[6], 0.7);
  assertClose(d, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], 1e-15);
  assert.deepEqual(cr.linspace(3, 3, 1).tolist(), [3]);
  assert.deepEqual(cr.linspace(0, 1, 0).shape, [0]);
});

test("eye: square and rectangular", () => {
  assert.deepEqual(cr.eye(2).tolist(), [[1, 0], [0, 1]]);
  assert.deepEqual(cr.eye(2, 3).tolist(), [[1, 0, 0], [0, 1, 0]]);
  assert.deepEqual(cr.eye(3, 2).tolist(), [[1, 0], [0, 1], [0, 0]]);
  assert.equal(cr.eye(2).dtype, "float32");
  assert.equal(cr.eye(2, { dtype: "int32" }).dtype, "int32");
  assert.equal(cr.eye(2, 3, { dtype: "float64" }).dtype, "float64");
});

test("rand, randn, randint: shapes, dtypes and ranges", () => {
  cr.manualSeed(0);
  const u = cr.rand([3, 4]);
  assert.equal(u.dtype, "float32");
  assert.deepEqual(u.shape, [3, 4]);
  for (const v of u.toTypedArray()) assert.ok(v >= 0 && v < 1, `rand value ${v} outside [0, 1)`);
  assert.equal(cr.rand([2], { dtype: "float64" }).dtype, "float64");

  const n = cr.randn([5]);
  assert.equal(n.dtype, "float32");
  assert.deepEqual(n.shape, [5]);

  const r1 = cr.randint(5, [200]);
  assert.equal(r1.dtype, "int32");
  assert.deepEqual(r1.shape, [200]);
  const seen1 = new Set(r1.toTypedArray());
  for (const v of seen1) assert.ok(Number.isInteger(v) && v >= 0 && v < 5, `randint(5) gave ${v}`);
  assert.equal(seen1.size, 5, "randint(5) over 200 draws should hit every value");

  const r2 = cr.randint(-3, 2, [2, 100]);
  assert.equal(r2.dtype, "int32");
  assert.deepEqual(r2.shape, [2, 100]);
  const seen2 = new Set(r2.toTypedArray());
  for (const v of seen2) assert.ok(Number.isInteger(v) && v >= -3 && v < 2, `randint(-3, 2) gave ${v}`);
  assert.equal(seen2.size, 5);

  const rf = cr.randint(0, 3, [4], { dtype: "float32" });
  assert.equal(rf.dtype, "float32");
});

test("manualSeed makes rand, randn and randint repeat", () => {
  cr.manualSeed(42);
  const a = [cr.rand([4]).tolist(), cr.randn([4]).tolist(), cr.randint(0, 100, [4]).tolist()];
  cr.manualSeed(42);
  const b = [cr.rand([4]).tolist(), cr.randn([4]).tolist(), cr.randint(0, 100, [4]).tolist()];
  assert.deepEqual(a, b);
  cr.manualSeed(43);
  assert.notDeepEqual(cr.rand([4]).tolist(), a[0]);
  // Consecutive draws differ.
  cr.manualSeed(42);
  assert.notDeepEqual(cr.rand([4]).tolist(), cr.rand([4]).tolist());
});

test("a Generator passed as { generator } gives its own reproducible stream", () => {
  const g1 = new cr.Generator(3);
  const g2 = new cr.Generator(3);
  const a = cr.rand([5], { generator: g1 }).tolist();
  // Draws from the default generator in between do not disturb g2's stream.
  cr.manualSeed(123);
  cr.randn([10]);
  assert.deepEqual(cr.rand([5], { generator: g2 }).tolist(), a);
  assert.deepEqual(cr.randn([3], { generator: new cr.Generator(9) }).tolist(), cr.randn([3], { generator: new cr.Generator(9) }).tolist());
  assert.deepEqual(
    cr.randint(0, 1000, [6], { generator: new cr.Generator(1) }).tolist(),
    cr.randint(0, 1000, [6], { generator: new cr.Generator(1) }).tolist(),
  );
  // Using the generator does not move the default one.
  cr.manualSeed(5);
  const ref = cr.rand([3]).tolist();
  cr.manualSeed(5);
  cr.rand([3], { generator: new cr.Generator(77) });
  assert.deepEqual(cr.rand([3]).tolist(), ref);
});

test("randn has mean ≈ 0 and std ≈ 1 over 10,000 samples; rand has mean ≈ 0.5", () => {
  cr.manualSeed(2024);
  const x = cr.randn([10000], { dtype: "float64" });
  const mean = x.mean().item();
  const std = x.std().item();
  assert.ok(Math.abs(mean) < 0.05, `randn mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.05, `randn std ${std}`);
  const u = cr.rand([10000], { dtype: "float64" });
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.02, `rand mean ${u.mean().item()}`);
  assert.ok(Math.abs(u.var().item() - 1 / 12) < 0.01, `rand var ${u.var().item()}`);
});

test("zerosLike, onesLike, fullLike take the shape and dtype of their argument", () => {
  const x = cr.tensor([[1, 2, 3]], { dtype: "float64" });
  const z = cr.zerosLike(x);
  assert.deepEqual(z.shape, [1, 3]);
  assert.equal(z.dtype, "float64");
  assert.deepEqual(z.tolist(), [[0, 0, 0]]);
  const o = cr.onesLike(x, { dtype: "int32" });
  assert.equal(o.dtype, "int32");
  assert.deepEqual(o.tolist(), [[1, 1, 1]]);
  const fl = cr.fullLike(x, 4);
  assert.equal(fl.dtype, "float64");
  assert.deepEqual(fl.tolist(), [[4, 4, 4]]);
  // requiresGrad is not inherited.
  const leaf = cr.ones([2], { requiresGrad: true });
  assert.equal(cr.zerosLike(leaf).requiresGrad, false);
});

// ---------------------------------------------------------------------------------------------
// reading
// ---------------------------------------------------------------------------------------------

test("shape is readonly (frozen); dtype, ndim, numel, size", () => {
  const x = cr.zeros([2, 3, 4]);
  assert.ok(Object.isFrozen(x.shape));
  assert.throws(() => {
    (x.shape as number[])[0] = 5;
  }, TypeError);
  assert.deepEqual(x.shape, [2, 3, 4]);
  assert.equal(x.dtype, "float32");
  assert.equal(x.ndim, 3);
  assert.equal(x.numel(), 24);
  assert.equal(x.size(1), 3);
  assert.equal(x.size(-1), 4);
  assert.deepEqual(x.size(), [2, 3, 4]);
  assert.throws(() => x.size(3), { name: "ShapeError", message: /size.*dim 3.*\[2,3,4\]/ });
  assert.equal(cr.tensor(1).numel(), 1);
  assert.equal(cr.zeros([2, 0]).numel(), 0);
  // The result of an op is frozen too.
  assert.ok(Object.isFrozen(x.reshape(24).shape));
});

test("item: the single element; an error for more than one", () => {
  assert.equal(cr.tensor(2.5).item(), 2.5);
  assert.equal(cr.tensor([[7]]).item(), 7);
  assert.equal(cr.tensor([true]).item(), 1);
  assert.equal(cr.tensor([false]).item(), 0);
  assert.equal(i32([-4]).item(), -4);
  assert.throws(() => cr.ones([2]).item(), { name: "ShapeError", message: /item.*one element.*\[2\]/ });
  assert.throws(() => cr.zeros([0]).item(), { name: "ShapeError", message: /item.*\[0\]/ });
});

test("tolist: nested arrays, booleans for bool, numbers for 0-dim, empty dims", () => {
  assert.deepEqual(cr.tensor([[1, 2], [3, 4]]).tolist(), [[1, 2], [3, 4]]);
  assert.deepEqual(cr.tensor([[true], [false]]).tolist(), [[true], [false]]);
  assert.equal(cr.tensor(5).tolist(), 5);
  assert.equal(cr.tensor(true).tolist(), true);
  assert.deepEqual(cr.zeros([2, 0]).tolist(), [[], []]);
  assert.deepEqual(cr.zeros([0, 2]).tolist(), []);
  assert.deepEqual(i32([[1], [2]]).tolist(), [[1], [2]]);
});

test("toTypedArray is a copy: changing it does not change the tensor", () => {
  const x = cr.tensor([1, 2, 3]);
  const arr = x.toTypedArray();
  assert.ok(arr instanceof Float32Array);
  arr[0] = 100;
  assert.deepEqual(x.tolist(), [1, 2, 3]);
  assert.ok(f64([1]).toTypedArray() instanceof Float64Array);
  assert.ok(i32([1]).toTypedArray() instanceof Int32Array);
  assert.ok(cr.tensor([true]).toTypedArray() instanceof Uint8Array);
});

test("dataView is the tensor's own memory", () => {
  const x = cr.tensor([1, 2, 3]);
  const view = x.dataView();
  assert.ok(view instanceof Float32Array);
  assert.deepEqual(Array.from(view), [1, 2, 3]);
  view[1] = 20;
  assert.deepEqual(x.tolist(), [1, 20, 3]);
});

test("toString looks like PyTorch's", () => {
  assert.equal(String(cr.tensor([1, 2])), "tensor([1., 2.])");
  assert.equal(String(cr.tensor(3)), "tensor(3.)");
  assert.equal(String(cr.tensor([1.5, 2])), "tensor([1.5000, 2.0000])");
  assert.equal(String(cr.tensor([[1, 2], [3, 4]])), "tensor([[1., 2.],\n        [3., 4.]])");
  assert.match(String(f64([1, 2])), /^tensor\(\[1\., 2\.\], dtype=float64\)$/);
  assert.match(String(cr.arange(3)), /^tensor\(\[0, 1, 2\], dtype=int32\)$/);
  assert.equal(String(cr.tensor([true, false])), "tensor([true, false])");
  const x = cr.tensor([1, 2], { requiresGrad: true });
  assert.match(String(x), /tensor\(\[1\., 2\.\], requiresGrad=true\)/);
  const y = x.mul(2);
  const s = String(y);
  assert.match(s, /2\., 4\./);
  assert.match(s, /gradFn=<MulBackward>/);
  assert.match(String(x.sum()), /tensor\(3\., gradFn=<SumBackward>\)/);
  assert.equal(`${cr.tensor([1])}`, "tensor([1.])");
});

// ---------------------------------------------------------------------------------------------
// dtype promotion
// ---------------------------------------------------------------------------------------------

test("dtype promotion follows PyTorch", () => {
  const f32 = cr.ones([2]);
  const f64t = cr.ones([2], { dtype: "float64" });
  const i32t = cr.ones([2], { dtype: "int32" });
  const b = cr.tensor([true, false]);
  assert.equal(cr.add(f32, f64t).dtype, "float64");
  assert.equal(cr.add(i32t, f32).dtype, "float32");
  assert.equal(cr.mul(i32t, f64t).dtype, "float64");
  assert.equal(cr.add(i32t, 2.5).dtype, "float32");
  assert.deepEqual(cr.add(i32t, 2.5).tolist(), [3.5, 3.5]);
  assert.equal(cr.add(i32t, 2).dtype, "int32");
  assert.equal(cr.add(f32, 2).dtype, "float32");
  // Dimensioned tensors win within a category…
  assert.equal(cr.add(f32, cr.tensor(1, { dtype: "float64" })).dtype, "float32");
  assert.equal(cr.add(f64t, cr.tensor(1)).dtype, "float64");
  // …but a 0-dim tensor of a higher category wins.
  assert.equal(cr.add(i32t, cr.tensor(1.5, { dtype: "float64" })).dtype, "float64");
  assert.equal(cr.add(b, i32t).dtype, "int32");
  assert.equal(cr.add(b, 2).dtype, "int32");
  assert.equal(cr.add(b, 2.5).dtype, "float32");
  // True division.
  const q = cr.div(i32([1, 2]), i32([2, 4]));
  assert.equal(q.dtype, "float32");
  assert.deepEqual(q.tolist(), [0.5, 0.5]);
  assert.equal(cr.div(i32t, 2).dtype, "float32");
  // Comparisons give bool.
  for (const c of [cr.gt(f32, i32t), cr.ge(f32, 1), cr.lt(i32t, 0.5), cr.le(f64t, f32), cr.eq(b, 1), cr.ne(f32, f64t)]) {
    assert.equal(c.dtype, "bool");
  }
  // Float math on int tensors gives float32.
  assert.equal(cr.exp(i32t).dtype, "float32");
  assert.equal(cr.neg(i32t).dtype, "int32");
  assert.equal(cr.sum(b).dtype, "int32");
  assert.equal(cr.sum(cr.tensor([true, true, false])).item(), 2);
  // cat promotes too.
  assert.equal(cr.cat([f32, f64t]).dtype, "float64");
});

test("promoteTypes", () => {
  assert.equal(cr.promoteTypes("float32", "float64"), "float64");
  assert.equal(cr.promoteTypes("int32", "float32"), "float32");
  assert.equal(cr.promoteTypes("float64", "int32"), "float64");
  assert.equal(cr.promoteTypes("bool", "int32"), "int32");
  assert.equal(cr.promoteTypes("bool", "float32"), "float32");
  assert.equal(cr.promoteTypes("int32", "int32"), "int32");
  assert.equal(cr.promoteTypes("bool", "bool"), "bool");
});

test("to converts dtypes (truncating toward zero for int32; non-zero is true for bool)", () => {
  const x = cr.tensor([1.7, -1.7, 0]);
  assert.equal(x.to("float32"), x);
  assert.deepEqual(x.to("int32").tolist(), [1, -1, 0]);
  assert.deepEqual(x.int().tolist(), [1, -1, 0]);
  assert.deepEqual(x.to("bool").tolist(), [true, true, false]);
  assert.equal(x.double().dtype, "float64");
  assert.equal(i32([1]).float().dtype, "float32");
  assert.deepEqual(cr.tensor([true, false]).to("float64").tolist(), [1, 0]);
});

// ---------------------------------------------------------------------------------------------
// forward values, by hand
// ---------------------------------------------------------------------------------------------

test("arithmetic with broadcasting", () => {
  const a = f64([[1, 2, 3], [4, 5, 6]]);
  const b = f64([10, 20, 30]);
  assertClose(cr.add(a, b), [[11, 22, 33], [14, 25, 36]], 0, [2, 3]);
  assertClose(cr.sub(a, b), [[-9, -18, -27], [-6, -15, -24]], 0);
  assertClose(cr.mul(a, b), [[10, 40, 90], [40, 100, 180]], 0);
  assertClose(cr.div(b, a), [[10, 10, 10], [2.5, 4, 5]], 0);
  assertClose(cr.sub(1, a), [[0, -1, -2], [-3, -4, -5]], 0);
  assertClose(cr.div(1, f64([2, 4])), [0.5, 0.25], 0);
  // [2,1] with [3] → [2,3]
  assertClose(cr.add(f64([[1], [2]]), f64([10, 20, 30])), [[11, 21, 31], [12, 22, 32]], 0, [2, 3]);
  // [2,1,4] with [3,1] → [2,3,4]
  assert.deepEqual(cr.add(cr.zeros([2, 1, 4]), cr.zeros([3, 1])).shape, [2, 3, 4]);
  // 0-dim with [2]
  assertClose(cr.mul(f64(3), f64([1, 2])), [3, 6], 0, [2]);
  assertClose(a.add(1).mul(2), [[4, 6, 8], [10, 12, 14]], 0);
});

test("pow, maximum, minimum", () => {
  assertClose(cr.pow(f64([1, 2, 3]), 2), [1, 4, 9], 0);
  assertClose(cr.pow(f64([4, 9]), 0.5), [2, 3], 1e-15);
  assertClose(cr.pow(f64([2, 2]), f64([3, -1])), [8, 0.5], 0);
  assertClose(cr.pow(2, f64([0, 1, 10])), [1, 2, 1024], 0);
  assertClose(cr.pow(f64([0, 0]), f64([0, 2])), [1, 0], 0);
  assert.deepEqual(cr.pow(i32([2, 3]), 2).tolist(), [4, 9]);
  assert.equal(cr.pow(i32([2, 3]), 2).dtype, "int32");
  assertClose(cr.maximum(f64([1, 5, -2]), f64([3, 2, -2])), [3, 5, -2], 0);
  assertClose(cr.minimum(f64([1, 5, -2]), f64([3, 2, -2])), [1, 2, -2], 0);
  assertClose(cr.maximum(f64([[1], [4]]), f64([2, 3])), [[2, 3], [4, 4]], 0, [2, 2]);
  assertClose(cr.maximum(f64([-1, 1]), 0), [0, 1], 0);
  assertClose(cr.maximum(f64([NaN, 1]), f64([1, 0])), [NaN, 1], 0);
});

test("unary math functions", () => {
  const x = f64([-2, -0.5, 0, 0.5, 2]);
  assertClose(cr.neg(x), [2, 0.5, -0, -0.5, -2], 0);
  assertClose(cr.abs(x), [2, 0.5, 0, 0.5, 2], 0);
  assertClose(cr.sign(x), [-1, -1, 0, 1, 1], 0);
  assertClose(cr.square(x), [4, 0.25, 0, 0.25, 4], 0);
  assertClose(cr.sqrt(f64([0, 1, 4, 2.25])), [0, 1, 2, 1.5], 0);
  assertClose(cr.rsqrt(f64([1, 4, 0.25])), [1, 0.5, 2], 1e-15);
  assertClose(cr.reciprocal(f64([1, 4, -0.5])), [1, 0.25, -2], 0);
  assertClose(cr.exp(f64([0, 1, -1])), [1, Math.E, 1 / Math.E], 1e-15);
  assertClose(cr.log(f64([1, Math.E, 0])), [0, 1, -Infinity], 1e-15);
  assertClose(cr.sin(f64([0, Math.PI / 2, Math.PI / 6])), [0, 1, 0.5], 1e-15);
  assertClose(cr.cos(f64([0, Math.PI, Math.PI / 3])), [1, -1, 0.5], 1e-15);
  assertClose(cr.tanh(f64([0, 1, -1])), [0, Math.tanh(1), -Math.tanh(1)], 1e-15);
  assertClose(cr.erf(f64([0, 0.5, -1, 3])), [0, 0.5204998778130465, -0.8427007929497149, 0.9999779095030014], 1e-12);
  assertClose(cr.floor(f64([1.7, -1.7, 2])), [1, -2, 2], 0);
  assertClose(cr.ceil(f64([1.2, -1.2, 2])), [2, -1, 2], 0);
  // Rounds half to even, as PyTorch.
  assertClose(cr.round(f64([0.5, 1.5, 2.5, -0.5, -1.5, 1.4])), [0, 2, 2, -0, -2, 1], 0);
  assertClose(cr.sqrt(f64([-1])), [NaN], 0);
  // Int tensors through float math give float32.
  assertClose(cr.sqrt(i32([4, 9])), [2, 3], 0);
});

test("activations", () => {
  const x = f64([-2, 0, 1]);
  assertClose(cr.relu(x), [0, 0, 1], 0);
  assertClose(cr.leakyRelu(x), [-0.02, 0, 1], 1e-15);
  assertClose(cr.leakyRelu(x, 0.2), [-0.4, 0, 1], 1e-15);
  assertClose(cr.sigmoid(x), [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-1))], 1e-15);
  // gelu(1) = Φ(1) = 0.8413447460685429; the tanh approximation gives 0.8411919906082768.
  assertClose(cr.gelu(f64([1, 0, -1])), [0.8413447460685429, 0, -0.15865525393145707], 1e-12);
  assertClose(cr.gelu(f64([1, 0, -1]), "tanh"), [0.8411919906082768, 0, -0.15880800939172324], 1e-12);
  assertClose(cr.silu(f64([1, 0, -1])), [0.7310585786300049, 0, -0.2689414213699951], 1e-15);
  assertClose(cr.softplus(f64([0, 1, 100])), [Math.LN2, Math.log1p(Math.E), 100], 1e-15);
  assertClose(cr.softplus(f64([1]), 2), [Math.log1p(Math.exp(2)) / 2], 1e-15);
  // sigmoid of ±1000 stays finite (no NaN from e^1000 = Infinity).
  const s = cr.sigmoid(cr.tensor([-1000, 1000]));
  assert.deepEqual(s.tolist(), [0, 1]);
  const s64 = cr.sigmoid(f64([-1000, 1000]));
  for (const v of s64.toTypedArray()) assert.ok(Number.isFinite(v));
  assert.deepEqual(cr.softplus(cr.tensor([1000, -1000])).tolist(), [1000, 0]);
});

test("softplus of a very negative input keeps its tiny value (log1p(exp(x)), as PyTorch)", () => {
  // softplus(x) = log(1 + eˣ) ≈ eˣ for x ≪ 0; PyTorch (log1p) gives 1.9287e-22 at -50 in float64,
  // and 2.0611536203e-9 at -20. Compare relatively: these values are far below any absolute tolerance.
  const got = Array.from(cr.softplus(f64([-50, -20, -5])).toTypedArray());
  const want = [-50, -20, -5].map((v) => Math.log1p(Math.exp(v)));
  got.forEach((g, i) => {
    const w = want[i]!;
    assert.ok(Math.abs(g - w) <= 1e-12 * w, `softplus(${[-50, -20, -5][i]}) = ${g}, expected ${w} (relative error ${Math.abs(g - w) / w})`);
  });
});

test("clamp", () => {
  const x = f64([-2, -0.5, 0.5, 2]);
  assertClose(cr.clamp(x, -1, 1), [-1, -0.5, 0.5, 1], 0);
  assertClose(x.clamp(0), [0, 0, 0.5, 2], 0);
  assertClose(x.clamp(null, 0), [-2, -0.5, 0, 0], 0);
  assertClose(x.clamp(undefined, 1), [-2, -0.5, 0.5, 1], 0);
  assertClose(cr.clamp(x, f64([0, 0, 1, 1])), [0, 0, 1, 2], 0);
  assertClose(cr.clamp(f64([NaN, 3]), 0, 1), [NaN, 1], 0);
  assert.throws(() => cr.clamp(x), { name: "ArgumentError", message: /clamp/ });
});

test("comparisons and logical ops", () => {
  const a = cr.tensor([1, 2, 3]);
  assert.deepEqual(a.gt(2).tolist(), [false, false, true]);
  assert.deepEqual(a.ge(2).tolist(), [false, true, true]);
  assert.deepEqual(a.lt(2).tolist(), [true, false, false]);
  assert.deepEqual(a.le(2).tolist(), [true, true, false]);
  assert.deepEqual(a.eq(cr.tensor([1, 0, 3])).tolist(), [true, false, true]);
  assert.deepEqual(a.ne(cr.tensor([1, 0, 3])).tolist(), [false, true, false]);
  assert.deepEqual(cr.lt(cr.tensor([[1, 2, 3]]), cr.tensor([[2], [0]])).tolist(), [[true, false, false], [false, false, false]]);
  assert.deepEqual(cr.eq(i32([1, 2]), cr.tensor([1, 2.5])).tolist(), [true, false]);
  assert.deepEqual(cr.logicalAnd(cr.tensor([true, true]), cr.tensor([true, false])).tolist(), [true, false]);
  assert.deepEqual(cr.logicalOr(cr.tensor([0, 1]), cr.tensor([0, 0])).tolist(), [false, true]);
  assert.deepEqual(cr.logicalNot(cr.tensor([0, 2])).tolist(), [true, false]);
  assert.deepEqual(cr.isnan(cr.tensor([NaN, 1, Infinity])).tolist(), [true, false, false]);
  assert.deepEqual(cr.isinf(cr.tensor([NaN, 1, -Infinity])).tolist(), [false, false, true]);
  assert.deepEqual(cr.isfinite(cr.tensor([NaN, 1, Infinity])).tolist(), [false, true, false]);
  // NaN compares unequal to everything.
  assert.deepEqual(cr.tensor([NaN]).eq(cr.tensor([NaN])).tolist(), [false]);
  assert.deepEqual(cr.tensor([NaN]).ne(cr.tensor([NaN])).tolist(), [true]);
});

test("where with tensors and scalars", () => {
  const c = cr.tensor([true, false, true]);
  assertClose(cr.where(c, f64([1, 2, 3]), f64([10, 20, 30])), [1, 20, 3], 0);
  const w = cr.where(c, 1, 0);
  assert.deepEqual(w.tolist(), [1, 0, 1]);
  assert.equal(w.dtype, "int32");
  assert.equal(cr.where(c, 1.5, 0).dtype, "float32");
  assertClose(cr.where(c, cr.tensor([5, 6, 7]), -1), [5, -1, 7], 0);
  // Broadcasting cond [2,1] against [3] → [2,3].
  const b = cr.where(cr.tensor([[true], [false]]), cr.tensor([1, 2, 3]), 0);
  assert.deepEqual(b.shape, [2, 3]);
  assert.deepEqual(b.tolist(), [[1, 2, 3], [0, 0, 0]]);
  // The condition must be bool, as in PyTorch (a float condition is a mistake more often than a shortcut).
  assert.throws(() => cr.where(cr.tensor([0, 2]), 1, 0), { name: "DTypeError", message: /^where: the condition must be a bool tensor, got float32/ });
  assert.deepEqual(cr.where(cr.tensor([0, 2]).ne(0), 1, 0).tolist(), [0, 1]);
});

test("matmul shapes: the 1-D, 2-D and batched rules", () => {
  assertClose(cr.matmul(cr.tensor([[1, 2], [3, 4]]), cr.tensor([[5, 6], [7, 8]])), [[19, 22], [43, 50]], 0, [2, 2]);
  const d = cr.matmul(cr.tensor([1, 2, 3]), cr.tensor([4, 5, 6]));
  assert.deepEqual(d.shape, []);
  assert.equal(d.item(), 32);
  assertClose(cr.matmul(cr.tensor([1, 2]), cr.tensor([[1, 2, 3], [4, 5, 6]])), [9, 12, 15], 0, [3]);
  assertClose(cr.matmul(cr.tensor([[1, 2, 3], [4, 5, 6]]), cr.tensor([1, 0, -1])), [-2, -2], 0, [2]);
  assert.deepEqual(cr.matmul(cr.ones([4, 2, 3]), cr.ones([4, 3, 5])).shape, [4, 2, 5]);
  assert.deepEqual(cr.matmul(cr.ones([4, 2, 3]), cr.ones([3, 5])).shape, [4, 2, 5]);
  assert.deepEqual(cr.matmul(cr.ones([2, 1, 3, 4]), cr.ones([5, 4, 2])).shape, [2, 5, 3, 2]);
  assert.deepEqual(cr.matmul(cr.ones([3]), cr.ones([2, 3, 4])).shape, [2, 4]);
  assert.deepEqual(cr.matmul(cr.ones([2, 3, 4]), cr.ones([4])).shape, [2, 3]);
  assertClose(cr.matmul(cr.ones([2, 1, 3, 4]), cr.ones([5, 4, 2])).sum(), 2 * 5 * 3 * 2 * 4, 0);
  // Batched values: each batch is its own product.
  const a = cr.tensor([[[1, 0], [0, 1]], [[2, 0], [0, 2]]]);
  const b = cr.tensor([[1, 2], [3, 4]]);
  assertClose(cr.matmul(a, b), [[[1, 2], [3, 4]], [[2, 4], [6, 8]]], 0, [2, 2, 2]);
  assertClose(cr.mm(cr.tensor([[1, 2]]), cr.tensor([[3], [4]])), [[11]], 0, [1, 1]);
  assertClose(cr.bmm(a, cr.stack([b, b])), [[[1, 2], [3, 4]], [[2, 4], [6, 8]]], 0, [2, 2, 2]);
  assert.equal(cr.dot(cr.tensor([1, 2]), cr.tensor([3, 4])).item(), 11);
  assert.deepEqual(i32([[1, 2]]).matmul(i32([[3], [4]])).tolist(), [[11]]);
});

test("sum and mean with dim and keepdim", () => {
  const x = cr.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(x.sum().item(), 21);
  assert.deepEqual(x.sum().shape, []);
  assertClose(x.sum(0), [5, 7, 9], 0, [3]);
  assertClose(x.sum(1), [6, 15], 0, [2]);
  assertClose(x.sum(-1), [6, 15], 0, [2]);
  assertClose(x.sum(1, true), [[6], [15]], 0, [2, 1]);
  assertClose(x.sum([0, 1]), 21, 0, []);
  assertClose(x.sum([0, 1], true), [[21]], 0, [1, 1]);
  assertClose(x.mean(), 3.5, 0, []);
  assertClose(x.mean(0), [2.5, 3.5, 4.5], 0, [3]);
  assertClose(x.mean(1, true), [[2], [5]], 0, [2, 1]);
  const y = cr.arange(24).reshape(2, 3, 4).float();
  assertClose(y.sum([0, 2]), [60, 92, 124], 0, [3]);
  assertClose(y.mean([0, 2], true), [[[7.5], [11.5], [15.5]]], 0, [1, 3, 1]);
  assert.equal(i32([1, 2]).sum().dtype, "int32");
  assert.equal(cr.zeros([0]).sum().item(), 0);
});

test("max/min over all and along a dim; argmax/argmin give the indices", () => {
  const x = cr.tensor([[1, 5, 3], [4, 2, 6]]);
  assert.equal(x.max().item(), 6);
  assert.equal(x.min().item(), 1);
  assert.deepEqual(x.max().shape, []);
  assertClose(x.max(1), [5, 6], 0, [2]);
  assert.deepEqual(x.argmax(1).tolist(), [1, 2]);
  assert.equal(x.argmax(1).dtype, "int32");
  assertClose(x.max(0, true), [[4, 5, 6]], 0, [1, 3]);
  assert.deepEqual(x.argmax(0, true).tolist(), [[1, 0, 1]]);
  assertClose(x.min(0), [1, 2, 3], 0, [3]);
  assert.deepEqual(x.argmin(0).tolist(), [0, 1, 0]);
  assertClose(x.min(-1, true), [[1], [2]], 0, [2, 1]);
  assert.deepEqual(x.argmin(-1).tolist(), [0, 1]);
  // Over all elements, flattened.
  assert.equal(x.argmax().item(), 5);
  assert.equal(x.argmin().item(), 0);
  // Ties: the first index.
  assert.equal(cr.tensor([3, 3, 1]).argmax().item(), 0);
  // NaN propagates through max.
  assert.ok(Number.isNaN(cr.tensor([1, NaN, 3]).max().item()));
  assertClose(cr.amax(x), 6, 0, []);
  assertClose(cr.amax(x, 0), [4, 5, 6], 0, [3]);
  assertClose(cr.amin(x, 1, true), [[1], [2]], 0, [2, 1]);
  assertClose(cr.amax(cr.arange(24).reshape(2, 3, 4), [0, 2]), [15, 19, 23], 0, [3]);
});

test("var and std, with correction 0 and 1", () => {
  const x = f64([1, 2, 3, 4]);
  assertClose(x.var(), 5 / 3, 1e-15, []);
  assertClose(x.var(0, { correction: 0 }), 1.25, 1e-15, []);
  assertClose(x.std(), Math.sqrt(5 / 3), 1e-15, []);
  assertClose(x.std(undefined, { correction: 0 }), Math.sqrt(1.25), 1e-15, []);
  const m = f64([[1, 2], [3, 5]]);
  assertClose(m.var(1), [0.5, 2], 1e-15, [2]);
  assertClose(m.var(0, { keepdim: true }), [[2, 4.5]], 1e-15, [1, 2]);
  assertClose(cr.std(m, 1, { correction: 0, keepdim: true }), [[0.5], [1]], 1e-15, [2, 1]);
  assertClose(cr.var(m), (1 - 2.75) ** 2 / 3 + (2 - 2.75) ** 2 / 3 + (3 - 2.75) ** 2 / 3 + (5 - 2.75) ** 2 / 3, 1e-15, []);
});

test("softmax rows sum to 1; logSoftmax and logsumexp are stable", () => {
  const x = f64([[1, 2, 3], [0, 0, 0]]);
  const s = cr.softmax(x, 1);
  assertClose(s.sum(1), [1, 1], 1e-15);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0]! + e[1]! + e[2]!;
  assertClose(s, [[e[0]! / z, e[1]! / z, e[2]! / z], [1 / 3, 1 / 3, 1 / 3]], 1e-15);
  assertClose(x.softmax(0).sum(0), [1, 1, 1], 1e-15);
  assertClose(cr.logSoftmax(x, 1), [[1 - Math.log(z), 2 - Math.log(z), 3 - Math.log(z)], [-Math.log(3), -Math.log(3), -Math.log(3)]], 1e-14);
  // Large logits: no NaN or Infinity.
  const big = cr.tensor([1000, 0]);
  assert.deepEqual(big.softmax(0).tolist(), [1, 0]);
  const ls = big.logSoftmax(0);
  for (const v of ls.toTypedArray()) assert.ok(Number.isFinite(v), `logSoftmax gave ${v}`);
  assertClose(ls, [0, -1000], 1e-6);
  assertClose(cr.logsumexp(f64([1000, 1000]), 0), 1000 + Math.LN2, 1e-15, []);
  assertClose(cr.logsumexp(cr.tensor([1000, 1000]), 0), 1000 + Math.LN2, 1e-6, []);
  assertClose(cr.logsumexp(f64([-1000, -1000]), 0), -1000 + Math.LN2, 1e-15, []);
  assertClose(cr.logsumexp(f64([[0, 0], [1, 1]]), 1, true), [[Math.LN2], [1 + Math.LN2]], 1e-15, [2, 1]);
  assertClose(cr.logsumexp(f64([[0, 0], [0, 0]]), [0, 1]), Math.log(4), 1e-15, []);
  assertClose(cr.logsumexp(f64([-Infinity, -Infinity]), 0), -Infinity, 0);
  assertClose(cr.softmax(f64([-Infinity, 0]), 0), [0, 1], 0);
});

test("reshape (with -1) and view, which shares memory", () => {
  const x = cr.arange(6).float();
  assert.deepEqual(x.reshape(2, 3).tolist(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(x.reshape([3, -1]).shape, [3, 2]);
  assert.deepEqual(x.reshape(-1, 1, 2).shape, [3, 1, 2]);
  assert.deepEqual(cr.reshape(x, [-1]).shape, [6]);
  assert.deepEqual(cr.tensor(5).reshape([1, 1]).shape, [1, 1]);
  const v = x.view(2, 3);
  v.dataView()[0] = 42;
  assert.equal(x.toTypedArray()[0], 42);
  x.dataView()[5] = -1;
  assert.deepEqual(v.tolist(), [[42, 1, 2], [3, 4, -1]]);
  const r = x.reshape([3, 2]);
  r.dataView()[1] = 7;
  assert.equal(x.toTypedArray()[1], 7);
});

test("transpose, permute, squeeze, unsqueeze, expand, flatten", () => {
  const x = cr.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.transpose(0, 1).tolist(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(cr.transpose(x, -1, -2).shape, [3, 2]);
  assert.deepEqual(x.t().tolist(), [[1, 4], [2, 5], [3, 6]]);
  const y = cr.arange(24).reshape(2, 3, 4);
  const p = y.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  // p[k][i][j] = y[i][j][k] = 12i + 4j + k
  assert.equal((p.tolist() as number[][][])[3]![1]![2], 12 + 8 + 3);
  assert.deepEqual(cr.permute(y, [1, 2, 0]).shape, [3, 4, 2]);
  assert.deepEqual(y.transpose(0, 2).shape, [4, 3, 2]);
  assert.deepEqual(y.mT.shape, [2, 4, 3]);

  assert.deepEqual(cr.ones([2, 1, 3, 1]).squeeze().shape, [2, 3]);
  assert.deepEqual(cr.ones([2, 1, 3]).squeeze(1).shape, [2, 3]);
  assert.deepEqual(cr.ones([2, 1, 3]).squeeze(0).shape, [2, 1, 3]);
  assert.deepEqual(cr.ones([1]).squeeze().shape, []);
  assert.deepEqual(cr.ones([2, 3]).unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(cr.ones([2, 3]).unsqueeze(-1).shape, [2, 3, 1]);
  assert.deepEqual(cr.unsqueeze(cr.ones([2, 3]), 1).shape, [2, 1, 3]);

  const e = cr.tensor([[1], [2]]).expand(2, 3);
  assert.deepEqual(e.tolist(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(cr.tensor([1, 2]).expand([3, -1]).tolist(), [[1, 2], [1, 2], [1, 2]]);
  assert.deepEqual(cr.tensor(7).expand([2]).tolist(), [7, 7]);
  assert.deepEqual(cr.ones([3, 1]).expandAs(cr.ones([2, 3, 4])).shape, [2, 3, 4]);

  assert.deepEqual(y.flatten().shape, [24]);
  assert.deepEqual(y.flatten(1).shape, [2, 12]);
  assert.deepEqual(y.flatten(0, 1).shape, [6, 4]);
  assert.deepEqual(cr.flatten(cr.tensor(3)).shape, [1]);
  assert.deepEqual(y.flatten().tolist(), Array.from({ length: 24 }, (_, i) => i));
});

test("cat and stack", () => {
  const a = cr.tensor([[1, 2]]);
  const b = cr.tensor([[3, 4], [5, 6]]);
  assert.deepEqual(cr.cat([a, b]).tolist(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(cr.cat([b, cr.tensor([[7], [8]])], 1).tolist(), [[3, 4, 7], [5, 6, 8]]);
  assert.deepEqual(cr.cat([b, b], -1).shape, [2, 4]);
  assert.deepEqual(cr.stack([cr.tensor([1, 2]), cr.tensor([3, 4])]).tolist(), [[1, 2], [3, 4]]);
  assert.deepEqual(cr.stack([cr.tensor([1, 2]), cr.tensor([3, 4])], 1).tolist(), [[1, 3], [2, 4]]);
  assert.deepEqual(cr.stack([cr.tensor([1, 2]), cr.tensor([3, 4])], -1).tolist(), [[1, 3], [2, 4]]);
  assert.deepEqual(cr.stack([cr.tensor(1), cr.tensor(2)]).tolist(), [1, 2]);
});

test("slice follows Python's rules", () => {
  const x = cr.arange(7);
  const sl = (start?: number | null, end?: number | null, step?: number) => x.slice(0, start, end, step).tolist();
  assert.deepEqual(sl(2, 5), [2, 3, 4]);
  assert.deepEqual(sl(-3), [4, 5, 6]);
  assert.deepEqual(sl(null, -2), [0, 1, 2, 3, 4]);
  assert.deepEqual(sl(-5, -1), [2, 3, 4, 5]);
  assert.deepEqual(sl(1, -1, 2), [1, 3, 5]);
  assert.deepEqual(sl(null, null, 3), [0, 3, 6]);
  assert.deepEqual(sl(-100, 100, 3), [0, 3, 6]);
  assert.deepEqual(sl(5, 100), [5, 6]);
  assert.deepEqual(sl(10, 20), []);
  assert.deepEqual(sl(4, 2), []);
  assert.deepEqual(sl(-1, -3), []);
  const m = cr.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.slice(1, 0, 2).tolist(), [[1, 2], [4, 5]]);
  assert.deepEqual(cr.slice(m, -1, 1).tolist(), [[2, 3], [5, 6]]);
  assert.deepEqual(m.slice(0, 1).tolist(), [[4, 5, 6]]);
  assert.deepEqual(m.slice(1, null, null, 2).tolist(), [[1, 3], [4, 6]]);
});

test("narrow and select", () => {
  const m = cr.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.narrow(1, 1, 2).tolist(), [[2, 3], [5, 6]]);
  assert.deepEqual(cr.narrow(m, 0, 1, 1).tolist(), [[4, 5, 6]]);
  assert.deepEqual(m.narrow(1, -1, 1).tolist(), [[3], [6]]);
  assert.deepEqual(m.select(0, 1).tolist(), [4, 5, 6]);
  assert.deepEqual(cr.select(m, 1, -1).tolist(), [3, 6]);
  assert.deepEqual(m.select(1, 0).shape, [2]);
  assert.equal(m.select(0, 0).select(0, 2).item(), 3);
  assert.throws(() => m.select(0, 2), { name: "ArgumentError", message: /select.*index 2.*size 2/ });
  assert.throws(() => m.narrow(1, 2, 2), { name: "ArgumentError", message: /narrow.*start 2.*length 2.*\[2,3\]/ });
});

test("gather, scatterAdd, indexSelect, indexAdd", () => {
  const x = cr.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(x.gather(1, i32([[0, 0], [1, 0]])).tolist(), [[1, 1], [4, 3]]);
  assert.deepEqual(cr.gather(x, 0, i32([[1, 0]])).tolist(), [[3, 2]]);
  assert.deepEqual(cr.gather(x, 1, i32([[1], [0]])).tolist(), [[2], [3]]);
  // scatterAdd adds up repeats and leaves the input alone.
  const base = cr.zeros([3]);
  assert.deepEqual(base.scatterAdd(0, i32([0, 2, 0]), cr.tensor([1, 2, 3])).tolist(), [4, 0, 2]);
  assert.deepEqual(base.tolist(), [0, 0, 0]);
  assert.deepEqual(cr.scatterAdd(cr.ones([2, 3]), 1, i32([[0, 0], [2, 1]]), cr.tensor([[1, 2], [3, 4]])).tolist(), [[4, 1, 1], [1, 5, 4]]);
  const t = cr.tensor([[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(t.indexSelect(0, i32([2, 0, 2])).tolist(), [[5, 6], [1, 2], [5, 6]]);
  assert.deepEqual(cr.indexSelect(t, 1, i32([1])).tolist(), [[2], [4], [6]]);
  assert.deepEqual(cr.zeros([3, 2]).indexAdd(0, i32([0, 0]), cr.ones([2, 2])).tolist(), [[2, 2], [0, 0], [0, 0]]);
  assert.deepEqual(cr.indexAdd(cr.ones([2, 3]), 1, i32([2, 0]), cr.tensor([[10, 20], [30, 40]])).tolist(), [[21, 1, 11], [41, 1, 31]]);
});

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

test("broadcasting errors name the op and both shapes", () => {
  assert.throws(() => cr.add(cr.ones([2, 3]), cr.ones([4])), { name: "ShapeError", message: /add.*\[2,3\].*\[4\]/ });
  assert.throws(() => cr.mul(cr.ones([2, 3]), cr.ones([3, 2])), { name: "ShapeError", message: /mul.*\[2,3\].*\[3,2\]/ });
  assert.throws(() => cr.maximum(cr.ones([2]), cr.ones([3])), { name: "ShapeError", message: /maximum.*\[2\].*\[3\]/ });
  assert.throws(() => cr.where(cr.tensor([true, false]), cr.ones([3]), 0), { name: "ShapeError", message: /where.*\[2\].*\[3\]/ });
  assert.throws(() => cr.add(cr.ones([2]), "a" as never), { name: "ArgumentError", message: /add.*string/ });
});

test("matmul errors name both shapes", () => {
  assert.throws(() => cr.matmul(cr.ones([2, 3]), cr.ones([2, 3])), {
    name: "ShapeError",
    message: /matmul: a is \[2,3\], b is \[2,3\]/,
  });
  assert.throws(() => cr.matmul(cr.ones([2, 2, 3]), cr.ones([3, 3, 2])), { name: "ShapeError", message: /matmul.*\[2,2,3\].*\[3,3,2\]/ });
  assert.throws(() => cr.matmul(cr.ones([]), cr.ones([2])), { name: "ShapeError", message: /matmul/ });
  assert.throws(() => cr.matmul(cr.ones([2]), cr.ones([2], { dtype: "float64" })), { name: "DTypeError", message: /matmul.*float32.*float64/ });
  assert.throws(() => cr.mm(cr.ones([2]), cr.ones([2, 2])), { name: "ShapeError", message: /mm.*\[2\].*\[2,2\]/ });
  assert.throws(() => cr.bmm(cr.ones([2, 2, 3]), cr.ones([3, 3, 2])), { name: "ShapeError", message: /bmm.*\[2,2,3\].*\[3,3,2\]/ });
  assert.throws(() => cr.dot(cr.ones([2]), cr.ones([3])), { name: "ShapeError", message: /dot.*\[2\].*\[3\]/ });
});

test("a bad dim names the dim and the number of dims", () => {
  const x = cr.ones([2, 3]);
  assert.throws(() => x.sum(5), { name: "ArgumentError", message: /sum.*dim 5.*2 dims/ });
  assert.throws(() => x.mean(-3), { name: "ArgumentError", message: /mean.*dim -3.*2 dims/ });
  assert.throws(() => x.max(2), { name: "ArgumentError", message: /max.*dim 2.*2 dims/ });
  assert.throws(() => x.softmax(2), { name: "ArgumentError", message: /softmax.*dim 2.*2 dims/ });
  assert.throws(() => x.transpose(0, 5), { name: "ArgumentError", message: /transpose.*dim 5.*2 dims/ });
  assert.throws(() => x.unsqueeze(3), { name: "ArgumentError", message: /unsqueeze.*dim 3.*3 dims/ });
  assert.throws(() => x.sum([0, 0]), { name: "ArgumentError", message: /sum.*repeats/ });
  assert.throws(() => x.permute(0, 0), { name: "ArgumentError", message: /permute.*repeat/ });
  assert.throws(() => x.permute(0), { name: "ShapeError", message: /permute.*\[2,3\]/ });
});

test("an unknown dtype string is a DTypeError naming it", () => {
  assert.throws(() => cr.zeros([2], { dtype: "complex64" as never }), { name: "DTypeError", message: /unknown dtype "complex64"/ });
  assert.throws(() => cr.tensor([1, 2], { dtype: "uint16" as never }), { name: "DTypeError", message: /tensor.*unknown dtype "uint16"/ });
  assert.throws(() => cr.arange(3, { dtype: "float8" as never }), { name: "DTypeError", message: /arange.*unknown dtype "float8"/ });
  assert.throws(() => cr.randn([2], { dtype: "int32" }), { name: "DTypeError", message: /randn.*int32/ });
});

test("Tensor.to with an unknown dtype string is a DTypeError naming it", () => {
  const x = cr.ones([2]);
  assert.throws(() => x.to("complex64" as never), { name: "DTypeError", message: /to.*unknown dtype "complex64"/ });
  assert.deepEqual(x.tolist(), [1, 1]);
});

test("reshape, expand and cat errors name the shapes", () => {
  const x = cr.ones([2, 3]);
  assert.throws(() => x.reshape([4]), { name: "ShapeError", message: /reshape.*\[4\].*\[2,3\]/ });
  assert.throws(() => x.reshape([4, -1]), { name: "ShapeError", message: /reshape.*\[4,-1\].*\[2,3\]/ });
  assert.throws(() => x.reshape([-1, -1]), { name: "ShapeError", message: /reshape.*one dimension can be -1/ });
  assert.throws(() => x.view(5), { name: "ShapeError", message: /\[5\].*\[2,3\]/ });
  assert.throws(() => x.expand([4, 4]), { name: "ShapeError", message: /expand.*\[2,3\].*\[4,4\]/ });
  assert.throws(() => x.expand([3]), { name: "ShapeError", message: /expand.*\[3\].*\[2,3\]/ });
  assert.throws(() => cr.cat([cr.ones([2, 3]), cr.ones([2, 4])]), { name: "ShapeError", message: /cat.*\[2,4\].*\[2,3\]/ });
  assert.throws(() => cr.cat([cr.ones([2]), cr.ones([2, 1])]), { name: "ShapeError", message: /cat.*\[2,1\].*\[2\]/ });
  assert.throws(() => cr.cat([]), { name: "ArgumentError", message: /cat/ });
  assert.throws(() => cr.stack([cr.ones([2]), cr.ones([3])]), { name: "ShapeError", message: /stack.*\[3\].*\[2\]/ });
});

test("index errors: float indices are a DTypeError; bad index shapes are a ShapeError", () => {
  const x = cr.ones([2, 3]);
  assert.throws(() => x.gather(1, cr.zeros([2, 1])), { name: "DTypeError", message: /gather.*int32.*float32/ });
  assert.throws(() => x.indexSelect(0, cr.zeros([1])), { name: "DTypeError", message: /indexSelect.*int32/ });
  assert.throws(() => x.scatterAdd(1, cr.zeros([2, 1]), cr.ones([2, 1])), { name: "DTypeError", message: /scatterAdd.*int32/ });
  assert.throws(() => x.indexAdd(0, cr.zeros([1]), cr.ones([1, 3])), { name: "DTypeError", message: /indexAdd.*int32/ });
  assert.throws(() => x.gather(1, i32([0, 1])), { name: "ShapeError", message: /gather.*\[2\].*\[2,3\]/ });
  assert.throws(() => x.indexAdd(0, i32([0]), cr.ones([2, 3])), { name: "ShapeError", message: /indexAdd.*\[2,3\].*\[1,3\]/ });
  assert.throws(() => x.gather(1, i32([[5]])), /gather.*5.*out of bounds/);
  assert.throws(() => x.indexSelect(0, i32([2])), /indexSelect.*2.*out of bounds/);
});

test("non-finite creation arguments are rejected", () => {
  assert.throws(() => cr.arange(0, Infinity), { name: "ArgumentError", message: /arange.*end.*Infinity/ });
  assert.throws(() => cr.arange(NaN), { name: "ArgumentError", message: /arange.*NaN/ });
  assert.throws(() => cr.arange(0, 5, NaN), { name: "ArgumentError", message: /arange.*step.*NaN/ });
  assert.throws(() => cr.arange(0, 5, 0), { name: "ArgumentError", message: /arange.*step/ });
  assert.throws(() => cr.arange(5, 0), { name: "ArgumentError", message: /arange/ });
  assert.throws(() => cr.linspace(0, NaN, 3), { name: "ArgumentError", message: /linspace.*end.*NaN/ });
  assert.throws(() => cr.linspace(-Infinity, 0, 3), { name: "ArgumentError", message: /linspace.*start.*-Infinity/ });
  assert.throws(() => cr.linspace(0, 1, 2.5), { name: "ArgumentError", message: /linspace.*steps/ });
  assert.throws(() => cr.randint(0, NaN, [2]), { name: "ArgumentError", message: /randint.*high.*NaN/ });
  assert.throws(() => cr.randint(5, 5, [2]), { name: "ArgumentError", message: /randint.*low 5.*high 5/ });
  assert.throws(() => cr.zeros([-1]), { name: "ArgumentError", message: /\[-1\]/ });
  assert.throws(() => cr.zeros([1.5]), { name: "ArgumentError", message: /1\.5/ });
  assert.throws(() => cr.manualSeed(NaN), { name: "ArgumentError", message: /manualSeed/ });
});

test("ragged or non-numeric data is rejected, naming where", () => {
  assert.throws(() => cr.tensor([[1, 2], [3]]), { name: "ShapeError", message: /tensor.*not rectangular.*data\[1\]/ });
  assert.throws(() => cr.tensor([[1, 2], 3] as never), { name: "ShapeError", message: /not rectangular.*data\[1\]/ });
  assert.throws(() => cr.tensor([1, "a"] as never), { name: "ArgumentError", message: /tensor.*data\[1\].*string/ });
  assert.throws(() => cr.tensor([[1, null]] as never), { name: "ArgumentError", message: /data\[0\]\[1\].*null/ });
  assert.throws(() => cr.tensor({} as never), { name: "ArgumentError", message: /tensor/ });
});

test("requiresGrad is for floating-point tensors only", () => {
  assert.throws(() => cr.tensor([1, 2], { dtype: "int32", requiresGrad: true }), { name: "DTypeError", message: /int32/ });
  assert.throws(() => cr.ones([2], { dtype: "bool", requiresGrad: true }), { name: "DTypeError", message: /bool/ });
  const i = cr.arange(3);
  assert.throws(() => {
    i.requiresGrad = true;
  }, { name: "DTypeError", message: /requiresGrad.*int32/ });
  assert.throws(() => i.requiresGrad_(), { name: "DTypeError" });
  assert.equal(i.requiresGrad, false);
});

test("failing calls change nothing: a leaf's grad and data stay as they were", () => {
  const x = cr.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  x.mul(x).sum().backward();
  const grad = x.grad!;
  assert.deepEqual(grad.tolist(), [[2, 4, 6], [8, 10, 12]]);
  const before = x.tolist();

  assert.throws(() => cr.add(x, cr.ones([4])), { name: "ShapeError" });
  assert.throws(() => cr.matmul(x, x), { name: "ShapeError" });
  assert.throws(() => x.reshape([4]), { name: "ShapeError" });
  assert.throws(() => x.sum(5), { name: "ArgumentError" });
  assert.throws(() => x.gather(1, cr.zeros([2, 1])), { name: "DTypeError" });
  // backward of a non-scalar without a gradient fails before touching .grad.
  assert.throws(() => x.mul(2).backward(), { name: "AutogradError", message: /backward.*\[2,3\]/ });
  // A gradient of the wrong shape is refused.
  assert.throws(() => {
    x.grad = cr.ones([3]);
  }, { name: "ShapeError", message: /grad.*\[3\].*\[2,3\]/ });
  assert.throws(() => x.item(), { name: "ShapeError" });

  assert.equal(x.grad, grad);
  assert.deepEqual(x.grad.tolist(), [[2, 4, 6], [8, 10, 12]]);
  assert.deepEqual(x.tolist(), before);
  assert.ok(x.isLeaf && x.requiresGrad);
  assert.equal(x.gradFn, null);

  // The graph still works afterwards.
  x.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [[3, 5, 7], [9, 11, 13]]);
});

test("bool and int guards: clear DTypeErrors", () => {
  assert.throws(() => cr.tensor([true]).neg(), { name: "DTypeError", message: /neg.*bool/ });
  assert.throws(() => cr.sub(cr.tensor([true]), cr.tensor([false])), { name: "DTypeError", message: /sub.*bool/ });
  assert.throws(() => cr.mean(i32([1, 2])), { name: "DTypeError", message: /mean.*int32/ });
  assert.throws(() => cr.softmax(i32([1, 2]), 0), { name: "DTypeError", message: /softmax.*int32/ });
  assert.throws(() => cr.gelu(cr.ones([2]), "fast" as never), { name: "ArgumentError", message: /gelu.*"fast"/ });
});

test("all and any, over everything and along a dim", () => {
  const x = cr.tensor([[1, 0, 2], [3, 4, 5]]);
  assert.equal(x.all().item(), 0);
  assert.equal(x.any().item(), 1);
  assert.deepEqual(x.all(1).tolist(), [false, true]);
  assert.deepEqual(x.any(0).tolist(), [true, true, true]);
  assert.deepEqual(cr.zeros([2, 2]).any(1, true).tolist(), [[false], [false]]);
  assert.equal(cr.zeros([0]).all().item(), 1);
  assert.equal(x.all().dtype, "bool");
});

test("a large tensor prints summarised, without overflowing the stack", () => {
  const s = cr.arange(1_000_000, { dtype: "float32" }).reshape([1000, 1000]).toString();
  assert.match(s, /^tensor\(\[\[0\., 1\., 2\., \.\.\., 997\., 998\., 999\.\],/);
  assert.match(s, /\.\.\.,\n/);
  assert.ok(s.length < 500, `printed ${s.length} characters`);
  assert.equal(cr.tensor([[true, false]]).toString(), "tensor([[true, false]])");
});

test("matmul's shape errors name the op and both shapes, for the inner dims and for the batch dims", () => {
  const a = cr.ones([2, 3, 4]).requiresGrad_();
  assert.throws(() => cr.matmul(a, cr.ones([5, 6])), { name: "ShapeError", message: /matmul: a is \[2,3,4\], b is \[5,6\]: the inner dimensions differ \(4 vs 5\)/ });
  assert.throws(() => cr.matmul(a, cr.ones([3, 4, 6])), { name: "ShapeError", message: /matmul: batch dims of a \[2,3,4\] and b \[3,4,6\].*cannot be broadcast/ });
  assert.throws(() => cr.matmul(cr.tensor(1), cr.ones([2])), { name: "ShapeError", message: /matmul: both operands need at least 1 dim/ });
  assert.equal(a.grad, null, "nothing was recorded");
  // Batch dims that broadcast, and plain matrices, still multiply.
  assert.deepEqual(cr.matmul(a, cr.ones([1, 4, 6])).shape, [2, 3, 6]);
  assert.deepEqual(cr.matmul(cr.ones([3, 4]), cr.ones([4, 6])).shape, [3, 6]);
  assert.deepEqual(cr.matmul(cr.ones([4]), cr.ones([3, 4, 6])).shape, [3, 6], "a 1-D a against a batch, as PyTorch");
});

test("addmm: beta·input + alpha·(mat1·mat2) with PyTorch's rules, and errors that name the op and the shapes", () => {
  const a = cr.tensor([[1, 2], [3, 4], [5, 6]]), b = cr.tensor([[1, 0, 2], [0, 1, -1]]);
  assert.deepEqual(cr.addmm(cr.tensor([10, 20, 30]), a, b).tolist(), [[11, 22, 30], [13, 24, 32], [15, 26, 34]]);
  assert.deepEqual(cr.tensor([[1], [2], [3]]).addmm(a, b, { beta: 2, alpha: -1 }).tolist(), [[1, 0, 2], [1, 0, 2], [1, 0, 2]]);
  assert.deepEqual(cr.addmm(cr.tensor([5]), a, b).tolist(), [[6, 7, 5], [8, 9, 7], [10, 11, 9]], "a one-element row broadcasts");
  // beta 0: the input's NaNs are ignored, but it stays in the graph with a zero gradient.
  const input = cr.tensor([Number.NaN, 1, 2]).requiresGrad_();
  const out = cr.addmm(input, a, b, { beta: 0 });
  assert.deepEqual(out.tolist(), [[1, 2, 0], [3, 4, 2], [5, 6, 4]]);
  out.sum().backward();
  assert.deepEqual(input.grad!.tolist(), [0, 0, 0]);
  const bias = cr.ones([3]).requiresGrad_();
  assert.throws(() => cr.addmm(bias, a, cr.ones([3, 3])), { name: "ShapeError", message: /addmm: mat1 is \[3,2\], mat2 is \[3,3\]: the inner dimensions differ \(2 vs 3\)/ });
  assert.throws(() => cr.addmm(bias, cr.ones([2, 3, 2]), b), { name: "ShapeError", message: /addmm: mat1 and mat2 must be matrices, got mat1 \[2,3,2\] and mat2 \[2,3\]/ });
  assert.throws(() => cr.addmm(cr.ones([4]), a, b), { name: "ShapeError", message: /addmm: input \[4\] and the product \[3,3\]/ });
  assert.throws(() => cr.addmm(cr.ones([2, 3, 3]), a, b), { name: "ShapeError", message: /addmm: input \[2,3,3\] does not broadcast to the product's shape \[3,3\]/ });
  assert.throws(() => cr.addmm(bias.to("float64"), a, b), { name: "DTypeError", message: /addmm: input is float64, mat1 float32 and mat2 float32/ });
  assert.throws(() => cr.addmm(bias, a, b, { alpha: Number.NaN }), { name: "ArgumentError", message: /addmm: alpha must be a finite number/ });
  assert.equal(bias.grad, null, "nothing was recorded");
});
