// Edge semantics issue 22 found differing from PyTorch, each computed here by name and compared with what PyTorch
// 1.13 gives (test/fixtures/torch-edges.json, written by tools/gen_torch_edge_fixtures.py), on cpu and wasm.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as cr from "chainrule";

type Encoded = number | string | boolean | Encoded[];
interface Expected {
  shape?: number[];
  value?: Encoded;
  grads?: Encoded[];
  error?: string;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-edges.json", import.meta.url), "utf8")) as { cases: Record<string, Expected> };

const F = cr.nn.functional;
const D = { dtype: "float64" } as const;
const leaf = (v: cr.NestedArray) => cr.tensor(v, { ...D, requiresGrad: true });
interface Result { out: cr.Tensor; leaves?: cr.Tensor[] }
const withGrads = (out: cr.Tensor, ...leaves: cr.Tensor[]): Result => {
  out.sum().backward();
  return { out, leaves };
};
const bce = (p: number[], y: number[], reduction: "sum" | "mean" | "none") => {
  const [pl, yl] = [leaf(p), leaf(y)];
  return withGrads(F.bceLoss(pl, yl, { reduction }), pl, yl);
};
const ce = (z: number[][], t: number[]) => {
  const zl = leaf(z);
  return withGrads(F.crossEntropy(zl, cr.tensor(t, { dtype: "int32" }), { reduction: "sum" }), zl);
};

// Where chainrule errs (the error's message must name the problem; PyTorch's wording differs).
const ERRORS: Record<string, RegExp> = {
  "tensor([3e9], int32)": /tensor: value 3000000000 at flat index 0 cannot be converted to int32 without overflow/,
  "tensor([-2147483649], int32)": /tensor: value -2147483649 at flat index 0 cannot be converted to int32 without overflow/,
  "full([2], 3e9, int32)": /full: value 3000000000 cannot be converted to int32 without overflow/,
  "where with a float condition": /where: the condition must be a bool tensor, got float32/,
};

const CASES: Record<string, () => Result> = {
  "linspace(5, 10, 1)": () => ({ out: cr.linspace(5, 10, 1, D) }),
  "linspace(5, 10, 0)": () => ({ out: cr.linspace(5, 10, 0, D) }),
  "linspace(5, 10, 2)": () => ({ out: cr.linspace(5, 10, 2, D) }),
  "linspace(-1, 2, 7)": () => ({ out: cr.linspace(-1, 2, 7, D) }),
  "tensor([3e9], int32)": () => ({ out: cr.tensor([3e9], { dtype: "int32" }) }),
  "tensor([-2147483649], int32)": () => ({ out: cr.tensor([-2147483649], { dtype: "int32" }) }),
  "full([2], 3e9, int32)": () => ({ out: cr.full([2], 3e9, { dtype: "int32" }) }),
  "tensor(int32 extremes)": () => ({ out: cr.tensor([2147483647, -2147483648], { dtype: "int32" }) }),
  "bceLoss at p = 0 and 1, sum": () => bce([0, 0.3, 1, 0, 1], [1, 0.4, 0, 0, 1], "sum"),
  "bceLoss at p = 0 and 1, mean": () => bce([0, 0.3, 1, 0], [1, 0.4, 0, 0], "mean"),
  "bceLoss at p = 0 and 1, none": () => bce([0, 1e-30, 1], [1, 1, 0.5], "none"),
  "crossEntropy logits [inf, 0], target 0": () => ce([[Infinity, 0]], [0]),
  "crossEntropy logits [inf, 0], target 1": () => ce([[Infinity, 0]], [1]),
  "crossEntropy logits [-inf, 0], target 1": () => ce([[-Infinity, 0]], [1]),
  "crossEntropy logits [inf, inf], target 0": () => ce([[Infinity, Infinity]], [0]),
  "crossEntropy logits [-inf, -inf], target 0": () => ce([[-Infinity, -Infinity]], [0]),
  "logSoftmax rows with infinities": () => ({ out: cr.tensor([[Infinity, 0], [-Infinity, 0], [-Infinity, -Infinity], [Infinity, -Infinity]], D).logSoftmax(1) }),
  "zeros([0, 3]).max(1)": () => ({ out: cr.zeros([0, 3], D).max(1) }),
  "zeros([0, 3]).min(1)": () => ({ out: cr.zeros([0, 3], D).min(1) }),
  "zeros([0, 3]).softmax(1)": () => ({ out: cr.zeros([0, 3], D).softmax(1) }),
  "zeros([3, 0]).softmax(1)": () => ({ out: cr.zeros([3, 0], D).softmax(1) }),
  "zeros([3, 0]).logsumexp(1)": () => ({ out: cr.zeros([3, 0], D).logsumexp(1) }),
  "zeros([0, 3]).logsumexp(1)": () => ({ out: cr.zeros([0, 3], D).logsumexp(1) }),
  "zeros([0, 3]).var()": () => ({ out: cr.zeros([0, 3], D).var() }),
  "zeros([3, 0]).var(1)": () => ({ out: cr.zeros([3, 0], D).var(1) }),
  "[1, 2].var(correction 5)": () => ({ out: cr.tensor([1, 2], D).var(0, { correction: 5 }) }),
  "[1, 2].std(correction 2)": () => ({ out: cr.tensor([1, 2], D).std(0, { correction: 2 }) }),
  "std gradient at a constant input": () => {
    const x = leaf([2, 2, 2]);
    return withGrads(x.std(), x);
  },
  "where with a float condition": () => ({ out: cr.where(cr.tensor([1, 0]), cr.tensor([1, 2]), cr.tensor([3, 4])) }),
};

function decode(v: Encoded): unknown {
  if (Array.isArray(v)) return v.map(decode);
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;
}

function close(actual: unknown, expected: unknown, where: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${where}: ${String(actual)} vs ${String(expected)}`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${where}[${i}]`));
    return;
  }
  const [a, e] = [Number(actual), Number(expected)];
  if (Number.isNaN(e) || !Number.isFinite(e)) assert.ok(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${where}: ${a} vs ${e}`);
  else assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(1, Math.abs(e)), `${where}: ${a} vs ${e}`);
}

test("every case of the fixture has a computation here", () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(fixture.cases).sort());
});

for (const backend of ["cpu", "wasm"]) {
  test(`edge semantics match PyTorch on ${backend}`, () => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      for (const [name, expected] of Object.entries(fixture.cases)) {
        if (expected.error !== undefined) {
          assert.throws(() => CASES[name]!(), ERRORS[name]!, name);
          continue;
        }
        const { out, leaves = [] } = CASES[name]!();
        assert.deepEqual(out.shape, expected.shape, `${name}: shape`);
        close(out.tolist(), decode(expected.value!), name);
        expected.grads?.forEach((g, i) => close(leaves[i]!.grad!.tolist(), decode(g), `${name}: gradient ${i}`));
      }
    } finally {
      cr.setBackend(previous);
    }
  });
}

test("arange refuses int32 values it would wrap (PyTorch wraps them silently)", () => {
  assert.throws(() => cr.arange(3e9, 3e9 + 2), /arange: value 3000000000 cannot be converted to int32 without overflow/);
  assert.throws(() => cr.randint(0, 2 ** 32, [2]), /randint: value 4294967295 cannot be converted to int32/);
  assert.deepEqual(cr.arange(2147483645, 2147483647).tolist(), [2147483645, 2147483646]);
});
