// The composites of the backend core for the order-dependent accelerated methods: running reductions
// (cumulative, cumulativeIndex) as a Hillis–Steele scan, log₂ n passes of a shifted copy and one elementwise
// combine; sorting (argsort) as a bitonic network of strided reads and elementwise compare-and-swaps, O(n log² n)
// work in O(log² n) passes, the way a GPU sorts; and scatterReduce from the core's scatterAdd (sum, mean) or,
// for the others, a sort of the targets and a segmented scan. None reads data back to the host.
import type { ComputeDType as DType } from "../dtype.js";
import { Expr, select } from "../ops/expr.js";
import type { ScanOp, ScatterOp } from "../ops/params.js";
import { makeProgram, opProgram } from "../ops/program.js";
import type { Program } from "../ops/program.js";
import { sizeOf, stridesOf } from "../shape.js";
import type { Shape } from "../shape.js";
import type { BackendCore, CompleteBackend, DataBuf, TensorData } from "./backend.js";

const data = (buf: DataBuf, shape: Shape, dtype: DType): TensorData => ({ buf, shape, dtype });
const not = (e: Expr) => Expr.call("logicalNot", e);
const isnan = (e: Expr) => Expr.call("isnan", e);

type Temp = (buf: DataBuf) => DataBuf;
function withTemps<T>(b: BackendCore, fn: (temp: Temp) => T): T {
  const temps: DataBuf[] = [];
  try {
    return fn((buf) => (temps.push(buf), buf));
  } finally {
    for (const t of temps) b.release?.(t);
  }
}

/** The lowest and highest values of a dtype: what never wins a maximum (minimum). */
function lowest(dtype: DType): number {
  return dtype === "int32" ? -2147483648 : dtype === "bool" ? 0 : -Infinity;
}
function highest(dtype: DType): number {
  return dtype === "int32" ? 2147483647 : dtype === "bool" ? 1 : Infinity;
}

// ---- moving the scanned axis last, and back ----

// x [outer, n, inner] as contiguous rows [outer·inner, n], the axis last.
function toRows(b: CompleteBackend, x: TensorData, axis: number): { rows: DataBuf; outer: number; n: number; inner: number } {
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= x.shape[d]!;
  for (let d = axis + 1; d < x.shape.length; d++) inner *= x.shape[d]!;
  const n = x.shape[axis]!;
  return { rows: b.strided(x, { offset: 0, strides: [n * inner, 1, inner] }, [outer, inner, n]), outer, n, inner };
}

// Rows [outer·inner, n] back to [outer, n, inner], as `shape`.
function fromRows(b: CompleteBackend, rows: DataBuf, dtype: DType, outer: number, n: number, inner: number): DataBuf {
  return b.strided(data(rows, [outer * inner, n], dtype), { offset: 0, strides: [inner * n, 1, n] }, [outer, n, inner]);
}

// rows [r, n] moved `s` places along each row (right for s > 0, left for s < 0), the vacated places `fill`.
function shifted(b: CompleteBackend, rows: DataBuf, dtype: DType, r: number, n: number, s: number, fill: number, temp: Temp): DataBuf {
  const out = b.full(r * n, fill, dtype);
  const k = Math.abs(s);
  if (k >= n) return out;
  const part = temp(b.strided(data(rows, [r, n], dtype), { offset: s > 0 ? 0 : k, strides: [n, 1] }, [r, n - k]));
  b.scatterStrided(out, data(part, [r, n - k], dtype), { offset: s > 0 ? k : 0, strides: [n, 1] }, false);
  return out;
}

// ---- cumulative and cumulativeIndex ----

// earlier ⊕ later, for each running reduction; `log1p(exp(lo − hi)) + hi` as PyTorch's logcumsumexp, NaN
// propagating, equal infinities kept.
const SCAN_COMBINE: Readonly<Record<ScanOp, Program>> = {
  sum: makeProgram("cumulative", 2, (a, b) => a!.add(b!)),
  prod: makeProgram("cumulative", 2, (a, b) => a!.mul(b!)),
  logsumexp: makeProgram("cumulative", 2, (a, b) => {
    const lo = Expr.call("minimum", a!, b!), hi = Expr.call("maximum", a!, b!);
    return select(lo.ne(hi).or(Expr.call("isfinite", lo)), Expr.call("log1p", lo.sub(hi).exp()).add(hi), a!);
  }),
};
const SCAN_IDENTITY: Readonly<Record<ScanOp, number>> = { sum: 0, prod: 1, logsumexp: -Infinity };

export function cumulativeFallback(b: CompleteBackend, op: ScanOp, x: TensorData, axis: number): DataBuf {
  return withTemps(b, (temp) => {
    const { rows, outer, n, inner } = toRows(b, x, axis);
    const r = outer * inner;
    let y = temp(rows);
    for (let s = 1; s < n; s *= 2) {
      const earlier = temp(shifted(b, y, x.dtype, r, n, s, SCAN_IDENTITY[op], temp));
      y = temp(b.elementwise(SCAN_COMBINE[op], [data(earlier, [r, n], x.dtype), data(y, [r, n], x.dtype)], [r, n], x.dtype));
    }
    return fromRows(b, y, x.dtype, outer, n, inner);
  });
}

// Whether the later of two (value, index) pairs holds the running extreme: it does unless the earlier one is real
// (index ≥ 0) and wins: a NaN, or strictly beyond the later.
const takesLater = (cmp: "ge" | "le") => makeProgram("cumulativeIndex", 4, (ve, ie, vl) =>
  ie!.lt(0).or(isnan(vl!)).or(not(isnan(ve!)).and(Expr.call(cmp, vl!, ve!))));
const TAKES_LATER = { max: takesLater("ge"), min: takesLater("le") } as const;
const pick = makeProgram("cumulativeIndex", 3, (later, l, e) => select(later!, l!, e!));

export function cumulativeIndexFallback(b: CompleteBackend, op: "max" | "min", x: TensorData, axis: number): DataBuf {
  return withTemps(b, (temp) => {
    const { rows, outer, n, inner } = toRows(b, x, axis);
    const r = outer * inner, shape = [r, n];
    let v = temp(rows);
    let i = temp(b.strided(data(temp(b.fromArray(Int32Array.from({ length: n }, (_, k) => k))), [n], "int32"), { offset: 0, strides: [0, 1] }, shape));
    for (let s = 1; s < n; s *= 2) {
      const ve = data(temp(shifted(b, v, x.dtype, r, n, s, 0, temp)), shape, x.dtype);
      const ie = data(temp(shifted(b, i, "int32", r, n, s, -1, temp)), shape, "int32");
      const vl = data(v, shape, x.dtype), il = data(i, shape, "int32");
      const later = data(temp(b.elementwise(TAKES_LATER[op], [ve, ie, vl, il], shape, "bool")), shape, "bool");
      v = temp(b.elementwise(pick, [later, vl, ve], shape, x.dtype));
      i = temp(b.elementwise(pick, [later, il, ie], shape, "int32"));
    }
    return fromRows(b, i, "int32", outer, n, inner);
  });
}

// ---- argsort: a bitonic network ----

// Whether element a comes before element b in the sorted order: a total order over (value, index), NaN largest,
// ties by index (so the sort is stable), and the padding (index ≥ n) after everything.
function beforeExpr(va: Expr, ia: Expr, vb: Expr, ib: Expr, n: Expr, descending: boolean): Expr {
  const padA = ia.ge(n), padB = ib.ge(n);
  const nanA = isnan(va), nanB = isnan(vb);
  const strictly = descending ? va.gt(vb).or(nanA.and(not(nanB))) : va.lt(vb).or(not(nanA).and(nanB));
  const tie = va.eq(vb).or(nanA.and(nanB));
  return not(padA).and(padB.or(strictly).or(tie.and(ia.lt(ib))));
}
// Whether a pair (lo, hi) of a pass swaps: out of order for its block's direction.
const swapProgram = (descending: boolean) => makeProgram("argsort", 6, (vlo, ilo, vhi, ihi, n, down) =>
  select(down!, beforeExpr(vlo!, ilo!, vhi!, ihi!, n!, descending), beforeExpr(vhi!, ihi!, vlo!, ilo!, n!, descending)));
const SWAP = { up: swapProgram(false), down: swapProgram(true) } as const;
// A pass's new array [r, blocks, 2, j] from its pairs: the lo slot (h = 0) takes hi where they swap, the hi slot lo.
const exchange = makeProgram("argsort", 4, (swap, h, lo, hi) => select(swap!.ne(h!), hi!, lo!));

export function argsortFallback(b: CompleteBackend, x: TensorData, axis: number, descending: boolean): DataBuf {
  return withTemps(b, (temp) => {
    const { rows, outer, n, inner } = toRows(b, x, axis);
    const r = outer * inner;
    let size = 1;
    while (size < n) size *= 2;
    let v = temp(b.full(r * size, 0, x.dtype));
    if (r * n > 0) b.scatterStrided(v, data(temp(rows), [r, n], x.dtype), { offset: 0, strides: [size, 1] }, false);
    else temp(rows);
    let i = temp(b.strided(data(temp(b.fromArray(Int32Array.from({ length: size }, (_, k) => k))), [size], "int32"), { offset: 0, strides: [0, 1] }, [r, size]));
    const count = data(temp(b.full(1, n, "int32")), [], "int32");
    const slot = data(temp(b.fromArray(Uint8Array.of(0, 1))), [1, 1, 2, 1], "bool");
    for (let k = 2; k <= size; k *= 2) {
      for (let j = k / 2; j >= 1; j /= 2) {
        const blocks = size / (2 * j);
        // Block q holds positions q·2j …; it sorts downward where bit k of its positions is set.
        const down = data(temp(b.fromArray(Uint8Array.from({ length: blocks }, (_, q) => Number(((q * 2 * j) & k) !== 0)))), [1, blocks, 1, 1], "bool");
        const half = [r, blocks, 1, j];
        const read = (buf: DataBuf, dtype: DType, offset: number) =>
          data(temp(b.strided(data(buf, [r, size], dtype), { offset, strides: [size, 2 * j, 0, 1] }, half)), half, dtype);
        const vlo = read(v, x.dtype, 0), vhi = read(v, x.dtype, j), ilo = read(i, "int32", 0), ihi = read(i, "int32", j);
        const swap = data(temp(b.elementwise(SWAP[descending ? "down" : "up"], [vlo, ilo, vhi, ihi, count, down], half, "bool")), half, "bool");
        const whole = [r, blocks, 2, j];
        v = temp(b.elementwise(exchange, [swap, slot, vlo, vhi], whole, x.dtype));
        i = temp(b.elementwise(exchange, [swap, slot, ilo, ihi], whole, "int32"));
      }
    }
    const firstN = temp(b.strided(data(i, [r, size], "int32"), { offset: 0, strides: [size, 1] }, [r, n]));
    return fromRows(b, firstN, "int32", outer, n, inner);
  });
}

// ---- scatterReduce ----

const isPositive = makeProgram("scatterReduce", 1, (c) => c!.gt(0));
const SCATTER_COMBINE = {
  sum: makeProgram("scatterReduce", 2, (a, b) => a!.add(b!)),
  prod: makeProgram("scatterReduce", 2, (a, b) => a!.mul(b!)),
  amax: makeProgram("scatterReduce", 2, (a, b) => Expr.call("maximum", a!, b!)),
  amin: makeProgram("scatterReduce", 2, (a, b) => Expr.call("minimum", a!, b!)),
  assign: makeProgram("scatterReduce", 2, (_a, b) => b!),
} as const;
// A segmented scan's step: (flag, value) pairs, the later one's value kept where it starts a segment.
const segmentValue = (op: keyof typeof SCATTER_COMBINE) => makeProgram("scatterReduce", 3, (ve, vl, fl) =>
  select(fl!, vl!, op === "assign" ? vl! : Expr.call(op === "amax" ? "maximum" : op === "amin" ? "minimum" : "mul", ve!, vl!)));
// What a segmented scan's vacated places hold: the op's identity, so combining with them changes nothing.
const segmentIdentity = (op: "prod" | "amax" | "amin" | "assign", dtype: DType) => (op === "prod" ? 1 : op === "amax" ? lowest(dtype) : op === "amin" ? highest(dtype) : 0);
const SEGMENT_VALUE = { prod: segmentValue("prod"), amax: segmentValue("amax"), amin: segmentValue("amin"), assign: segmentValue("assign") } as const;
const orFlags = makeProgram("scatterReduce", 2, (a, b) => a!.or(b!));
const where = opProgram("where");
const notEqual = makeProgram("scatterReduce", 2, (a, b) => a!.ne(b!));
const flatTarget = makeProgram("scatterReduce", 3, (offset, index, stride) => offset!.add(index!.mul(stride!)));
// (base + Σ) / (count + 1), or Σ / count where the base is left out and something arrived; int32 rounds down.
const meanOf = (includeSelf: boolean, int: boolean) => makeProgram("scatterReduce", 3, (base, total, count) => {
  const num = includeSelf ? base!.add(total!) : total!;
  const den = includeSelf ? count!.add(1) : count!;
  let q = num.div(den);
  if (int) q = q.sub(select(num.sub(q.mul(den)).lt(0), 1, 0)); // int32 division truncates; floor it
  return includeSelf ? q : select(count!.gt(0), q, base!);
});

export function scatterReduceFallback(b: CompleteBackend, base: TensorData, dim: number, index: TensorData, src: TensorData, op: ScatterOp, includeSelf: boolean): DataBuf {
  return withTemps(b, (temp) => {
    // An index out of range throws the core's IndexError before anything is written.
    temp(b.gather(base, dim, index));
    const dt = base.dtype;
    const size = sizeOf(base.shape), k = sizeOf(index.shape);
    const flat = [size];
    const baseFlat = data(base.buf, flat, dt);
    // Every index element as a position in the flattened base, and src's element at its coordinates.
    const strides = stridesOf(base.shape), idxStrides = stridesOf(index.shape);
    const offsets = new Int32Array(k);
    for (let p = 0; p < k; p++) {
      let o = 0;
      for (let d = 0; d < index.shape.length; d++) if (d !== dim) o += (Math.floor(p / idxStrides[d]!) % index.shape[d]!) * strides[d]!;
      offsets[p] = o;
    }
    const stride = data(temp(b.full(1, strides[dim] ?? 1, "int32")), [], "int32");
    const target = data(temp(b.elementwise(flatTarget, [data(temp(b.fromArray(offsets)), [k], "int32"), data(index.buf, [k], "int32"), stride], [k], "int32")), [k], "int32");
    const values = data(temp(b.strided(src, { offset: 0, strides: stridesOf(src.shape) }, index.shape)), [k], dt);
    const ones = data(temp(b.full(k, 1, "int32")), [k], "int32");
    const count = data(temp(b.scatterAdd(data(temp(b.full(size, 0, "int32")), flat, "int32"), 0, target, ones)), flat, "int32");
    const touched = data(temp(b.elementwise(isPositive, [count], flat, "bool")), flat, "bool");
    if (op === "sum" || op === "mean") {
      const zeros = data(temp(b.full(size, 0, dt)), flat, dt);
      const total = data(temp(b.scatterAdd(zeros, 0, target, values)), flat, dt);
      if (op === "mean") return b.elementwise(meanOf(includeSelf, dt === "int32"), [baseFlat, total, count], flat, dt);
      if (includeSelf) return b.elementwise(SCATTER_COMBINE.sum, [baseFlat, total], flat, dt);
      return b.elementwise(where, [touched, total, baseFlat], flat, dt);
    }
    // The values sorted by target (stably: a target's values keep their order), then each run reduced by a
    // segmented scan; the last of a run holds its result.
    const order = data(temp(b.argsort(target, 0, false)), [k], "int32");
    const t = temp(b.gather(target, 0, order));
    let v = temp(b.gather(values, 0, order));
    const prev = data(temp(shifted(b, t, "int32", 1, k, 1, -1, temp)), [k], "int32");
    let f = temp(b.elementwise(notEqual, [data(t, [k], "int32"), prev], [k], "bool"));
    for (let s = 1; s < k; s *= 2) {
      const ve = data(temp(shifted(b, v, dt, 1, k, s, segmentIdentity(op, dt), temp)), [k], dt);
      const fe = data(temp(shifted(b, f, "bool", 1, k, s, 0, temp)), [k], "bool");
      const fl = data(f, [k], "bool");
      v = temp(b.elementwise(SEGMENT_VALUE[op], [ve, data(v, [k], dt), fl], [k], dt));
      f = temp(b.elementwise(orFlags, [fe, fl], [k], "bool"));
    }
    const next = data(temp(shifted(b, t, "int32", 1, k, -1, -1, temp)), [k], "int32");
    const last = data(temp(b.elementwise(notEqual, [data(t, [k], "int32"), next], [k], "bool")), [k], "bool");
    const zero = data(temp(b.full(1, 0, dt)), [], dt);
    const winners = data(temp(b.elementwise(where, [last, data(v, [k], dt), zero], [k], dt)), [k], dt);
    const reduced = data(temp(b.scatterAdd(data(temp(b.full(size, 0, dt)), flat, dt), 0, data(t, [k], "int32"), winners)), flat, dt);
    const combined = includeSelf && op !== "assign" ? data(temp(b.elementwise(SCATTER_COMBINE[op], [baseFlat, reduced], flat, dt)), flat, dt) : reduced;
    return b.elementwise(where, [touched, combined, baseFlat], flat, dt);
  });
}
