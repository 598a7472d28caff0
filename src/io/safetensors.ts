// Reads and writes safetensors, the tensor file format of PyTorch and the Hugging Face ecosystem.
//
// Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON (padded with spaces to a
// multiple of 8) mapping each tensor name to { dtype, shape, data_offsets: [begin, end] } plus an
// optional "__metadata__" map of strings, then the data section, little-endian and row-major.
import type { DType, TypedArray } from "../dtype.js";
import { isStorageDType } from "../dtype.js";
import { bfloat16Bits, bfloat16FromBits, float16Bits, float16FromBits } from "../half-bits.js";
import { ArgumentError } from "../errors.js";
import { fmt } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { writeFileAtomic } from "./atomic-write.js";
import { FormatError } from "./errors.js";
import { describeError, nodeBuiltin } from "./node.js";
import { fromOwnedArray } from "./wrap.js";

/** What a state dict can be given as: a plain object or a Map from tensor names to tensors. */
export type TensorMap = Record<string, Tensor> | ReadonlyMap<string, Tensor>;

/** A deserialized file: its tensors, and its `__metadata__` map (null when the file has none). */
export interface SafetensorsContents {
  /** The tensors by name. */
  tensors: Record<string, Tensor>;
  /** The file's `__metadata__` strings, or null when it has none. */
  metadata: Record<string, string> | null;
}

/** The largest header accepted, as in the reference implementation: a longer one means a corrupt file. */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * The default limits of a read: the header's size (16 MiB) and its number of tensors (65,536). Real
 * files are far inside both (a model's file lists hundreds to a few thousand tensors, under 100
 * bytes of header each); past them a header costs seconds and hundreds of megabytes to parse
 * before anything is known to be wrong (500,000 empty tensors in a 30 MB header: 13.6 s, +448 MB).
 * Raise them with `ReadOptions` for a file that truly needs more.
 */
export const DEFAULT_READ_LIMITS = { maxHeaderBytes: 16 * 1024 * 1024, maxTensors: 65_536 } as const;

/** Options of `deserialize`, `load` and their `WithMetadata` forms. */
export interface ReadOptions {
  /** The largest header accepted, in bytes (default 16 MiB, at most `MAX_HEADER_BYTES`). */
  maxHeaderBytes?: number;
  /** The most tensors accepted (default 65,536). */
  maxTensors?: number;
}

// The reference implementation's Dtype enum, in declaration order: files it writes place tensors
// by descending rank then by name, which keeps every tensor aligned to its element size. We lay
// files out the same way so that chainrule and PyTorch write byte-identical files.
const RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

const WRITE: Record<DType, { code: string; size: number }> = {
  float32: { code: "F32", size: 4 },
  float64: { code: "F64", size: 8 },
  int32: { code: "I32", size: 4 },
  bool: { code: "BOOL", size: 1 },
  int8: { code: "I8", size: 1 },
  uint8: { code: "U8", size: 1 },
  int16: { code: "I16", size: 2 },
  int64: { code: "I64", size: 8 },
  float16: { code: "F16", size: 2 },
  bfloat16: { code: "BF16", size: 2 },
};

// What each readable dtype becomes: its own dtype where chainrule has it (I64 checked to stay within ±2^53, where
// chainrule's int64 is exact), U16 widened to int32, U32 and U64 accepted when every value fits int32.
const READ: Record<string, { size: number; dtype: DType }> = {
  BOOL: { size: 1, dtype: "bool" },
  U8: { size: 1, dtype: "uint8" },
  I8: { size: 1, dtype: "int8" },
  I16: { size: 2, dtype: "int16" },
  U16: { size: 2, dtype: "int32" },
  I32: { size: 4, dtype: "int32" },
  U32: { size: 4, dtype: "int32" },
  I64: { size: 8, dtype: "int64" },
  U64: { size: 8, dtype: "int32" },
  F16: { size: 2, dtype: "float16" },
  BF16: { size: 2, dtype: "bfloat16" },
  F32: { size: 4, dtype: "float32" },
  F64: { size: 8, dtype: "float64" },
};
// Dtypes other writers use that chainrule has no storage for: named in the error instead of "unknown".
const UNSUPPORTED = ["F8_E5M2", "F8_E4M3", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"];

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const LONE_SURROGATE = /\p{Surrogate}/u;

// ---- writing ---------------------------------------------------------------------------------

/**
 * The safetensors bytes of `tensors`, with an optional `__metadata__` map of strings. Tensors are
 * laid out as PyTorch's writer lays them (by dtype, widest first, then by name; header padded with
 * spaces to 8 bytes), so the same state dict gives byte-identical files from chainrule and PyTorch.
 * Works anywhere: no file system needed.
 * @example
 * const bytes = cr.safetensors.serialize({ "fc.weight": w, "fc.bias": b }, { epoch: "3" });
 * const back = cr.safetensors.deserialize(bytes); // { "fc.bias": Tensor, "fc.weight": Tensor }
 */
export function serialize(tensors: TensorMap, metadata?: Record<string, string> | null): Uint8Array {
  const op = "safetensors.serialize";
  const entries = tensorEntries(op, tensors);
  const meta = metadata === undefined || metadata === null ? null : checkMetadata(op, metadata);

  const layout = entries
    .map(([name, t]) => ({ name, t, ...WRITE[t.dtype] }))
    .sort((a, b) => RANK.indexOf(b.code) - RANK.indexOf(a.code) || compareCodePoints(a.name, b.name));

  // The header is built by hand so its key order is fixed: __metadata__ first, tensors in data
  // order, each as dtype, shape, data_offsets — the order the reference writer uses.
  const parts: string[] = [];
  if (meta !== null) {
    const keys = Object.keys(meta).sort(compareCodePoints);
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`).join(",")}}`);
  }
  let offset = 0;
  for (const e of layout) {
    const n = e.t.numel() * e.size;
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.code}","shape":[${e.t.shape.join(",")}],"data_offsets":[${offset},${offset + n}]}`);
    offset += n;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const e of layout) {
    const arr = hostArray(e.t);
    const bytes = isStorageDType(e.t.dtype) ? storageBytes(arr, e.t.dtype) : new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    out.set(bytes, at);
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(at, at + bytes.length), e.size);
    at += bytes.length;
  }
  return out;
}

function tensorEntries(op: string, tensors: TensorMap): [string, Tensor][] {
  let entries: [string, unknown][];
  if (tensors instanceof Map) entries = [...(tensors as ReadonlyMap<string, unknown>).entries()];
  else if (typeof tensors === "object" && tensors !== null && !Array.isArray(tensors)) entries = Object.entries(tensors);
  else throw new ArgumentError(`${op}: expected an object or Map from names to tensors, got ${describe(tensors)}`);
  for (const [name, t] of entries) {
    if (typeof name !== "string") throw new ArgumentError(`${op}: tensor names must be strings, got ${describe(name)}`);
    if (name === "__metadata__") throw new ArgumentError(`${op}: "__metadata__" is reserved for the metadata map and cannot name a tensor`);
    if (LONE_SURROGATE.test(name)) throw new ArgumentError(`${op}: tensor name ${JSON.stringify(name)} is not valid Unicode (a lone surrogate)`);
    if (!(t instanceof Tensor)) throw new ArgumentError(`${op}: "${name}" is not a tensor (got ${describe(t)})`);
  }
  return entries as [string, Tensor][];
}

function checkMetadata(op: string, metadata: unknown): Record<string, string> {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata) || metadata instanceof Map) {
    throw new ArgumentError(`${op}: metadata must be an object mapping strings to strings, got ${describe(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new ArgumentError(`${op}: metadata values must be strings (as in PyTorch), but "${k}" is ${describe(v)}; use String(value) or JSON.stringify`);
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw new ArgumentError(`${op}: metadata entry "${k}" is not valid Unicode (a lone surrogate)`);
  }
  return metadata as Record<string, string>;
}

// The elements without a copy where the backend allows it; a state dict can be most of memory.
function hostArray(t: Tensor): TypedArray {
  try {
    return t.dataView();
  } catch {
    return t.toTypedArray();
  }
}

// ---- reading ---------------------------------------------------------------------------------

/**
 * The tensors of safetensors `bytes`, by name, in file order. Everything is checked before any
 * tensor is made — header length against the data, JSON, dtypes, shapes, and that the tensors'
 * byte ranges match their shapes and tile the data section exactly — and anything wrong throws a
 * `FormatError` naming it. BOOL, U8, I8, I16, I32, I64, F16, BF16, F32 and F64 load as their own dtype
 * (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64; an I64 value outside ±(2^53 − 1)
 * throws naming it) and save back byte-identically; U16 widens to int32; U32 and U64 load as int32 when
 * every value fits, else throw naming the value. Other dtypes (FP8, complex) throw naming the dtype.
 * A header over 16 MiB or with over 65,536 tensors throws before it is parsed further (see
 * `DEFAULT_READ_LIMITS`; `options` raises them), so no input costs more than a bounded time and memory.
 * @example
 * const state = cr.safetensors.deserialize(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * state["layers.0.weight"].shape; // [16, 2]
 */
export function deserialize(bytes: Uint8Array | ArrayBuffer, options?: ReadOptions): Record<string, Tensor> {
  return read(bytes, null, options).tensors;
}

/**
 * Like `deserialize`, and also the file's `__metadata__` map (null when it has none).
 * @example
 * const { tensors, metadata } = cr.safetensors.deserializeWithMetadata(bytes);
 * metadata?.format; // "pt" for files written by PyTorch's save_file
 */
export function deserializeWithMetadata(bytes: Uint8Array | ArrayBuffer, options?: ReadOptions): SafetensorsContents {
  return read(bytes, null, options);
}

interface Entry {
  name: string;
  code: string;
  shape: number[];
  begin: number;
  end: number;
}

function readLimits(where: string, options: ReadOptions | undefined): { maxHeaderBytes: number; maxTensors: number } {
  if (options === undefined) return DEFAULT_READ_LIMITS;
  if (typeof options !== "object" || options === null) throw new ArgumentError(`${where}options must be an object, got ${describe(options)}`);
  const known = ["maxHeaderBytes", "maxTensors"];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new ArgumentError(`${where}unknown option "${k}" (known: ${known.join(", ")})`);
  const { maxHeaderBytes = DEFAULT_READ_LIMITS.maxHeaderBytes, maxTensors = DEFAULT_READ_LIMITS.maxTensors } = options;
  if (!isCount(maxHeaderBytes) || maxHeaderBytes > MAX_HEADER_BYTES) throw new ArgumentError(`${where}maxHeaderBytes must be an integer from 0 to ${MAX_HEADER_BYTES}, got ${describe(maxHeaderBytes)}`);
  if (!isCount(maxTensors)) throw new ArgumentError(`${where}maxTensors must be a non-negative integer, got ${describe(maxTensors)}`);
  return { maxHeaderBytes, maxTensors };
}

function read(input: Uint8Array | ArrayBuffer, source: string | null, options?: ReadOptions): SafetensorsContents {
  const where = source === null ? "safetensors: " : `safetensors: ${source}: `;
  const fail = (msg: string): never => {
    throw new FormatError(where + msg);
  };
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
  else throw new ArgumentError(`${where}expected a Uint8Array or ArrayBuffer, got ${describe(input)}`);
  const limits = readLimits(where, options);

  if (bytes.length < 8) fail(`the data is ${bytes.length} bytes, too short to hold the 8-byte header length (a truncated file?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  // Compared as a bigint: a corrupt length can be anything up to 2^64, far past exact doubles.
  if (claimed > BigInt(MAX_HEADER_BYTES)) fail(`the header length is ${claimed} bytes, more than the ${MAX_HEADER_BYTES}-byte limit (a corrupt file?)`);
  const headerLength = Number(claimed);
  if (8 + headerLength > bytes.length) {
    fail(`the header claims ${headerLength} bytes but only ${bytes.length - 8} follow the 8-byte length (a truncated file?)`);
  }
  if (headerLength > limits.maxHeaderBytes) {
    fail(`the header length is ${headerLength} bytes, more than the ${limits.maxHeaderBytes}-byte limit of this read (pass { maxHeaderBytes } to allow up to ${MAX_HEADER_BYTES})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail("the header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${describeError(e)})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail(`the header must be a JSON object, got ${describe(header)}`);
  const names = Object.keys(header as object);
  const count = names.length - (names.includes("__metadata__") ? 1 : 0);
  if (count > limits.maxTensors) fail(`the header lists ${count} tensors, more than the limit of ${limits.maxTensors} (pass { maxTensors } to allow more)`);

  const dataLength = bytes.length - 8 - headerLength;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = readMetadata(info, fail);
      continue;
    }
    const t = `tensor ${quote(name)}`;
    if (typeof info !== "object" || info === null || Array.isArray(info)) fail(`${t} must be an object with dtype, shape and data_offsets, got ${describe(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string") fail(`${t} has ${field("dtype", dtype)}; expected a string such as "F32"`);
    const code = dtype as string;
    const spec = READ[code];
    if (spec === undefined) {
      if (UNSUPPORTED.includes(code)) fail(`${t} has dtype ${code}, which chainrule cannot hold (it reads ${Object.keys(READ).join(", ")})`);
      fail(`${t} has unknown dtype ${quote(code)} (known: ${Object.keys(READ).join(", ")})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`${t} has ${field("shape", shape)}; expected an array of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || (offsets[0] as number) > (offsets[1] as number)) {
      fail(`${t} has ${field("data_offsets", offsets)}; expected [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) fail(`${t} claims bytes ${begin}..${end} but the data section holds ${dataLength} (a truncated file?)`);
    const dims = shape as number[];
    const need = dims.reduce((a, d) => a * d, 1) * spec!.size;
    if (need !== end - begin) {
      fail(`${t} is ${code} of shape ${clip(fmt(dims))}, which needs ${need} bytes, but its data_offsets ${begin}..${end} span ${end - begin}`);
    }
    entries.push({ name, code, shape: dims, begin, end });
  }

  // The byte ranges must tile the data section exactly, as the reference reader requires: an
  // overlap means two tensors share bytes, a gap or a tail means the header lost a tensor.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | null = null;
  for (const e of entries) {
    if (e.begin < covered && previous !== null) {
      fail(`tensors ${quote(previous.name)} (bytes ${previous.begin}..${previous.end}) and ${quote(e.name)} (bytes ${e.begin}..${e.end}) overlap`);
    }
    if (e.begin > covered) fail(`bytes ${covered}..${e.begin} of the data section belong to no tensor`);
    covered = e.end;
    if (e.end > e.begin) previous = e;
  }
  if (covered !== dataLength) fail(`the data section holds ${dataLength} bytes but the tensors cover only 0..${covered}`);

  // Everything is consistent: only now are tensors allocated, each the size of its bytes (up to
  // four times that for the widened 8- and 16-bit types), so the file's size bounds the memory.
  const data = bytes.subarray(8 + headerLength);
  const made: [string, Tensor][] = [];
  for (const e of entries) made.push([e.name, fromOwnedArray(decode(e, data.subarray(e.begin, e.end), fail), e.shape, READ[e.code]!.dtype)]);
  const tensors: Record<string, Tensor> = {};
  // defineProperty, because a plain assignment to a tensor named "__proto__" would set the prototype.
  for (const [name, t] of made) Object.defineProperty(tensors, name, { value: t, enumerable: true, writable: true, configurable: true });
  return { tensors, metadata };
}

function readMetadata(info: unknown, fail: (msg: string) => never): Record<string, string> {
  if (typeof info !== "object" || info === null || Array.isArray(info)) return fail(`__metadata__ must be an object mapping strings to strings, got ${describe(info)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`__metadata__ must map strings to strings, but ${quote(k)} is ${describe(v)}`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function decode(e: Entry, src: Uint8Array, fail: (msg: string) => never): TypedArray {
  const spec = READ[e.code]!;
  const n = src.length / spec.size;
  // An aligned copy: the data section of a file need not sit at a multiple of 8 in memory.
  const copy = new Uint8Array(src);
  if (!LITTLE_ENDIAN) swapBytes(copy, spec.size);
  const holds = `tensor ${quote(e.name)} (${e.code}) holds`;
  switch (e.code) {
    case "F32":
      return new Float32Array(copy.buffer);
    case "F64":
      return new Float64Array(copy.buffer);
    case "I32":
      return new Int32Array(copy.buffer);
    case "BOOL": {
      for (let i = 0; i < n; i++) if (copy[i]! > 1) fail(`${holds} byte ${copy[i]} at element ${i}; booleans must be 0 or 1`);
      return copy;
    }
    case "U8":
      return Int32Array.from(copy);
    case "I8":
      return Int32Array.from(new Int8Array(copy.buffer));
    case "I16":
      return Int32Array.from(new Int16Array(copy.buffer));
    case "I64": {
      const v = new BigInt64Array(copy.buffer);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (v[i]! > INT64_EXACT_BIG || v[i]! < -INT64_EXACT_BIG) {
          fail(`${holds} ${v[i]} at element ${i}, outside ±(2^53 − 1), where chainrule's int64 is exact (it computes int64 in float64)`);
        }
        out[i] = Number(v[i]!);
      }
      return out;
    }
    case "U16":
      return Int32Array.from(new Uint16Array(copy.buffer));
    case "U32": {
      const v = new Uint32Array(copy.buffer);
      for (let i = 0; i < n; i++) if (v[i]! > 0x7fffffff) fail(`${holds} ${v[i]} at element ${i}, which does not fit int32`);
      return new Int32Array(copy.buffer);
    }
    case "U64": {
      const words = new Uint32Array(copy.buffer);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const lo = words[2 * i]!;
        const hi = words[2 * i + 1]!;
        // Fits int32 when the high word is only the sign extension of the low word.
        if (!(hi === 0 && lo <= 0x7fffffff)) {
          fail(`${holds} ${new BigUint64Array(copy.buffer, 8 * i, 1)[0]} at element ${i}, which does not fit int32 (chainrule has no unsigned 64-bit integers)`);
        }
        out[i] = lo | 0;
      }
      return out;
    }
    case "BF16": {
      const halves = new Uint16Array(copy.buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = bfloat16FromBits(halves[i]!);
      return out;
    }
    case "F16": {
      const halves = new Uint16Array(copy.buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = float16FromBits(halves[i]!);
      return out;
    }
    default:
      return fail(`tensor ${quote(e.name)} has dtype ${e.code}, which chainrule cannot hold`);
  }
}

const INT64_EXACT_BIG = 2n ** 53n - 1n;

// The file bytes of a storage dtype's elements (held in their compute array): narrowed back to their own width.
function storageBytes(arr: TypedArray, dtype: DType): Uint8Array {
  const n = arr.length;
  let out: Int8Array | Uint8Array | Int16Array | Uint16Array | BigInt64Array;
  switch (dtype) {
    case "int8": out = Int8Array.from(arr); break;
    case "uint8": out = Uint8Array.from(arr); break;
    case "int16": out = Int16Array.from(arr); break;
    case "int64": out = BigInt64Array.from({ length: n }, (_, i) => BigInt(arr[i]!)); break;
    case "float16": out = Uint16Array.from({ length: n }, (_, i) => float16Bits(arr[i]!)); break;
    case "bfloat16": out = Uint16Array.from({ length: n }, (_, i) => bfloat16Bits(arr[i]!)); break;
    default: throw new ArgumentError(`safetensors: ${dtype} is not a storage dtype`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

// ---- files (Node only) -----------------------------------------------------------------------

/**
 * Writes `tensors` to a safetensors file at `path` (Node only). The bytes go to a temporary file
 * beside it, are flushed to the disk, and the file is renamed over `path`, so a crash, a full disk
 * or Ctrl-C never leaves a half-written model where a good one was, nor a stray temporary file.
 * @example
 * cr.safetensors.save({ "layers.0.weight": w, "layers.0.bias": b }, "model.safetensors", { epoch: "10" });
 * // in Python: safetensors.torch.load_file("model.safetensors")
 */
export function save(tensors: TensorMap, path: string, metadata?: Record<string, string> | null): void {
  const op = "safetensors.save";
  if (typeof path !== "string" || path === "") throw new ArgumentError(`${op}: path must be a non-empty string, got ${describe(path)}`);
  writeFileAtomic(path, serialize(tensors, metadata), op);
}

/**
 * The tensors of the safetensors file at `path` (Node only), checked as `deserialize` checks them;
 * a `FormatError` names the file and what is wrong with it.
 * @example
 * const state = cr.safetensors.load("model.safetensors");
 * state["layers.0.weight"].shape; // [16, 2]
 */
export function load(path: string, options?: ReadOptions): Record<string, Tensor> {
  return loadWithMetadata(path, options).tensors;
}

/**
 * Like `load`, and also the file's `__metadata__` map (null when it has none).
 * @example
 * const { tensors, metadata } = cr.safetensors.loadWithMetadata("model.safetensors");
 */
export function loadWithMetadata(path: string, options?: ReadOptions): SafetensorsContents {
  const op = "safetensors.load";
  if (typeof path !== "string" || path === "") throw new ArgumentError(`${op}: path must be a non-empty string, got ${describe(path)}`);
  const fs = nodeBuiltin("fs", op);
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw new Error(`${op}: cannot read "${path}": ${describeError(e)}`, { cause: e });
  }
  return read(bytes, path, options);
}

// ---- helpers ---------------------------------------------------------------------------------

// "dtype 5", "shape [2,-1]", or "no shape" when the field is missing.
function field(name: string, value: unknown): string {
  return value === undefined ? `no ${name}` : `${name} ${clip(JSON.stringify(value))}`;
}

// A name or value from the file, quoted and cut short: a corrupt header can hold megabytes in one string.
function quote(text: string): string {
  return clip(JSON.stringify(text));
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 100)}… (${text.length} characters)` : text;
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

// Orders strings by code point, which is UTF-8 byte order: the order the reference writer sorts
// names in (JavaScript's default sort compares UTF-16 units, which differs above U+FFFF).
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (x instanceof Tensor) return `a tensor of shape ${fmt(x.shape)}`;
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "no prototype"})`;
  if (typeof x === "string") return quote(x);
  return `${typeof x} ${String(x)}`;
}
