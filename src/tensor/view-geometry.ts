// Views as PyTorch defines them (narrow, select, slice, basic indexing, transpose/permute, expand, diagonal,
// Tensor.unfold, split/chunk, …) over chainrule's contiguous storage. A view keeps a buffer of its own (a copy,
// what every kernel reads), plus where its elements live in its root's buffer: a strided geometry, as PyTorch's
// sizes/strides/offset. The root's buffer is the truth: a view whose shared version counter moved since its buffer
// was filled refills it from the root (lazily, on the next read), and an in-place op on a view scatters its new
// value back into the root (tensor/inplace.ts). This is functionalization's design (copies and scatters) rather
// than strided storage in every kernel; CONTRIBUTING.md ("Views") has the measurements behind the choice.
import { isGradEnabled } from "../autograd/grad-mode.js";
import { sizeOf, stridesOf } from "../shape.js";
import type { Tensor } from "./tensor.js";

/** Where a view's elements are in its root's (contiguous) buffer: element i is at `offset + Σ i[d]·strides[d]`. */
export interface ViewGeometry {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * @internal A view's link to the memory it is a view of. `multi`: an output of split/chunk/unbind; `noGrad`: made
 * while gradients were not recorded (PyTorch then refuses in-place changes to it that would be recorded).
 */
export interface ViewLink {
  readonly root: Tensor;
  readonly geometry: ViewGeometry;
  multi: boolean;
  noGrad: boolean;
}

/** The tensor whose buffer is the truth for `x`'s elements (x itself when it owns its memory). */
export function rootOf(x: Tensor): Tensor {
  return x._viewOf?.root ?? x._viewBase ?? x;
}

/** `x`'s elements as a strided geometry over its root's buffer. */
export function geometryOf(x: Tensor): ViewGeometry {
  return x._viewOf?.geometry ?? { shape: x.shape, strides: stridesOf(x.shape), offset: 0 };
}

/** Makes `out` (a fresh result of a view op on `x`, holding a copy of the elements) a view of `x`'s root. */
export function adoptView(out: Tensor, x: Tensor, geometry: ViewGeometry | null): Tensor {
  if (geometry === null || x._disposed) return out;
  const root = rootOf(x);
  out._version = root._version;
  out._viewBase = x._viewBase ?? x;
  out._historyVersion = out._version.value;
  out._viewOf = { root, geometry, multi: false, noGrad: !isGradEnabled() };
  out._dataVersion = out._version.value;
  return out;
}

/** The geometry of `permute(x, perm)`. */
export function permutedGeometry(x: Tensor, perm: readonly number[]): ViewGeometry {
  const g = geometryOf(x);
  return { shape: perm.map((p) => g.shape[p]!), strides: perm.map((p) => g.strides[p]!), offset: g.offset };
}

/** The geometry of `expand(x, shape)`: new leading dims and broadcast dims of size 1 get stride 0. */
export function expandedGeometry(x: Tensor, shape: readonly number[]): ViewGeometry {
  const g = geometryOf(x);
  const lead = shape.length - g.shape.length;
  const strides = shape.map((n, i) => (i < lead || (g.shape[i - lead] === 1 && n !== 1) ? 0 : g.strides[i - lead]!));
  return { shape, strides, offset: g.offset };
}

/** The geometry of the slice primitive: `starts` and `steps` per dim. */
export function slicedGeometry(x: Tensor, starts: readonly number[], steps: readonly number[], outShape: readonly number[]): ViewGeometry {
  const g = geometryOf(x);
  const offset = g.offset + starts.reduce((o, s, d) => o + s * g.strides[d]!, 0);
  return { shape: outShape, strides: g.strides.map((s, d) => s * steps[d]!), offset };
}

/**
 * The geometry of `reshape(x, shape)` when the elements can be viewed in that shape without moving them (PyTorch's
 * computeStride: each group of merged or split dims must be contiguous within itself); null where reshape must copy.
 */
export function reshapedGeometry(x: Tensor, shape: readonly number[]): ViewGeometry | null {
  const g = geometryOf(x);
  if (x._viewOf === null || sizeOf(shape) === 0) return { shape, strides: stridesOf(shape), offset: g.offset };
  const oldShape = g.shape, oldStrides = g.strides;
  if (oldShape.length === 0) return { shape, strides: shape.map(() => 1), offset: g.offset };
  const strides = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        strides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? { shape, strides, offset: g.offset } : null;
}

/**
 * The geometry of `asStrided(x, shape, strides, offset)` (strides counted in `x`'s own row-major layout) over x's
 * root; null where it is no view PyTorch would make (negative strides: flip copies) or where the walk would leave
 * x's rows (it then is a copy, never a wrong view).
 */
export function stridedGeometry(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): ViewGeometry | null {
  if (strides.some((s, d) => s < 0 && shape[d]! > 1)) return null;
  const g = geometryOf(x);
  if (x._viewOf === null || sizeOf(shape) === 0) return { shape, strides, offset: g.offset + offset };
  // Spell the offset and each stride as steps along x's dims; the view is exact when no walk carries into
  // another dim (every coordinate stays below its size).
  const inShape = x.shape, own = stridesOf(inShape);
  const digits = (n: number): number[] | null => {
    const out = inShape.map(() => 0);
    let rest = n;
    inShape.forEach((size, k) => {
      if (size <= 1) return;
      out[k] = Math.floor(rest / own[k]!);
      rest -= out[k]! * own[k]!;
    });
    return rest === 0 ? out : null;
  };
  const start = digits(offset);
  if (start === null) return null;
  const reach = [...start];
  const rootStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d]! <= 1) {
      rootStrides.push(0);
      continue;
    }
    const step = digits(strides[d]!);
    if (step === null) return null;
    step.forEach((c, k) => (reach[k]! += c * (shape[d]! - 1)));
    rootStrides.push(step.reduce((s, c, k) => s + c * g.strides[k]!, 0));
  }
  if (reach.some((r, k) => r >= inShape[k]!)) return null;
  return { shape, strides: rootStrides, offset: g.offset + start.reduce((s, c, k) => s + c * g.strides[k]!, 0) };
}

/** Whether two elements of the view are one element of memory (a broadcast dim): writing through it is refused. */
export function overlaps(g: ViewGeometry): boolean {
  return g.shape.some((n, d) => n > 1 && g.strides[d] === 0);
}
