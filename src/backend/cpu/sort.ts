// Sorting on the cpu backend: the permutation that sorts each slice along an axis, stable, with NaN counted as
// larger than every number (PyTorch's order: last ascending, first descending) and −0 equal to 0. Each element
// becomes an unsigned key whose order is the sort order (its bits, sign-folded), and an LSD radix sort, stable by
// construction, orders the positions in O(n) passes of 8 bits; short slices use a comparison sort instead.
import type { TypedArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";
import { splitAt } from "./strided.js";

/** Below this many elements a comparison sort is faster than the radix passes' fixed cost. */
const RADIX_MIN = 64;

// The order-preserving unsigned keys of one slice: one 32-bit word per element (float32, int32, bool) or two
// (float64: `hi` then `lo`). Descending sorts invert the keys; equal keys keep their order either way.
function fillKeys(x: TypedArray, start: number, step: number, n: number, descending: boolean, hi: Uint32Array, lo: Uint32Array | null): void {
  const flip = descending ? 0xffffffff : 0;
  if (x instanceof Float32Array || x instanceof Float64Array) {
    const wide = x instanceof Float64Array;
    const scratch = wide ? new Float64Array(1) : new Float32Array(1);
    const words = new Uint32Array(scratch.buffer);
    for (let i = 0; i < n; i++) {
      const v = x[start + i * step]!;
      let h: number, l = 0;
      if (v !== v) {
        h = 0xffffffff; // every NaN after +Infinity
        l = 0xffffffff;
      } else {
        scratch[0] = v === 0 ? 0 : v; // −0 as 0
        h = wide ? words[1]! : words[0]!;
        if (wide) l = words[0]!;
        // Sign-fold: positives above negatives, and negatives in reverse order of their magnitude.
        if (h & 0x80000000) {
          h = ~h >>> 0;
          l = ~l >>> 0;
        } else h = (h | 0x80000000) >>> 0;
      }
      hi[i] = (h ^ flip) >>> 0;
      if (lo !== null) lo[i] = (l ^ flip) >>> 0;
    }
    return;
  }
  // int32: the sign bit flipped; bool: 0 or 1.
  const bias = x instanceof Int32Array ? 0x80000000 : 0;
  for (let i = 0; i < n; i++) hi[i] = ((x[start + i * step]! ^ bias) ^ flip) >>> 0;
}

// Sorts `order` (positions 0..n−1) by the keys, least significant byte first, each pass stable.
function radixSort(n: number, hi: Uint32Array, lo: Uint32Array | null, order: Int32Array): void {
  let keysHi: Uint32Array = hi, keysLo: Uint32Array | null = lo, idx: Int32Array = order;
  let nextHi: Uint32Array = new Uint32Array(n), nextLo: Uint32Array | null = lo === null ? null : new Uint32Array(n), nextIdx: Int32Array = new Int32Array(n);
  const count = new Int32Array(256);
  const words = lo === null ? 1 : 2;
  for (let w = 0; w < words; w++) {
    for (let shift = 0; shift < 32; shift += 8) {
      const src = w === 0 && lo !== null ? keysLo! : keysHi;
      count.fill(0);
      for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & 255]!++;
      if (count[(src[0]! >>> shift) & 255] === n) continue; // every key has this byte: nothing moves
      for (let b = 0, sum = 0; b < 256; b++) {
        const c = count[b]!;
        count[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const at = count[(src[i]! >>> shift) & 255]!++;
        nextHi[at] = keysHi[i]!;
        if (keysLo !== null) nextLo![at] = keysLo[i]!;
        nextIdx[at] = idx[i]!;
      }
      [keysHi, nextHi] = [nextHi, keysHi];
      [keysLo, nextLo] = [nextLo, keysLo];
      [idx, nextIdx] = [nextIdx, idx];
    }
  }
  if (idx !== order) order.set(idx);
}

export function argsort(x: TypedArray, shape: Shape, axis: number, descending: boolean): Int32Array {
  const [outer, size, inner] = splitAt(shape, axis);
  const out = allocOut("int32", x.length, "any") as Int32Array;
  const wide = x instanceof Float64Array;
  const hi = new Uint32Array(size), lo = wide ? new Uint32Array(size) : null;
  const order = new Int32Array(size);
  // Ties broken by position: a total order, so a comparison sort gives the stable result too.
  const byKey = (i: number, j: number): number => hi[i]! - hi[j]! || (lo === null ? 0 : lo[i]! - lo[j]!) || i - j;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const start = o * size * inner + j;
      fillKeys(x, start, inner, size, descending, hi, lo);
      for (let i = 0; i < size; i++) order[i] = i;
      if (size < RADIX_MIN) order.sort(byKey);
      else radixSort(size, hi, lo, order);
      for (let i = 0; i < size; i++) out[start + i * inner] = order[i]!;
    }
  }
  return out;
}
