// Sampling and random fillers (multinomial, bernoulli, randperm, randintLike, x.normal_() …): seeded draws checked
// statistically against the distributions they claim. Each check is a chi-squared or z test at a 1e-4 false-alarm
// level, on samples large enough that a wrong distribution (uniform instead of weighted, a missed conditional, a
// wrong scale) fails by a wide margin; the seeds make every run the same. Then reproducibility and the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
const values = (t: Tensor) => Array.from(t.toTypedArray(), Number);

/** The 1 − 1e-4 quantile of χ²(k) (Wilson–Hilferty; within 1% for k ≥ 2). */
function chi2Limit(k: number): number {
  const z = 3.719;
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
}

function chi2(counts: readonly number[], expected: readonly number[]): number {
  return counts.reduce((s, c, i) => s + (c - expected[i]!) ** 2 / expected[i]!, 0);
}

function assertChi2(counts: readonly number[], expected: readonly number[], what: string): void {
  const stat = chi2(counts, expected);
  const limit = chi2Limit(counts.length - 1);
  assert.ok(stat < limit, `${what}: χ² = ${stat.toFixed(1)} ≥ ${limit.toFixed(1)} (counts ${counts}, expected ${expected.map((e) => e.toFixed(0))})`);
}

/** |sample mean − mean| within 5 standard errors. */
function assertMean(xs: readonly number[], mean: number, sd: number, what: string): void {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const se = sd / Math.sqrt(xs.length);
  assert.ok(Math.abs(m - mean) < 5 * se, `${what}: mean ${m} vs ${mean} (± ${5 * se})`);
}

function sampleVariance(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

test("multinomial with replacement draws categories in proportion to their weights; zero weights never", () => {
  cr.manualSeed(101);
  const w = [1, 2, 3, 4, 0];
  const n = 20000;
  const draws = values(cr.multinomial(cr.tensor(w), n, true));
  assert.equal(draws.length, n);
  const counts = [0, 0, 0, 0, 0];
  for (const d of draws) counts[d]!++;
  assert.equal(counts[4], 0, "a zero-weight category was drawn");
  assertChi2(counts.slice(0, 4), [0.1, 0.2, 0.3, 0.4].map((p) => p * n), "weighted draws");
  // Rows are separate distributions.
  const rows = cr.multinomial(cr.tensor([[0, 0, 1], [5, 0, 5]], { dtype: "float64" }), 1000, true);
  assert.deepEqual([...rows.shape], [2, 1000]);
  const [r0, r1] = [values(rows.select(0, 0)), values(rows.select(0, 1))];
  assert.ok(r0.every((d) => d === 2));
  assert.ok(r1.every((d) => d === 0 || d === 2));
  assertMean(r1.map((d) => (d === 2 ? 1 : 0)), 0.5, 0.5, "row 1's two equal weights");
});

test("multinomial without replacement: no repeats, first draws by weight, second draws by the remaining weights", () => {
  cr.manualSeed(202);
  const w = [1, 2, 3, 4];
  const rows = 6000;
  const out = cr.multinomial(cr.tensor(w).expand([rows, 4]), 2);
  assert.deepEqual([...out.shape], [rows, 2]);
  const d = values(out);
  const pairs = new Array<number>(16).fill(0);
  for (let r = 0; r < rows; r++) {
    assert.notEqual(d[2 * r], d[2 * r + 1], "a category drawn twice in one row");
    pairs[d[2 * r]! * 4 + d[2 * r + 1]!]!++;
  }
  // P(first = i, second = j) = pᵢ · pⱼ / (1 − pᵢ), i ≠ j.
  const p = w.map((x) => x / 10);
  const cells: number[] = [], expected: number[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) {
    cells.push(pairs[i * 4 + j]!);
    expected.push(rows * p[i]! * p[j]! / (1 - p[i]!));
  }
  assertChi2(cells, expected, "ordered pairs");
  // Every category once when as many are drawn as there are; zero weights only after every positive one.
  for (let k = 0; k < 50; k++) assert.deepEqual(values(cr.multinomial(cr.tensor(w), 4)).sort(), [0, 1, 2, 3]);
  for (let k = 0; k < 50; k++) assert.deepEqual(values(cr.multinomial(cr.tensor([0, 1, 0, 1]), 4)).slice(0, 2).sort(), [1, 3]);
});

test("multinomial refuses what PyTorch refuses, with its reasons", () => {
  const p = cr.tensor([0.2, 0.8]);
  assert.throws(() => cr.multinomial(p, 3), /cannot sample numSamples > prob_dist.size\(-1\) samples without replacement/);
  assert.throws(() => cr.multinomial(p, 0), /cannot sample numSamples <= 0 samples/);
  assert.throws(() => cr.multinomial(cr.tensor([-0.2, 0.8]), 1, true), /probability tensor contains either inf, nan or element < 0/);
  assert.throws(() => cr.multinomial(cr.tensor([Infinity, 0.8]), 1), /inf, nan or element < 0/);
  assert.throws(() => cr.multinomial(cr.tensor([NaN, 0.8]), 1), /inf, nan or element < 0/);
  assert.throws(() => cr.multinomial(cr.tensor([0, 0]), 1, true), /sum of probabilities <= 0/);
  assert.throws(() => cr.multinomial(cr.ones([2, 2, 2]), 1), /prob_dist must be 1 or 2 dim/);
  assert.throws(() => cr.multinomial(cr.tensor([1, 1], { dtype: "int32" }), 1), /only supports floating-point dtypes/);
  assert.throws(() => cr.multinomial(p, 1.5), /numSamples must be an integer/);
});

test("bernoulli: 1 with each element's probability, or with p; dtype and shape of the input", () => {
  cr.manualSeed(303);
  const n = 10000;
  const probs = cr.tensor([0.1, 0.5, 0.9], { dtype: "float64" }).reshape([3, 1]).expand([3, n]);
  const draws = cr.bernoulli(probs);
  assert.equal(draws.dtype, "float64");
  assert.deepEqual([...draws.shape], [3, n]);
  [0.1, 0.5, 0.9].forEach((p, i) => assertMean(values(draws.select(0, i)), p, Math.sqrt(p * (1 - p)), `p = ${p}`));
  assertMean(values(cr.bernoulli(cr.zeros([n]), { p: 0.3 })), 0.3, Math.sqrt(0.21), "the p option");
  assertMean(values(cr.zeros([n]).bernoulli(0.7)), 0.7, Math.sqrt(0.21), "p as a number, as a method");
  assert.ok(values(cr.bernoulli(cr.zeros([100]))).every((v) => v === 0));
  assert.ok(values(cr.bernoulli(cr.ones([100]))).every((v) => v === 1));
  assert.throws(() => cr.bernoulli(cr.tensor([1.5])), /bernoulli: probabilities must be in \[0, 1\], got 1.5/);
  assert.throws(() => cr.bernoulli(cr.tensor([0.5]), { p: -0.1 }), /bernoulli: p must be in \[0, 1\]/);
  assert.throws(() => cr.bernoulli(cr.tensor([1], { dtype: "int32" })), /bernoulli: expected a floating-point tensor/);
  assert.equal(cr.bernoulli(cr.full([3], 0.5, { requiresGrad: true })).requiresGrad, false);
});

test("randperm is a permutation, each element equally likely in each place; randintLike matches its input", () => {
  cr.manualSeed(404);
  const p = cr.randperm(10);
  assert.equal(p.dtype, "int32");
  assert.deepEqual(values(p).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const counts = new Array<number>(5).fill(0);
  const trials = 5000;
  for (let t = 0; t < trials; t++) counts[values(cr.randperm(5)).indexOf(0)]!++;
  assertChi2(counts, new Array<number>(5).fill(trials / 5), "the place of 0");
  assert.equal(cr.randperm(0).numel(), 0);
  assert.equal(cr.randperm(4, { dtype: "float64" }).dtype, "float64");
  assert.throws(() => cr.randperm(-1), /randperm: n must be a non-negative integer, got -1/);
  assert.throws(() => cr.randperm(3, { dtype: "bool" }), /randperm: not implemented for bool/);
  const like = cr.randintLike(cr.zeros([2, 3], { dtype: "int32" }), 5, 8);
  assert.deepEqual([...like.shape], [2, 3]);
  assert.equal(like.dtype, "int32");
  assert.ok(values(like).every((v) => v >= 5 && v < 8));
  assert.ok(values(cr.randintLike(cr.zeros([50]), 3)).every((v) => Number.isInteger(v) && v >= 0 && v < 3));
});

test("the in-place fillers draw from their distributions (mean and variance, at float64)", () => {
  cr.manualSeed(505);
  const n = 20000;
  const x = cr.zeros([n], { dtype: "float64" });
  assert.equal(x.normal_(2, 3), x);
  assertMean(values(x), 2, 3, "normal_ mean");
  assert.ok(Math.abs(sampleVariance(values(x)) / 9 - 1) < 5 * Math.sqrt(2 / n), "normal_ variance");
  x.uniform_(-1, 3);
  const u = values(x);
  assert.ok(u.every((v) => v >= -1 && v < 3));
  assertMean(u, 1, 4 / Math.sqrt(12), "uniform_ mean");
  assert.ok(Math.abs(sampleVariance(u) / (16 / 12) - 1) < 0.05, "uniform_ variance");
  x.exponential_(4);
  const e = values(x);
  assert.ok(e.every((v) => v >= 0));
  assertMean(e, 0.25, 0.25, "exponential_ mean");
  assert.ok(Math.abs(sampleVariance(e) / 0.0625 - 1) < 0.1, "exponential_ variance");
  x.geometric_(0.25);
  const gm = values(x);
  assert.ok(gm.every((v) => Number.isInteger(v) && v >= 1));
  assertMean(gm, 4, Math.sqrt(0.75) / 0.25, "geometric_ mean");
  x.cauchy_(1, 2);
  const c = values(x).sort((a, b) => a - b);
  // The median and the quartiles (median ± sigma) of Cauchy(1, 2); a quantile's standard error is ≈ 1/(f(q)√n).
  assert.ok(Math.abs(c[n / 2]! - 1) < 5 * (Math.PI * 2 / 2) / Math.sqrt(n), `cauchy_ median ${c[n / 2]}`);
  assert.ok(Math.abs(c[n / 4]! - -1) < 0.2 && Math.abs(c[(3 * n) / 4]! - 3) < 0.2, "cauchy_ quartiles");
  x.logNormal_(0.5, 0.25);
  const ln = values(x).map(Math.log);
  assertMean(ln, 0.5, 0.25, "logNormal_ log-mean");
  const xi = cr.zeros([n], { dtype: "int32" });
  xi.random_(3, 7);
  const r = values(xi);
  const counts = [3, 4, 5, 6].map((k) => r.filter((v) => v === k).length);
  assert.equal(counts.reduce((a, b) => a + b), n, "random_(3, 7) stays in [3, 7)");
  assertChi2(counts, [n / 4, n / 4, n / 4, n / 4], "random_ uniformity");
  assert.ok(values(xi.random_(5)).every((v) => v >= 0 && v < 5));
  assert.ok(values(cr.zeros([100]).random_()).every((v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 24));
  const mask = cr.zeros([n]).bernoulli_(cr.tensor([0.2]));
  assertMean(values(mask), 0.2, 0.4, "bernoulli_ with a tensor p");
  assertMean(values(cr.zeros([n], { dtype: "int32" }).bernoulli_()), 0.5, 0.5, "bernoulli_ on int32");
});

test("draws repeat under a seed and keep separate generators apart", () => {
  const draw = () => [values(cr.multinomial(cr.tensor([1, 2, 3]), 5, true)), values(cr.randperm(6)), values(cr.zeros([4]).normal_())];
  cr.manualSeed(9);
  const a = draw();
  cr.manualSeed(9);
  assert.deepEqual(draw(), a);
  const g1 = new cr.Generator(3), g2 = new cr.Generator(3);
  assert.deepEqual(values(cr.zeros([5]).uniform_(0, 1, { generator: g1 })), values(cr.zeros([5]).uniform_(0, 1, { generator: g2 })));
  assert.deepEqual(values(cr.bernoulli(cr.full([8], 0.5), { generator: g1 })), values(cr.bernoulli(cr.full([8], 0.5), { generator: g2 })));
});

test("the fillers refuse bad parameters and integer dtypes where PyTorch does, and leave the tensor unchanged", () => {
  const x = cr.tensor([1, 2, 3]);
  assert.throws(() => x.normal_(0, -1), /normal_: expects std >= 0.0, but found std -1/);
  assert.throws(() => x.uniform_(2, 1), /uniform_: expects to return a \[from, to\) range, but found from=2 > to=1/);
  assert.throws(() => x.exponential_(-1), /exponential_: expects lambda >= 0.0, but found lambda=-1/);
  assert.throws(() => x.bernoulli_(1.5), /bernoulli_: expects p to be in \[0, 1\], but got p=1.5/);
  assert.throws(() => x.geometric_(0), /geometric_: expects p to be in \(0, 1\)/);
  assert.throws(() => x.random_(3, 2), /random_: expects 'from' to be less than 'to', but got from=3 >= to=2/);
  assert.throws(() => x.logNormal_(0, 0), /logNormal_: expects std > 0.0/);
  assert.deepEqual(values(x), [1, 2, 3]);
  const xi = cr.tensor([1, 2], { dtype: "int32" });
  for (const run of [() => xi.normal_(), () => xi.uniform_(), () => xi.exponential_(), () => xi.cauchy_(), () => xi.logNormal_()]) {
    assert.throws(run, (e: Error) => e instanceof cr.DTypeError && /not implemented for int32/.test(e.message));
  }
  assert.throws(() => xi.random_(0, 2 ** 32), /does not fit int32/);
  const w = cr.zeros([2], { requiresGrad: true });
  assert.throws(() => w.uniform_(), /leaf tensor that requires grad/);
  cr.noGrad(() => w.uniform_(5, 6));
  assert.ok(values(w).every((v) => v >= 5 && v < 6));
});
