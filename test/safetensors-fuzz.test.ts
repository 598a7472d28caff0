// Property-based checks of the safetensors reader (fast-check): random bytes, and mutations of valid
// files (PyTorch's fixtures and random state dicts), either load or throw a FormatError — never another
// exception — and what loads is bounded by the input: at most the read's tensor limit, and tensor
// memory at most 4× the data section (the widest widening, 8-bit to int32). Plus the limits themselves:
// a header of 500,000 empty tensors (30 MB, 13.6 s and +448 MB to parse before) is refused at once.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import * as cr from "chainrule";
import { FormatError, safetensors } from "../src/io/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const fixtures = ["torch-model", "torch-widen"].map((stem) => new Uint8Array(readFileSync(join(FIXTURES, `${stem}.safetensors`))));
const ELEMENT_BYTES: Record<cr.DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1, int8: 1, uint8: 1, int16: 2, int64: 8, float16: 2, bfloat16: 2 };
const LIMITS = { maxHeaderBytes: 1 << 16, maxTensors: 64 };

function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}

function withHeader(header: string, data: Uint8Array, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  out.set(u64(length ?? BigInt(json.length)));
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function split(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>, data: bytes.subarray(8 + n) };
}

/** Loads `bytes` with small limits; fails the property on any exception but a FormatError, or on an unbounded result. */
function loadsOrFormatError(bytes: Uint8Array): boolean {
  let contents: cr.safetensors.SafetensorsContents;
  try {
    contents = safetensors.deserializeWithMetadata(bytes, LIMITS);
  } catch (e) {
    if (e instanceof FormatError) {
      assert.ok(!e.message.includes("\n") && e.message.length < 600, `an unwieldy message: ${e.message.slice(0, 200)}…`);
      return true;
    }
    throw new Error(`not a FormatError: ${String(e)}`, { cause: e });
  }
  const tensors = Object.values(contents.tensors);
  assert.ok(tensors.length <= LIMITS.maxTensors, `${tensors.length} tensors`);
  const held = tensors.reduce((n, t) => n + t.numel() * ELEMENT_BYTES[t.dtype], 0);
  assert.ok(held <= 4 * bytes.length, `${held} bytes of tensors from a ${bytes.length}-byte input`);
  for (const t of tensors) assert.equal(t.numel(), t.shape.reduce((a, d) => a * d, 1));
  return true;
}

const dtypes = ["float32", "float64", "int32", "bool"] as const;
/** A random state dict with metadata, serialized: a valid file to mutate. */
const validFile = fc
  .record({
    tensors: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== "__metadata__" && !/\p{Surrogate}/u.test(s)),
      fc.record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), seed: fc.integer() }),
      { maxKeys: 6 },
    ),
    metadata: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 }), { maxKeys: 3 }), { nil: null }),
  })
  .map(({ tensors, metadata }) => {
    const state: Record<string, cr.Tensor> = {};
    for (const [name, { dtype, shape, seed }] of Object.entries(tensors)) {
      const n = shape.reduce((a, d) => a * d, 1);
      const values = Array.from({ length: n }, (_, i) => (dtype === "bool" ? (seed + i) & 1 : dtype === "int32" ? (seed + i * 7919) % 1000 : ((seed + i * 7919) % 1000) / 7));
      Object.defineProperty(state, name, { value: cr.tensor(values, { dtype }).reshape(shape), enumerable: true });
    }
    return safetensors.serialize(state, metadata);
  });
const baseFile = fc.oneof(fc.constantFrom(...fixtures), validFile);

/** Edits of a file's bytes: flipped, overwritten, cut or appended bytes, and a rewritten length field. */
const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant("length" as const), value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
);
type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateBytes(bytes: Uint8Array, m: ByteMutation): Uint8Array {
  const out = new Uint8Array(bytes);
  switch (m.kind) {
    case "flip":
      if (out.length > 0) out[m.at % out.length]! ^= 1 << m.bit;
      return out;
    case "set":
      if (out.length > 0) out.set(m.bytes.subarray(0, Math.max(0, out.length - (m.at % out.length))), m.at % out.length);
      return out;
    case "cut":
      return out.subarray(0, m.at % (out.length + 1));
    case "append": {
      const longer = new Uint8Array(out.length + m.bytes.length);
      longer.set(out);
      longer.set(m.bytes, out.length);
      return longer;
    }
    case "length":
      if (out.length >= 8) out.set(u64(m.value));
      return out;
  }
}

/** Values a corrupt header might hold where a dtype, a shape, an offset or a name belongs. */
const oddValue = fc.oneof(
  fc.constantFrom("F32", "F64", "I64", "U8", "BF16", "F16", "BOOL", "F8_E4M3", "C64", "", "__proto__", null, true, {}, [], -1, 0.5, 2 ** 53, 1e308),
  fc.integer({ min: -2, max: 1 << 20 }),
  fc.array(fc.oneof(fc.integer({ min: -1, max: 1 << 16 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e20, 0.5, -0)), { maxLength: 5 }),
  fc.string({ maxLength: 6 }),
);
/** Edits of a file's header: a field of a tensor replaced, a tensor added or dropped, or many empty tensors. */
const headerMutation = fc.oneof(
  fc.record({ kind: fc.constant("field" as const), tensor: fc.nat(), field: fc.constantFrom("dtype", "shape", "data_offsets", "extra"), value: oddValue }),
  fc.record({ kind: fc.constant("entry" as const), name: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__metadata__", "__proto__", "constructor")), value: oddValue }),
  fc.record({ kind: fc.constant("drop" as const), tensor: fc.nat() }),
  fc.record({ kind: fc.constant("empties" as const), count: fc.integer({ min: 1, max: 200 }) }),
);
type HeaderMutation = typeof headerMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateHeader(bytes: Uint8Array, m: HeaderMutation): Uint8Array {
  const { header, data } = split(bytes);
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  const pick = (i: number) => names[i % Math.max(1, names.length)];
  const edited: Record<string, unknown> = JSON.parse(JSON.stringify(header)) as Record<string, unknown>;
  switch (m.kind) {
    case "field": {
      const entry = edited[pick(m.tensor) ?? ""];
      if (typeof entry === "object" && entry !== null) (entry as Record<string, unknown>)[m.field] = m.value;
      break;
    }
    case "entry":
      Object.defineProperty(edited, m.name, { value: m.value, enumerable: true, configurable: true, writable: true });
      break;
    case "drop": {
      const name = pick(m.tensor);
      if (name !== undefined) delete edited[name];
      break;
    }
    case "empties":
      for (let i = 0; i < m.count; i++) edited[`empty.${i}`] = { dtype: "F32", shape: [0], data_offsets: [0, 0] };
      break;
  }
  return withHeader(JSON.stringify(edited), data);
}

test("random bytes load or throw a FormatError, never anything else", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), loadsOrFormatError), { numRuns: 500 });
  // A correct length field in front of random text reaches the JSON and field checks.
  fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 64 }), (text, data) => loadsOrFormatError(withHeader(text, data))), { numRuns: 500 });
});

test("byte-level mutations of valid files load or throw a FormatError", () => {
  fc.assert(fc.property(baseFile, fc.array(byteMutation, { minLength: 1, maxLength: 4 }), (bytes, edits) => loadsOrFormatError(edits.reduce(mutateBytes, bytes))), { numRuns: 400 });
});

test("header-level mutations of valid files load or throw a FormatError", () => {
  fc.assert(fc.property(baseFile, fc.array(headerMutation, { minLength: 1, maxLength: 3 }), (bytes, edits) => loadsOrFormatError(edits.reduce(mutateHeader, bytes))), { numRuns: 400 });
});

test("unmutated files round-trip under the same checks", () => {
  fc.assert(fc.property(validFile, (bytes) => {
    const back = safetensors.serialize(safetensors.deserialize(bytes), safetensors.deserializeWithMetadata(bytes).metadata);
    assert.deepEqual(back, bytes);
    return loadsOrFormatError(bytes);
  }), { numRuns: 100 });
});

function emptyTensors(count: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  return withHeader(`{${parts.join(",")}}`, new Uint8Array(0));
}

test("a header past the size or tensor-count limit is refused before its tensors are made, with a way to raise the limit", () => {
  const huge = emptyTensors(500_000); // 28 MB: over the 16 MiB default
  assert.throws(() => safetensors.deserialize(huge), (e: unknown) => e instanceof FormatError && /the header length is \d+ bytes, more than the 16777216-byte limit of this read \(pass \{ maxHeaderBytes \}/.test(e.message));
  const many = emptyTensors(70_000); // 3.9 MB: under the size limit, over the 65,536 tensors
  assert.throws(() => safetensors.deserialize(many), (e: unknown) => e instanceof FormatError && /the header lists 70000 tensors, more than the limit of 65536 \(pass \{ maxTensors \} to allow more\)/.test(e.message));
  assert.equal(Object.keys(safetensors.deserialize(emptyTensors(3), { maxTensors: 3 })).length, 3);
  assert.throws(() => safetensors.deserialize(emptyTensors(4), { maxTensors: 3 }), /the header lists 4 tensors, more than the limit of 3/);
  assert.throws(() => safetensors.deserialize(emptyTensors(1), { maxHeaderBytes: 1e9 }), (e: unknown) => e instanceof cr.ArgumentError && /maxHeaderBytes must be an integer from 0 to 100000000/.test(e.message));
  assert.throws(() => safetensors.deserialize(emptyTensors(1), { maxTensor: 3 } as never), /unknown option "maxTensor"/);
});

test("names and values from a corrupt header are cut short in messages", () => {
  const name = "w".repeat(100_000);
  const bytes = withHeader(JSON.stringify({ [name]: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }), new Uint8Array(4));
  assert.throws(() => safetensors.deserialize(bytes), (e: unknown) => e instanceof FormatError && e.message.length < 400 && /\(100002 characters\)/.test(e.message));
});
