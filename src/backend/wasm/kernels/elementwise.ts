// AssemblyScript source of the wasm backend's float32 elementwise kernels: 4 lanes at a time over padded buffers.
// Lengths are rounded up to whole vectors by the caller, which reserves the padding and ignores its results.

// Op codes: the registry's (src/ops/elementwise.ts), generated into op-codes.ts by tools/generate.ts.
import { ADD, SUB, MUL, DIV, MAXIMUM as MAX, MINIMUM as MIN, THRESHOLD_BACKWARD, NEG, ABS, SQRT, RELU } from "./op-codes";

// With `op` a literal at every call site, inlining folds the switch away and each loop holds one instruction.
// f32x4.max/min propagate NaN, as PyTorch's maximum/minimum do.
// @ts-ignore: decorator
@inline function bin(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(x, y);
    case SUB: return f32x4.sub(x, y);
    case MUL: return f32x4.mul(x, y);
    case DIV: return f32x4.div(x, y);
    case MAX: return f32x4.max(x, y);
    case MIN: return f32x4.min(x, y);
    // y <= 0 ? 0 : x, by clearing the lanes where y <= 0 (NaN compares false: the gradient passes, as in PyTorch).
    default: return v128.andnot(x, f32x4.le(y, f32x4.splat(0)));
  }
}

// mode 0: a and b both hold n elements; 1: b is one scalar; 2: a is one scalar;
// 3: b is a row of `period` elements (a multiple of 4) repeated; 4: a is;
// 5: b is a column: `count` values, each over a block of `period` elements (a multiple of 4), cycling from
// value `phase` (a channel's bias over its H·W positions); 6: a is;
// 7: b is a row of any `period` (ten classes' biases), from its element `phase`, read four values a vector; 8: a is.
// @ts-ignore: decorator
@inline function binLoop(op: i32, a: usize, b: usize, out: usize, vectors: i32, mode: i32, period: i32, count: i32, phase: i32): void {
  const end = out + (<usize>vectors << 4);
  // Broadcast modes run one inner loop per row or block, so the loop that does the work tests nothing else
  // (a test per vector for the row's end made a bias add 2.5× slower than a same-shape add).
  if (mode >= 7) {
    const row = mode == 7 ? b : a;
    let r = phase;
    for (; out < end; out += 16) {
      let v = f32x4.splat(load<f32>(row + (<usize>r << 2)));
      if (++r == period) r = 0;
      v = f32x4.replace_lane(v, 1, load<f32>(row + (<usize>r << 2)));
      if (++r == period) r = 0;
      v = f32x4.replace_lane(v, 2, load<f32>(row + (<usize>r << 2)));
      if (++r == period) r = 0;
      v = f32x4.replace_lane(v, 3, load<f32>(row + (<usize>r << 2)));
      if (++r == period) r = 0;
      if (mode == 7) {
        v128.store(out, bin(op, v128.load(a), v));
        a += 16;
      } else {
        v128.store(out, bin(op, v, v128.load(b)));
        b += 16;
      }
    }
  } else if (mode >= 5) {
    const blockBytes = <usize>period << 2;
    let q = phase;
    while (out < end) {
      const s = v128.load32_splat((mode == 5 ? b : a) + (<usize>q << 2));
      const blockEnd = min(out + blockBytes, end);
      if (mode == 5) for (; out < blockEnd; out += 16, a += 16) v128.store(out, bin(op, v128.load(a), s));
      else for (; out < blockEnd; out += 16, b += 16) v128.store(out, bin(op, s, v128.load(b)));
      if (++q == count) q = 0;
    }
  } else if (mode >= 3) {
    const rowBytes = <usize>period << 2;
    while (out < end) {
      const rowEnd = min(out + rowBytes, end);
      if (mode == 3) for (let r = b; out < rowEnd; out += 16, a += 16, r += 16) v128.store(out, bin(op, v128.load(a), v128.load(r)));
      else for (let r = a; out < rowEnd; out += 16, b += 16, r += 16) v128.store(out, bin(op, v128.load(r), v128.load(b)));
    }
  } else if (mode == 0) {
    for (; out < end; out += 16, a += 16, b += 16) v128.store(out, bin(op, v128.load(a), v128.load(b)));
  } else if (mode == 1) {
    const y = v128.load32_splat(b);
    for (; out < end; out += 16, a += 16) v128.store(out, bin(op, v128.load(a), y));
  } else {
    const x = v128.load32_splat(a);
    for (; out < end; out += 16, b += 16) v128.store(out, bin(op, x, v128.load(b)));
  }
}

/** out = a ∘ b over `vectors` groups of 4 float32 (see binLoop for `mode` and `period`). */
export function binaryF32(op: i32, a: usize, b: usize, out: usize, vectors: i32, mode: i32, period: i32, count: i32, phase: i32): void {
  switch (op) {
    case ADD: binLoop(ADD, a, b, out, vectors, mode, period, count, phase); break;
    case SUB: binLoop(SUB, a, b, out, vectors, mode, period, count, phase); break;
    case MUL: binLoop(MUL, a, b, out, vectors, mode, period, count, phase); break;
    case DIV: binLoop(DIV, a, b, out, vectors, mode, period, count, phase); break;
    case MAX: binLoop(MAX, a, b, out, vectors, mode, period, count, phase); break;
    case MIN: binLoop(MIN, a, b, out, vectors, mode, period, count, phase); break;
    case THRESHOLD_BACKWARD: binLoop(THRESHOLD_BACKWARD, a, b, out, vectors, mode, period, count, phase); break;
  }
}

// relu as x with the lanes where x <= 0 cleared: max(x, 0)'s results (NaN stays NaN, -0 becomes +0, as the
// cpu kernel gives) in two instructions, where f32x4.max's NaN and signed-zero rules take several.
// @ts-ignore: decorator
@inline function un(op: i32, x: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case SQRT: return f32x4.sqrt(x);
    default: return v128.andnot(x, f32x4.le(x, f32x4.splat(0))); // RELU
  }
}

// @ts-ignore: decorator
@inline function unLoop(op: i32, x: usize, out: usize, vectors: i32): void {
  const end = out + (<usize>vectors << 4);
  for (; out < end; out += 16, x += 16) v128.store(out, un(op, v128.load(x)));
}

/** out = op(x) over `vectors` groups of 4 float32. */
export function unaryF32(op: i32, x: usize, out: usize, vectors: i32): void {
  switch (op) {
    case NEG: unLoop(NEG, x, out, vectors); break;
    case ABS: unLoop(ABS, x, out, vectors); break;
    case SQRT: unLoop(SQRT, x, out, vectors); break;
    case RELU: unLoop(RELU, x, out, vectors); break;
  }
}

/**
 * `binaryF32` over the vectors [start, end) only, for threads that split one op. With a repeated row or
 * column (modes 3–6), `start` is a whole number of rows or blocks; a row of any length (7, 8) starts where `start` falls in it.
 */
export function binaryF32Range(op: i32, a: usize, b: usize, out: usize, mode: i32, period: i32, count: i32, start: i32, end: i32): void {
  const off = <usize>start << 4;
  const full = mode == 0 || mode == 1 || mode == 3 || mode == 5 || mode == 7; // a holds every element
  const bFull = mode == 0 || mode == 2 || mode == 4 || mode == 6 || mode == 8;
  const phase = mode >= 7 ? (start << 2) % period : mode >= 5 ? ((start << 2) / period) % count : 0;
  binaryF32(op, full ? a + off : a, bFull ? b + off : b, out + off, end - start, mode, period, count, phase);
}

/** `unaryF32` over the vectors [start, end) only. */
export function unaryF32Range(op: i32, x: usize, out: usize, start: i32, end: i32): void {
  const off = <usize>start << 4;
  unaryF32(op, x + off, out + off, end - start);
}

/** Vectors [start, end) of the 32-bit words at `out` set to `bits` (a float32's or an int32's). */
export function fill32Range(out: usize, bits: i32, start: i32, end: i32): void {
  const v = i32x4.splat(bits);
  const stop = out + (<usize>end << 4);
  for (let p = out + (<usize>start << 4); p < stop; p += 16) v128.store(p, v);
}
