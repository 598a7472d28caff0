// The storage dtypes (int8, uint8, int16, int64, float16, bfloat16) on backends that only compute float32, float64,
// int32 and bool: every fresh result of such a dtype is brought back to it here, on the host, once per op — integers
// wrap as PyTorch's do, halves round to nearest even, int64 is checked to stay where float64 holds integers exactly.
// Only tensors of those dtypes come here, so the float32 path has no per-element cost.
import type { CompleteBackend, DataBuf } from "../backend/backend.js";
import { capturing } from "../backend/capture.js";
import type { DType, TypedArray } from "../dtype.js";
import { computeDType } from "../dtype.js";
import { DTypeError } from "../errors.js";

/**
 * The largest int64 magnitude chainrule holds: 2^53 − 1 (Number.MAX_SAFE_INTEGER). Past it float64 skips integers,
 * so a result of 2^53 may be the rounding of 2^53 + 1: it is refused rather than silently changed.
 */
export const INT64_MAX_SAFE = Number.MAX_SAFE_INTEGER;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** `x` rounded to bfloat16 (nearest, ties to even; NaN stays NaN), as a float32 value. */
export function roundBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return NaN;
  u32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0]!;
}

/** `x` rounded to float16 (nearest, ties to even, subnormals down to 2^-24, overflow to ±Infinity). */
export function roundFloat16(x: number): number {
  const a = Math.abs(x);
  if (!(a > 0) || a === Infinity) return x; // 0, -0, NaN, ±Infinity
  if (a >= 65520) return x > 0 ? Infinity : -Infinity; // half of the way past 65504 rounds up (65504's last bit is odd)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const quantum = 2 ** (Math.max(e, -14) - 10);
  const v = a / quantum; // exact: a power-of-two scaling
  const f = Math.floor(v);
  const d = v - f;
  const n = d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(x) * n * quantum;
}

/** What a narrowed element is, by dtype: the compute value brought into the dtype's range or precision. */
function narrowFn(dtype: DType): ((v: number) => number) | null {
  switch (dtype) {
    case "int8":
      return (v) => (v << 24) >> 24;
    case "uint8":
      return (v) => v & 255;
    case "int16":
      return (v) => (v << 16) >> 16;
    case "float16":
      return roundFloat16;
    case "bfloat16":
      return roundBfloat16;
    default:
      return null;
  }
}

/** The error for an int64 value chainrule cannot hold (its int64 is exact only within ±2^53). */
export function int64RangeMessage(op: string, v: number): string {
  return (
    `${op}: value ${v} cannot be stored in int64: chainrule's int64 holds integers within ±(2^53 − 1) (±9007199254740991), ` +
    `where float64 arithmetic is exact; use float64 for larger or non-finite values`
  );
}

/** Brings `arr` (in `dtype`'s compute array) into `dtype` in place; throws for int64 values it cannot hold. */
export function narrowArray(op: string, arr: TypedArray, dtype: DType): TypedArray {
  if (dtype === "int64") {
    for (let i = 0; i < arr.length; i++) {
      const v = Math.trunc(arr[i]!); // float → int64 truncates toward zero, as PyTorch's
      if (!(Math.abs(v) <= INT64_MAX_SAFE)) throw new DTypeError(int64RangeMessage(op, arr[i]!));
      arr[i] = v === 0 ? 0 : v; // no -0 in integers
    }
    return arr;
  }
  const fn = narrowFn(dtype);
  if (fn !== null) for (let i = 0; i < arr.length; i++) arr[i] = fn(arr[i]!);
  return arr;
}

/**
 * A buffer holding `buf`'s `size` elements brought into storage dtype `dtype` (read, narrowed on the host, written
 * back); `buf` is released. Backends without synchronous reads (a GPU's) are refused with an error naming both.
 */
export function narrowBuffer(backend: CompleteBackend, buf: DataBuf, size: number, dtype: DType, op: string = dtype): DataBuf {
  if (capturing()) {
    // A replay reruns kernels only: the host narrowing (and the buffer it replaces) would be skipped.
    throw new DTypeError(`${op}: ${dtype} tensors cannot be used inside cr.captureGraph: their results are narrowed on the host after each op; capture float32 or float64 work`);
  }
  const read = backend.readSync;
  if (read === undefined) {
    throw new DTypeError(
      `${op}: ${dtype} tensors are not supported on the ${backend.name} backend: they are computed in ${computeDType(dtype)} and ` +
        `narrowed on the host after each op, which needs synchronous reads (cpu and wasm have them); convert with .float() first`,
    );
  }
  const arr = read.call(backend, buf, computeDType(dtype), size);
  const fresh = backend.fromArray(narrowArray(op, arr.slice(), dtype));
  backend.release?.(buf);
  return fresh;
}

/** `v` as an element of `dtype` (wrapped, rounded; checked for int64): what a fill of that dtype stores. */
export function narrowScalar(v: number, dtype: DType): number {
  if (computeDType(dtype) === dtype) return v;
  const one = dtype === "int64" ? new Float64Array([v]) : computeDType(dtype) === "int32" ? new Int32Array([v]) : new Float32Array([v]);
  return narrowArray(dtype, one, dtype)[0]!;
}
