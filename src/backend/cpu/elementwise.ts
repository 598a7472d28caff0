// The cpu backend's elementwise kernel: any program of the registry's ops (ops/program.ts), with broadcasting,
// as a generated loop (program-source.ts), shared with worker threads when large. A few programs have
// hand-tuned loops where V8's code for the generic one branches on data (relu, its gradient, where).
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { opProgram } from "../../ops/program.js";
import type { Program } from "../../ops/program.js";
import { broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";
import { programSource } from "./program-source.js";
import type { ProgramKernel } from "./program-source.js";
import { bits32 } from "./range-kernels.js";
import { forEachRow } from "./strided.js";
import { runRange } from "./threads.js";

/** Elements per chunk below which a whole-array kernel stays on one thread (~2.5 ns an element in V8). */
const CHUNK_MIN = 32768;
/** Every input's offset in a whole-array loop run here: 0 (an input read as one value is at 0 too). */
const ZEROS: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/** An operand as the kernel reads it. */
export interface Operand {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly dtype: DType;
}

interface Compiled {
  readonly key: string;
  readonly source: string;
  readonly kernel: ProgramKernel;
}

// Compiled loops per program, by input dtypes, output dtype and which inputs are read as one value per row.
const compiled = new WeakMap<Program, Map<number, Compiled>>();
const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };
const DTYPE_OF: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** The loop for `program` on these operands, compiled on first use (its source is kept for worker threads). */
function compile(program: Program, inputs: readonly Operand[], outDtype: DType, scalar: (x: Operand, i: number) => boolean, aligned: boolean): Compiled {
  let byProgram = compiled.get(program);
  if (byProgram === undefined) compiled.set(program, (byProgram = new Map()));
  // Three bits an input (its dtype, and whether it is read as one value), then the output's dtype and the layout:
  // a number, no string.
  let sig = DTYPE_CODE[outDtype] * 2 + (aligned ? 1 : 0);
  for (let i = 0; i < inputs.length; i++) sig = sig * 8 + DTYPE_CODE[inputs[i]!.dtype] * 2 + (scalar(inputs[i]!, i) ? 1 : 0);
  let c = byProgram.get(sig);
  if (c === undefined) {
    const dtypes = inputs.map((x) => x.dtype);
    const flags = inputs.map((x, i) => scalar(x, i));
    const source = programSource(program, dtypes, outDtype, flags, aligned);
    c = { key: `${program.key}|${dtypes.join(",")}|${flags.join(",")}|${DTYPE_OF[DTYPE_CODE[outDtype]]}|${aligned ? "aligned" : "rows"}`, source, kernel: new Function(source)() as ProgramKernel };
    byProgram.set(sig, c);
  }
  return c;
}

// The programs with loops of their own, by key (equal programs, however they were made, share them).
let tuned: { relu: string; threshold: string; where: string; cast: string } | null = null;
function tunedKeys(): NonNullable<typeof tuned> {
  tuned ??= { relu: opProgram("relu").key, threshold: opProgram("thresholdBackward").key, where: opProgram("where").key, cast: opProgram("cast").key };
  return tuned;
}

/** `program` of `inputs`, broadcast to `outShape`, as `outDtype`. */
export function elementwise(program: Program, inputs: readonly Operand[], outShape: Shape, outDtype: DType): TypedArray {
  const size = sizeOf(outShape);
  const keys = tunedKeys();
  const x0 = inputs[0]?.data;
  if (program.key === keys.cast && inputs[0]!.dtype === outDtype) return copyOf(x0!);
  const out = allocOut(outDtype, size, "any");
  if (size === 0) return out;
  const whole = inputs.every((x) => x.data.length === size || x.data.length === 1);
  if (program.key === keys.relu && x0 instanceof Float32Array && out instanceof Float32Array && x0.length === size) {
    runRange("reluF32", [x0, out], size, CHUNK_MIN);
    return out;
  }
  if (program.key === keys.threshold && out instanceof Float32Array) {
    const [g, y] = [inputs[0]!.data, inputs[1]!.data];
    if (g instanceof Float32Array && y instanceof Float32Array && g.length === size && y.length === size) {
      runRange("thresholdBackwardF32", [out, g, y], size, CHUNK_MIN);
      return out;
    }
  }
  if (program.key === keys.where && whereBits(inputs, outShape, out)) return out;
  const xs = inputs.map((x) => x.data);
  if (whole) {
    const c = compile(program, inputs, outDtype, (x) => x.data.length === 1 && size > 1, true);
    // Large arrays are shared with the worker threads; small ones run the loop here, with no task to set up.
    if (size >= 2 * CHUNK_MIN) runRange("programRange", [c.key, c.source, out, xs], size, CHUNK_MIN);
    else c.kernel(out, 0, size, xs, ZEROS);
    return out;
  }
  // Broadcasting: one call of the loop per innermost row; an input broadcast along the row is read as one value.
  const last = outShape.length - 1;
  const strides = inputs.map((x) => broadcastStrides(x.shape, outShape));
  const c = compile(program, inputs, outDtype, (_x, i) => (strides[i]![last] ?? 0) === 0, false);
  let o = 0;
  forEachRow(outShape, strides, (offsets, n) => {
    c.kernel(out, o, n, xs, offsets);
    o += n;
  });
  return out;
}

function copyOf(x: TypedArray): TypedArray {
  const out = allocOut(x instanceof Float32Array ? "float32" : x instanceof Float64Array ? "float64" : x instanceof Int32Array ? "int32" : "bool", x.length, "any");
  out.set(x);
  return out;
}

// Int32 views of out, a and b when all three are float32 or all three int32 (what the bit select handles).
function selectViews(out: TypedArray, a: TypedArray, b: TypedArray): [Int32Array, Int32Array, Int32Array] | undefined {
  if (out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) return [bits32(out), bits32(a), bits32(b)];
  if (out instanceof Int32Array && a instanceof Int32Array && b instanceof Int32Array) return [out, a, b];
  return undefined;
}

// `where` for 4-byte branches (float32, int32) and a bool condition, the dtypes autograd's masks use.
// It selects bits with a mask, (a & m) | (b & ~m), m all ones where cond is non-zero, instead of
// `cond ? a : b`: V8 compiles that to a branch, mispredicted half the time on a mask like relu's,
// which made the loop ~5x slower. The bits are copied unchanged, as the ternary copies the value.
function whereRowBits(
  out: Int32Array, o: number, cond: Uint8Array, ic: number, dc: number,
  a: Int32Array, ia: number, da: number, b: Int32Array, ib: number, db: number, n: number,
): void {
  const end = o + n;
  if (db === 0 && dc === 1 && da === 1) {
    // A scalar second branch over contiguous cond and a, as in relu's backward `where(x > 0, g, 0)`.
    const y = b[ib]!;
    for (let i = 0; i < n; i++) {
      const c = cond[ic + i]!;
      const m = (c | -c) >> 31;
      out[o + i] = (a[ia + i]! & m) | (y & ~m);
    }
  } else if (db === 0) {
    const y = b[ib]!;
    for (; o < end; o++, ic += dc, ia += da) {
      const c = cond[ic]!;
      const m = (c | -c) >> 31;
      out[o] = (a[ia]! & m) | (y & ~m);
    }
  } else if (dc === 1 && da === 1 && db === 1) {
    // All three contiguous: plain offsets from one index, ~25% faster than three strided ones.
    for (let i = 0; i < n; i++) {
      const c = cond[ic + i]!;
      const m = (c | -c) >> 31;
      out[o + i] = (a[ia + i]! & m) | (b[ib + i]! & ~m);
    }
  } else {
    for (; o < end; o++, ic += dc, ia += da, ib += db) {
      const c = cond[ic]!;
      const m = (c | -c) >> 31;
      out[o] = (a[ia]! & m) | (b[ib]! & ~m);
    }
  }
}


// `where` on 4-byte branches (float32, int32) under a bool condition, the dtypes autograd's masks use, by its
// bit select; false where it does not apply (the generated loop then runs).
function whereBits(inputs: readonly Operand[], outShape: Shape, out: TypedArray): boolean {
  const [c, a, b] = inputs as [Operand, Operand, Operand];
  const cond = c.data;
  if (!(cond instanceof Uint8Array)) return false;
  const views = selectViews(out, a.data, b.data);
  if (views === undefined) return false;
  const size = out.length;
  const whole = (len: number) => len === size || len === 1;
  if (whole(cond.length) && whole(a.data.length) && whole(b.data.length)) {
    whereRowBits(views[0], 0, cond, 0, cond.length === 1 ? 0 : 1, views[1], 0, a.data.length === 1 ? 0 : 1, views[2], 0, b.data.length === 1 ? 0 : 1, size);
    return true;
  }
  const sc = broadcastStrides(c.shape, outShape);
  const sa = broadcastStrides(a.shape, outShape);
  const sb = broadcastStrides(b.shape, outShape);
  const last = outShape.length - 1;
  const dc = sc[last] ?? 0, da = sa[last] ?? 0, db = sb[last] ?? 0;
  let o = 0;
  forEachRow(outShape, [sc, sa, sb], (off, n) => {
    whereRowBits(views[0], o, cond, off[0]!, dc, views[1], off[1]!, da, views[2], off[2]!, db, n);
    o += n;
  });
  return true;
}
