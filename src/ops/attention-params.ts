// The fused attention kernels' parameters and the geometry every backend derives from its operands the same way:
// q [...batch, L, E], k [...batch, S, E], v [...batch, S, Ev] (one batch shape, contiguous), and an optional
// additive bias of any shape that broadcasts to the scores [...batch, L, S] (never materialised to that shape).
import type { Shape } from "../shape.js";

/** What the fused attention methods take besides their tensors. */
export interface AttentionParams {
  /** Multiplies q·kᵀ before the bias is added. */
  readonly scale: number;
  /** Query i sees keys 0..i only (PyTorch's top-left aligned causal mask). */
  readonly causal: boolean;
}

/** The sizes of one attention problem, from the shapes of q, k and v. */
export interface AttentionDims {
  /** Batch elements (the product of the leading dims). */
  readonly n: number;
  readonly l: number;
  readonly s: number;
  readonly e: number;
  readonly ev: number;
}

export function attentionDims(q: Shape, k: Shape, v: Shape): AttentionDims {
  const l = q[q.length - 2]!, e = q[q.length - 1]!, s = k[k.length - 2]!, ev = v[v.length - 1]!;
  const n = q.slice(0, -2).reduce((a, b) => a * b, 1);
  return { n, l, s, e, ev };
}

/** Elements of the forward's packed result: the output [...batch, L, Ev], then the row logsumexps [...batch, L]. */
export const attentionSavedSize = (d: AttentionDims): number => d.n * d.l * (d.ev + 1);

/** Elements of the backward's packed result: dq, dk and dv one after the other, each in its operand's shape. */
export const attentionGradSize = (d: AttentionDims): number => d.n * (d.l * d.e + d.s * d.e + d.s * d.ev);

/**
 * Where the bias of `biasShape` is read for the scores `[...batch, L, S]`: for each batch element its offset,
 * and the strides along L and S (0 along a broadcast dim).
 */
export interface BiasLayout {
  readonly offsets: Int32Array;
  readonly rowStride: number;
  readonly colStride: number;
}

/** The bias's strides read as the scores `[...batch, L, S]`: right-aligned as broadcasting, 0 along broadcast dims. */
export function biasStrides(biasShape: Shape, scores: Shape): number[] {
  const nd = scores.length;
  const strides = new Array<number>(nd).fill(0);
  let step = 1;
  for (let d = biasShape.length - 1; d >= 0; d--) {
    const at = nd - biasShape.length + d;
    if (biasShape[d] !== 1 && at >= 0) strides[at] = step;
    step *= biasShape[d]!;
  }
  return strides;
}

export function biasLayout(biasShape: Shape, batch: Shape, l: number, s: number): BiasLayout {
  const nd = batch.length + 2;
  const strides = biasStrides(biasShape, [...batch, l, s]);
  const n = batch.reduce((a, b) => a * b, 1);
  const offsets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let rest = i, off = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      off += (rest % batch[d]!) * strides[d]!;
      rest = Math.floor(rest / batch[d]!);
    }
    offsets[i] = off;
  }
  return { offsets, rowStride: strides[nd - 2]!, colStride: strides[nd - 1]! };
}
