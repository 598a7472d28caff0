// Index arithmetic shared by the cpu kernels: walking a shape with per-operand strides.
import type { Shape } from "../../shape.js";

/**
 * Calls `row(offsets, n)` once per innermost row of `shape`, where `offsets[j]` is operand j's
 * offset at the row's first element; the caller then steps operand j by `strides[j][last]`.
 * Walking rows rather than elements keeps the per-element work to the caller's tight loop.
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  row: (offsets: number[], n: number) => void,
): void {
  const ndim = shape.length;
  const nOps = strides.length;
  const offsets = new Array<number>(nOps).fill(0);
  if (ndim === 0) {
    row(offsets, 1);
    return;
  }
  for (const d of shape) if (d === 0) return;
  const n = shape[ndim - 1]!;
  const counter = new Array<number>(ndim).fill(0);
  while (true) {
    row(offsets, n);
    // Advance the multi-index over all dims but the last, updating each operand's offset.
    let d = ndim - 2;
    for (; d >= 0; d--) {
      counter[d]!++;
      for (let j = 0; j < nOps; j++) offsets[j]! += strides[j]![d]!;
      if (counter[d]! < shape[d]!) break;
      for (let j = 0; j < nOps; j++) offsets[j]! -= strides[j]![d]! * shape[d]!;
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

/** Splits `shape` around `axis` into [outer, size, inner] element counts. */
export function splitAt(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}
