// The storage dtypes (int8, uint8, int16, int64, float16, bfloat16) against PyTorch 1.13: the promotion table for
// every pair, result types with scalars and zero-dim tensors, integer wraparound, division, bitwise ops and shifts,
// casts, rounding into the halves (ties, subnormals, overflow) and a few ops per dtype, on cpu and wasm
// (fixtures: tools/gen_torch_dtype_fixtures.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import * as cr from "chainrule";
import { decodeNumber } from "./helpers/fixture.js";

interface Encoded { shape: number[]; dtype: cr.DType; data: (number | boolean | string)[] }
interface Case { op: string; inputs: (Encoded | number | boolean)[]; params: { dtype?: cr.DType }; result: Encoded }
interface Fixture {
  promote: Record<string, cr.DType>;
  resultType: { tensor: cr.DType; scalar?: number | boolean; zeroDim?: cr.DType; want: cr.DType }[];
  cases: Case[];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "torch-dtypes-extra.json"), "utf8")) as Fixture;

// PyTorch's index tensors are int64; chainrule's indexing takes int32 positions.
const decode = (e: Encoded, asIndex = false): cr.Tensor =>
  cr.tensor(e.data.map(decodeNumber) as number[], { dtype: asIndex ? "int32" : e.dtype }).reshape(e.shape);

function run(c: Case): cr.Tensor {
  const [a, b] = c.inputs.map((x, i) => (typeof x === "object" ? decode(x, c.op === "index" && i === 1) : x));
  const x = a as cr.Tensor;
  const binary = cr as unknown as Record<string, (p: cr.Tensor | number | boolean, q: cr.Tensor | number | boolean) => cr.Tensor>;
  const unary = cr as unknown as Record<string, (p: cr.Tensor) => cr.Tensor>;
  switch (c.op) {
    case "to": return x.to(c.params.dtype!);
    case "sum": return x.sum();
    case "max": return x.max();
    case "sortValues": return x.sort().values;
    case "index": return x.indexSelect(0, b as cr.Tensor);
    case "matmul": return x.matmul(b as cr.Tensor);
    case "gradOfSquareSum": {
      const leaf = x.requiresGrad_(true);
      leaf.mul(leaf).sum().backward();
      return leaf.grad!;
    }
    default: return b === undefined ? unary[c.op]!(x) : binary[c.op]!(x, b);
  }
}

// Where chainrule differs by design: int32 sums stay int32 (its default integer), as its existing API promises.
function expectedDType(c: Case): cr.DType {
  const input = (c.inputs[0] as Encoded).dtype;
  if (c.op === "sum" && c.result.dtype === "int64" && (input === "int32" || input === "bool")) return "int32";
  return c.result.dtype;
}

// Sums and matmuls of halves accumulate in float32 in a different order than PyTorch's: one unit in the last place.
function tolerance(c: Case): number {
  if (c.op !== "sum" && c.op !== "matmul") return 0;
  return c.result.dtype === "float16" ? 2 ** -10 : c.result.dtype === "bfloat16" ? 2 ** -7 : 0;
}

test("promoteTypes is PyTorch's table for every pair of the ten dtypes", () => {
  assert.equal(Object.keys(fixture.promote).length, 100);
  for (const [pair, want] of Object.entries(fixture.promote)) {
    const [a, b] = pair.split(",") as [cr.DType, cr.DType];
    assert.equal(cr.promoteTypes(a, b), want, pair);
  }
});

test("result types with Python scalars and zero-dim tensors follow torch.result_type", () => {
  for (const r of fixture.resultType) {
    const x = cr.zeros([2], { dtype: r.tensor });
    const other = r.zeroDim !== undefined ? cr.zeros([], { dtype: r.zeroDim }) : r.scalar!;
    // add gives the result type itself (bool + bool is an or, still bool).
    assert.equal(cr.add(x, other).dtype, r.want, `${r.tensor} with ${r.zeroDim !== undefined ? `zero-dim ${r.zeroDim}` : JSON.stringify(r.scalar)}`);
  }
});

for (const backend of ["cpu", "wasm"]) {
  test(`ops on the storage dtypes match PyTorch (${backend})`, () => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      checkCases(backend);
    } finally {
      cr.setBackend(previous);
    }
  });
}

function checkCases(backend: string): void {
    for (const c of fixture.cases) {
      const what = `${c.op}(${c.inputs.map((x) => (typeof x === "object" ? x.dtype : JSON.stringify(x))).join(", ")})`;
      const got = run(c);
      assert.equal(got.dtype, expectedDType(c), `${what}: dtype`);
      assert.deepEqual([...got.shape], c.result.shape, `${what}: shape`);
      const want = c.result.data.map((v) => Number(decodeNumber(v)));
      const values = Array.from(got.toTypedArray(), Number);
      const tol = tolerance(c);
      const bad = want.flatMap((w, i) => {
        const g = values[i]!;
        const ok = Object.is(g, w) || (Number.isNaN(w) && Number.isNaN(g)) || (w === 0 && g === 0) || Math.abs(g - w) <= tol * Math.abs(w);
        return ok ? [] : [`[${i}] ${g} vs ${w}`];
      });
      assert.equal(bad.length, 0, `${what} on ${backend}: ${bad.slice(0, 6).join("; ")}`);
    }
}

test("int64 is exact within ±2^53 and says so past it; bitwise ops past int32 are refused by name", () => {
  const big = cr.tensor([2 ** 53 - 1, -(2 ** 53 - 1)], { dtype: "int64" });
  assert.deepEqual(big.sub(cr.tensor([1, -1], { dtype: "int64" })).tolist(), [2 ** 53 - 2, -(2 ** 53) + 2]);
  // 2^53 may be the rounding of 2^53 + 1 in float64: refused, never silently changed.
  assert.throws(() => big.sub(1), /sub: value -9007199254740992 cannot be stored in int64: chainrule's int64 holds integers within ±\(2\^53 − 1\)/);
  assert.throws(() => cr.tensor([2 ** 53], { dtype: "int64" }), /tensor: value 9007199254740992 cannot be stored in int64/);
  assert.throws(() => cr.tensor([2 ** 60], { dtype: "int64" }), /tensor: value 1152921504606847000 cannot be stored in int64/);
  assert.throws(() => cr.tensor([NaN]).to("int64"), /value NaN cannot be stored in int64/);
  assert.throws(() => cr.tensor([2 ** 40], { dtype: "int64" }).bitwiseAnd(1), /bitwiseAnd: int64 values beyond the int32 range \(here 1099511627776\) are not supported/);
  assert.deepEqual(cr.tensor([2 ** 40 + 5], { dtype: "int64" }).bitwiseRightShift(38).tolist(), [4]);
});

test("storage dtypes print, convert and report themselves as PyTorch's do", () => {
  assert.equal(String(cr.tensor([1, -2], { dtype: "int8" })), "tensor([1, -2], dtype=int8)");
  assert.equal(String(cr.tensor([0.5, 1.5], { dtype: "float16" })), "tensor([0.5000, 1.5000], dtype=float16)");
  assert.equal(String(cr.tensor([2 ** 40], { dtype: "int64" })), "tensor([1099511627776], dtype=int64)");
  assert.deepEqual(cr.tensor([300, -1], { dtype: "int32" }).byte().tolist(), [44, 255]);
  assert.deepEqual(cr.tensor([1.7, -1.7]).long().tolist(), [1, -1]);
  assert.equal(cr.zeros([2], { dtype: "uint8" }).dtype, "uint8");
  assert.deepEqual(cr.full([2], 300, { dtype: "uint8" }).tolist(), [44, 44]);
  assert.equal(cr.tensor([1, 2], { dtype: "int16" }).argmax().dtype, "int32"); // chainrule's index dtype
  assert.equal(cr.tensor([1, 2], { dtype: "int8" }).sum().dtype, "int64");
  assert.equal(cr.tensor(Int8Array.of(-128, 5)).dtype, "int8");
  assert.deepEqual(cr.tensor(Int16Array.of(-300, 5)).tolist(), [-300, 5]);
  assert.deepEqual(cr.tensor(BigInt64Array.of(-(2n ** 40n), 7n)).tolist(), [-(2 ** 40), 7]);
  assert.equal(cr.tensor(Int8Array.of(1), { dtype: "float16" }).dtype, "float16");
  assert.throws(() => cr.tensor(BigInt64Array.of(2n ** 60n)), /tensor: value 1152921504606847000 cannot be stored in int64/);
  assert.throws(() => cr.tensor([1], { dtype: "int8", requiresGrad: true }), /only floating-point tensors can require gradients, got dtype int8/);
});

test("every storage dtype round-trips byte-identically through safetensors, and half modules save and load", () => {
  const state = {
    i8: cr.tensor([-128, -1, 0, 127], { dtype: "int8" }),
    u8: cr.tensor([0, 1, 128, 255], { dtype: "uint8" }),
    i16: cr.tensor([-32768, 0, 32767], { dtype: "int16" }),
    i64: cr.tensor([-(2 ** 53 - 1), -1, 0, 2 ** 53 - 1], { dtype: "int64" }),
    f16: cr.tensor([-0, 2 ** -24, 65504, Infinity, NaN, 1 / 3], { dtype: "float16" }),
    bf16: cr.tensor([-0, 2 ** -133, 3.3895e38, -Infinity, NaN, 1 / 3], { dtype: "bfloat16" }),
  };
  const bytes = cr.safetensors.serialize(state);
  const back = cr.safetensors.deserialize(bytes);
  for (const [name, t] of Object.entries(state)) {
    assert.equal(back[name]!.dtype, t.dtype, name);
    assert.deepEqual(Array.from(back[name]!.toTypedArray()), Array.from(t.toTypedArray()), name);
  }
  assert.deepEqual(cr.safetensors.serialize(back), bytes);

  const model = new cr.nn.Linear(3, 2).half();
  assert.equal(model.weight.dtype, "float16");
  const y = model.forward(cr.randn([4, 3]).half());
  assert.equal(y.dtype, "float16");
  y.sum().backward();
  assert.equal(model.weight.grad!.dtype, "float16");
  const copy = new cr.nn.Linear(3, 2).bfloat16().half();
  copy.loadStateDict(cr.safetensors.deserialize(cr.safetensors.serialize(model.stateDict())));
  assert.deepEqual(copy.weight.tolist(), model.weight.tolist());
});

test("int64 (and narrower) indices and targets, as PyTorch's files and code hold them, work where int32 ones do", () => {
  const x = cr.tensor([[1, 2, 3], [4, 5, 6]]);
  const idx64 = cr.tensor([2, 0], { dtype: "int64" });
  assert.deepEqual(x.indexSelect(1, idx64).tolist(), [[3, 1], [6, 4]]);
  assert.deepEqual(x.gather(1, cr.tensor([[0], [2]], { dtype: "uint8" })).tolist(), [[1], [6]]);
  assert.deepEqual(x.index(cr.tensor([1], { dtype: "int16" })).tolist(), [[4, 5, 6]]);
  const emb = new cr.nn.Embedding(4, 2);
  assert.deepEqual(emb.forward(cr.tensor([3, 1], { dtype: "int64" })).tolist(), emb.forward(cr.tensor([3, 1], { dtype: "int32" })).tolist());
  const logits = cr.tensor([[2, 1, 0], [0, 1, 3]]);
  const want = cr.nn.functional.crossEntropy(logits, cr.tensor([0, 2], { dtype: "int32" })).item();
  assert.equal(cr.nn.functional.crossEntropy(logits, cr.tensor([0, 2], { dtype: "int64" })).item(), want);
  assert.throws(() => x.indexSelect(1, cr.tensor([2 ** 40], { dtype: "int64" })), /indexSelect: index 1099511627776 does not fit int32/);
});

test("a backend without synchronous reads (webgpu) refuses the storage dtypes, naming the dtype and the backend", async () => {
  const { narrowBuffer } = await import("../src/tensor/narrow.js");
  const gpuLike = { name: "webgpu" } as unknown as Parameters<typeof narrowBuffer>[0];
  assert.throws(() => narrowBuffer(gpuLike, {}, 4, "float16", "add"), /add: float16 tensors are not supported on the webgpu backend/);
});

test("captured graphs refuse the storage dtypes (a replay would skip the host narrowing)", () => {
  const x = cr.tensor([200, 100], { dtype: "uint8" });
  assert.throws(() => cr.captureGraph(() => x.add(x)), /add: uint8 tensors cannot be used inside cr.captureGraph/);
});
