// Checks safetensors reading and writing against files PyTorch wrote, byte for byte, and that every corrupt input is a clear error.
//
// PyTorch -> chainrule: test/fixtures/torch-model.safetensors and torch-widen.safetensors come from
// `/usr/bin/python3 tools/gen_safetensors_fixture.py` (torch 1.13; the Debian machine has no
// `safetensors` package, so tools/safetensors_struct.py writes the reference layout byte for byte;
// the first test below also matches the reference crate's own serialization test vectors).
// chainrule -> PyTorch, run on 2026-11-26 with torch 1.13:
//   node --conditions=chainrule-source --import tsx tools/write_safetensors_sample.ts /tmp/cr.safetensors
//   /usr/bin/python3 tools/check_safetensors_in_torch.py /tmp/cr.safetensors /tmp/cr.json
// printed "rewritten from PyTorch: byte-identical", "all 10 tensors match chainrule's values
// exactly", "nn.Sequential(3, 8, 2).load_state_dict(strict=True) and forward: max |torch -
// chainrule| = 4.77e-07" and "OK".
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "chainrule";

const { FormatError, safetensors } = cr;

type Value = number | boolean | string;
interface Expected {
  dtype: cr.DType;
  shape: number[];
  data: Value[];
}
interface Fixture {
  metadata: Record<string, string> | null;
  tensors: Record<string, Expected>;
  mlp?: { input: Value[]; inputShape: number[]; output: Value[]; outputShape: number[] };
}

const FIXTURES = join(import.meta.dirname, "fixtures");
const fixture = (stem: string): { bytes: Uint8Array; json: Fixture } => ({
  bytes: new Uint8Array(readFileSync(join(FIXTURES, `${stem}.safetensors`))),
  json: JSON.parse(readFileSync(join(FIXTURES, `${stem}.json`), "utf8")) as Fixture,
});

// The fixtures write NaN, ±Infinity and -0 as strings (JSON has no NaN, and -0 would print as 0).
function decode(v: Value): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  return v === "-0" ? -0 : Number(v);
}

function build(e: Expected): cr.Tensor {
  const values = e.data.map(decode);
  const arr = e.dtype === "float64" ? Float64Array.from(values) : e.dtype === "int32" ? Int32Array.from(values) : e.dtype === "bool" ? Uint8Array.from(values) : Float32Array.from(values);
  return cr.tensor(arr).reshape(e.shape);
}

function assertTensor(name: string, t: cr.Tensor | undefined, e: Expected): void {
  assert.ok(t !== undefined, `missing tensor ${name}`);
  assert.equal(t.dtype, e.dtype, name);
  assert.deepEqual(t.shape, e.shape, name);
  // deepEqual on plain arrays uses Object.is: NaN equals NaN, and -0 differs from 0.
  assert.deepEqual(Array.from(t.toTypedArray()), e.data.map(decode), name);
}

const u64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** A file with this header (an object, or raw JSON text) and data section, its length field correct unless given. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  return concat(u64(length ?? BigInt(json.length)), json, data);
}
const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
const throwsFormat = (bytes: Uint8Array, message: RegExp) =>
  assert.throws(() => safetensors.deserialize(bytes), (e: unknown) => e instanceof FormatError && message.test(e.message) ? true : assert.fail(`wrong error: ${String(e)}`));

test("serialize matches the reference implementation's own test vectors byte for byte", () => {
  const text = (b: Uint8Array) => new TextDecoder().decode(b.subarray(8));
  // safetensors' Rust tests: an F32 tensor "attn.0" of shape [1,2,3] holding 0..5 needs no padding…
  const one = safetensors.serialize({ "attn.0": cr.arange(6, { dtype: "float32" }).reshape([1, 2, 3]) });
  assert.deepEqual(one.subarray(0, 8), u64(64n));
  assert.equal(text(one.subarray(0, 72)), '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
  assert.deepEqual(one.subarray(72), f32(0, 1, 2, 3, 4, 5));
  // …"attn0" of shape [1,1,2,3] is padded with 7 spaces to keep the data 8-byte aligned…
  const padded = safetensors.serialize({ attn0: cr.arange(6, { dtype: "float32" }).reshape([1, 1, 2, 3]) });
  assert.deepEqual(padded.subarray(0, 8), u64(72n));
  assert.equal(text(padded.subarray(0, 80)), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  // …and empty files, without and with metadata.
  assert.deepEqual(safetensors.serialize({}), concat(u64(8n), new TextEncoder().encode("{}      ")));
  assert.deepEqual(safetensors.serialize({}, { framework: "pt" }), concat(u64(40n), new TextEncoder().encode('{"__metadata__":{"framework":"pt"}}     ')));
});

test("a state dict PyTorch wrote loads with its names, dtypes, shapes, values and metadata", () => {
  const { json } = fixture("torch-model");
  const { tensors, metadata } = safetensors.loadWithMetadata(join(FIXTURES, "torch-model.safetensors"));
  assert.deepEqual(metadata, json.metadata);
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(json.tensors).sort());
  for (const [name, e] of Object.entries(json.tensors)) assertTensor(name, tensors[name], e);
  assert.deepEqual(tensors["stats.scale"]!.shape, []);
  assert.deepEqual(tensors["empty"]!.shape, [0, 3]);
  assert.deepEqual(safetensors.load(join(FIXTURES, "torch-model.safetensors")), tensors);
});

test("the loaded weights compute PyTorch's forward pass: names and [out, in] layout mean the same", () => {
  const { json } = fixture("torch-model");
  const w = safetensors.load(join(FIXTURES, "torch-model.safetensors"));
  const mlp = json.mlp!;
  const x = cr.tensor(Float32Array.from(mlp.input.map(decode))).reshape(mlp.inputShape);
  const h = x.matmul(w["layers.0.weight"]!.transpose(0, 1)).add(w["layers.0.bias"]!).relu();
  const y = h.matmul(w["layers.2.weight"]!.transpose(0, 1)).add(w["layers.2.bias"]!);
  assert.deepEqual(y.shape, mlp.outputShape);
  const want = mlp.output.map(decode);
  Array.from(y.toTypedArray()).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `output ${i}: ${v} vs ${want[i]}`));
});

test("chainrule writes byte-identical files to PyTorch's for the same state dict", () => {
  const { bytes, json } = fixture("torch-model");
  const fromValues = Object.fromEntries(Object.entries(json.tensors).map(([k, e]) => [k, build(e)]));
  assert.deepEqual(safetensors.serialize(fromValues, json.metadata), bytes);
  // Key order in the input does not matter: the layout is canonical.
  const reversed = new Map(Object.entries(fromValues).reverse());
  assert.deepEqual(safetensors.serialize(reversed, json.metadata), bytes);
  const back = safetensors.deserializeWithMetadata(bytes);
  assert.deepEqual(safetensors.serialize(back.tensors, back.metadata), bytes);
});

test("I64, U8, I8, I16, F16 and BF16 tensors PyTorch wrote load as their own dtype and save back byte-identically", () => {
  const { bytes, json } = fixture("torch-widen");
  const tensors = safetensors.deserialize(bytes);
  for (const [name, e] of Object.entries(json.tensors)) assertTensor(name, tensors[name], e);
  assert.equal(tensors["bn.num_batches_tracked"]!.item(), 7);
  assert.deepEqual(safetensors.serialize(tensors), bytes);
});

test("every dtype, zero-dim and empty tensors round-trip through serialize and deserialize", () => {
  const state = {
    f32: cr.tensor([[1.5, -2], [Number.NaN, Infinity]]),
    f64: cr.tensor([Math.PI, -0, 1e-300], { dtype: "float64" }),
    i32: cr.tensor([-2147483648, 0, 2147483647], { dtype: "int32" }),
    bool: cr.tensor([true, false, true]),
    scalar: cr.tensor(3, { dtype: "int32" }),
    scalarF64: cr.tensor(0.1, { dtype: "float64" }),
    empty: cr.zeros([0]),
    emptyMatrix: cr.zeros([3, 0, 2], { dtype: "bool" }),
    "__proto__": cr.ones([1]),
  };
  const back = safetensors.deserializeWithMetadata(safetensors.serialize(state));
  assert.equal(back.metadata, null);
  for (const [name, t] of Object.entries(state)) {
    const b = back.tensors[name];
    assert.ok(b instanceof cr.Tensor, name);
    assert.equal(b.dtype, t.dtype, name);
    assert.deepEqual(b.shape, t.shape, name);
    assert.deepEqual(Array.from(b.toTypedArray()), Array.from(t.toTypedArray()), name);
  }
  assert.equal(Object.getPrototypeOf(back.tensors), Object.prototype);
  assert.deepEqual(safetensors.deserializeWithMetadata(safetensors.serialize({}, {})).metadata, {});
});

test("save writes through a temporary file and load reads it back; file errors name the path", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-st-"));
  try {
    const path = join(dir, "model.safetensors");
    const w = cr.randn([4, 3], { generator: new cr.Generator(1) });
    safetensors.save({ "fc.weight": w }, path, { epoch: "1" });
    assert.deepEqual(readdirSync(dir), ["model.safetensors"]);
    const { tensors, metadata } = safetensors.loadWithMetadata(path);
    assert.deepEqual(metadata, { epoch: "1" });
    assert.deepEqual(tensors["fc.weight"]!.toTypedArray(), w.toTypedArray());

    // A save that fails leaves the previous file as it was, and no temporary file behind.
    const before = readFileSync(path);
    assert.throws(() => safetensors.save({ "fc.weight": 3 as unknown as cr.Tensor }, path), /"fc\.weight" is not a tensor \(got number 3\)/);
    assert.throws(() => safetensors.save({ a: w }, join(dir, "missing", "m.safetensors")), /safetensors\.save: cannot write ".*missing.*m\.safetensors": ENOENT/);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(dir), ["model.safetensors"]);

    assert.throws(() => safetensors.load(join(dir, "nope.safetensors")), /safetensors\.load: cannot read ".*nope\.safetensors": ENOENT/);
    writeFileSync(join(dir, "cut.safetensors"), before.subarray(0, before.length - 4));
    assert.throws(() => safetensors.load(join(dir, "cut.safetensors")), (e: unknown) =>
      e instanceof FormatError && /^safetensors: .*cut\.safetensors: tensor "fc\.weight" claims bytes 0\.\.48 but the data section holds 44 \(a truncated file\?\)$/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("truncated files and impossible header lengths are clear errors, with nothing allocated from them", () => {
  const { bytes } = fixture("torch-model");
  throwsFormat(bytes.subarray(0, 5), /^safetensors: the data is 5 bytes, too short to hold the 8-byte header length \(a truncated file\?\)$/);
  throwsFormat(bytes.subarray(0, 100), /^safetensors: the header claims 776 bytes but only 92 follow the 8-byte length \(a truncated file\?\)$/);
  throwsFormat(bytes.subarray(0, bytes.length - 1), /^safetensors: tensor "mask" claims bytes 172\.\.178 but the data section holds 177 \(a truncated file\?\)$/);
  throwsFormat(craft("{}", new Uint8Array(0), 1n << 60n), /^safetensors: the header length is 1152921504606846976 bytes, more than the 100000000-byte limit \(a corrupt file\?\)$/);
  throwsFormat(craft("{}", new Uint8Array(0), 0xffffffffffffffffn), /the header length is 18446744073709551615 bytes, more than the 100000000-byte limit/);
  throwsFormat(craft("{}", new Uint8Array(0), 50_000_000n), /the header claims 50000000 bytes but only 2 follow/);
  // A shape that would need 2^60 elements is refused from the header, before any allocation.
  throwsFormat(craft({ big: { dtype: "F32", shape: [1 << 30, 1 << 30], data_offsets: [0, 4] } }, f32(1)), /tensor "big" is F32 of shape \[1073741824,1073741824\], which needs 4611686018427388000 bytes, but its data_offsets 0\.\.4 span 4/);
});

test("malformed headers are clear errors naming what is wrong", () => {
  const ok = { dtype: "F32", shape: [2], data_offsets: [0, 8] };
  throwsFormat(craft("{not json"), /^safetensors: the header is not valid JSON \(.+\)$/);
  throwsFormat(concat(u64(2n), Uint8Array.of(0xc3, 0x28)), /^safetensors: the header is not valid UTF-8$/);
  throwsFormat(craft("[1,2]"), /^safetensors: the header must be a JSON object, got an array$/);
  throwsFormat(craft({ w: 5 }), /^safetensors: tensor "w" must be an object with dtype, shape and data_offsets, got number 5$/);
  throwsFormat(craft({ w: { ...ok, dtype: "F33" } }, f32(1, 2)), /^safetensors: tensor "w" has unknown dtype "F33" \(known: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64\)$/);
  throwsFormat(craft({ w: { ...ok, dtype: "F8_E4M3" } }, f32(1, 2)), /^safetensors: tensor "w" has dtype F8_E4M3, which chainrule cannot hold \(it reads BOOL, .*F64\)$/);
  throwsFormat(craft({ w: { ...ok, dtype: undefined } }, f32(1, 2)), /^safetensors: tensor "w" has no dtype; expected a string such as "F32"$/);
  throwsFormat(craft({ w: { ...ok, dtype: 5 } }, f32(1, 2)), /tensor "w" has dtype 5; expected a string such as "F32"/);
  throwsFormat(craft({ w: { dtype: "F32", data_offsets: [0, 8] } }, f32(1, 2)), /tensor "w" has no shape; expected an array of non-negative integers/);
  throwsFormat(craft({ w: { ...ok, shape: [2, -1] } }, f32(1, 2)), /^safetensors: tensor "w" has shape \[2,-1\]; expected an array of non-negative integers$/);
  throwsFormat(craft({ w: { ...ok, shape: [1.5] } }, f32(1, 2)), /tensor "w" has shape \[1\.5\]/);
  throwsFormat(craft({ w: { ...ok, data_offsets: [8, 0] } }, f32(1, 2)), /^safetensors: tensor "w" has data_offsets \[8,0\]; expected \[begin, end\] with 0 <= begin <= end$/);
  throwsFormat(craft({ w: { ...ok, data_offsets: [0] } }, f32(1, 2)), /tensor "w" has data_offsets \[0\]/);
  throwsFormat(craft({ __metadata__: { epoch: 3 }, w: ok }, f32(1, 2)), /^safetensors: __metadata__ must map strings to strings, but "epoch" is number 3$/);
  throwsFormat(craft({ __metadata__: [], w: ok }, f32(1, 2)), /__metadata__ must be an object mapping strings to strings, got an array/);
});

test("offsets out of range, overlapping, leaving gaps or not matching the shape are clear errors", () => {
  const t = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });
  throwsFormat(craft({ "fc.weight": t("F32", [32, 32], 0, 4096) }, new Uint8Array(1024)), /^safetensors: tensor "fc\.weight" claims bytes 0\.\.4096 but the data section holds 1024 \(a truncated file\?\)$/);
  throwsFormat(craft({ a: t("F32", [4], 0, 16), b: t("F32", [4], 8, 24) }, new Uint8Array(24)), /^safetensors: tensors "a" \(bytes 0\.\.16\) and "b" \(bytes 8\.\.24\) overlap$/);
  throwsFormat(craft({ a: t("F32", [2], 0, 8), b: t("F32", [2], 0, 8) }, new Uint8Array(8)), /tensors "a" \(bytes 0\.\.8\) and "b" \(bytes 0\.\.8\) overlap/);
  throwsFormat(craft({ a: t("F32", [2], 0, 8), b: t("F32", [2], 16, 24) }, new Uint8Array(24)), /^safetensors: bytes 8\.\.16 of the data section belong to no tensor$/);
  throwsFormat(craft({ a: t("F32", [2], 8, 16) }, new Uint8Array(16)), /bytes 0\.\.8 of the data section belong to no tensor/);
  throwsFormat(craft({ a: t("F32", [2], 0, 8) }, new Uint8Array(12)), /^safetensors: the data section holds 12 bytes but the tensors cover only 0\.\.8$/);
  throwsFormat(craft({ a: t("F32", [3], 0, 8) }, new Uint8Array(8)), /^safetensors: tensor "a" is F32 of shape \[3\], which needs 12 bytes, but its data_offsets 0\.\.8 span 8$/);
  throwsFormat(craft({ a: t("F64", [2, 2], 0, 16) }, new Uint8Array(16)), /tensor "a" is F64 of shape \[2,2\], which needs 32 bytes/);
});

test("values chainrule cannot hold are named, never silently changed", () => {
  const i64 = new Uint8Array(BigInt64Array.of(1n, 1n << 40n).buffer);
  assert.deepEqual(safetensors.deserialize(craft({ ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, i64))["ids"]!.tolist(), [1, 2 ** 40]);
  const big = new Uint8Array(BigInt64Array.of(1n, -(1n << 60n)).buffer);
  throwsFormat(craft({ ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, big), /^safetensors: tensor "ids" \(I64\) holds -1152921504606846976 at element 1, outside ±\(2\^53 − 1\), where chainrule's int64 is exact/);
  const u64v = new Uint8Array(BigUint64Array.of(2n ** 31n).buffer);
  throwsFormat(craft({ n: { dtype: "U64", shape: [], data_offsets: [0, 8] } }, u64v), /tensor "n" \(U64\) holds 2147483648 at element 0, which does not fit int32/);
  const u32 = new Uint8Array(Uint32Array.of(5, 2 ** 32 - 1).buffer);
  throwsFormat(craft({ n: { dtype: "U32", shape: [2], data_offsets: [0, 8] } }, u32), /tensor "n" \(U32\) holds 4294967295 at element 1, which does not fit int32/);
  throwsFormat(craft({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, Uint8Array.of(0, 1, 7)), /^safetensors: tensor "m" \(BOOL\) holds byte 7 at element 2; booleans must be 0 or 1$/);
  const fine = safetensors.deserialize(craft({ n: { dtype: "U32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(Uint32Array.of(2 ** 31 - 1).buffer)));
  assert.deepEqual(fine["n"]!.tolist(), [2147483647]);
});

test("serialize rejects what it cannot write, naming it", () => {
  const w = cr.ones([2]);
  assert.throws(() => safetensors.serialize([w] as unknown as Record<string, cr.Tensor>), /safetensors\.serialize: expected an object or Map from names to tensors, got an array/);
  assert.throws(() => safetensors.serialize({ w: [1, 2] as unknown as cr.Tensor }), /safetensors\.serialize: "w" is not a tensor \(got an array\)/);
  assert.throws(() => safetensors.serialize({ __metadata__: w }), /"__metadata__" is reserved for the metadata map and cannot name a tensor/);
  assert.throws(() => safetensors.serialize({ w }, { epoch: 3 as unknown as string }), /metadata values must be strings \(as in PyTorch\), but "epoch" is number 3/);
  assert.throws(() => safetensors.serialize({ "\ud800": w }), /is not valid Unicode \(a lone surrogate\)/);
  assert.throws(() => safetensors.deserialize("abc" as unknown as Uint8Array), /safetensors: expected a Uint8Array or ArrayBuffer, got "abc"/);
});
