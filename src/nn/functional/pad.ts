// `cr.nn.functional.pad`: PyTorch's F.pad. Constant padding concatenates blocks of the value (negative amounts
// crop); reflect, replicate and circular padding pick, along each padded dim, the input position every output
// position copies (an indexSelect), so the gradient adds each output's share back to the element it copied.
import { ArgumentError, ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { checkTensor } from "../../tensor/elementwise.js";
import { cat, narrow } from "../../tensor/movement.js";
import { fullOn, intsOn } from "../../tensor/on-backend.js";
import type { Tensor } from "../../tensor/tensor.js";

/** How `pad` fills: a constant, the mirror image without the edge (reflect), the edge repeated, or wrapping around. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** Options of `pad`. */
export interface PadOptions {
  /** Default "constant". */
  mode?: PadMode;
  /** The constant's value (constant mode only; default 0). */
  value?: number;
}

// The input position each of the n + before + after output positions copies, for one dim.
function sourcePositions(mode: Exclude<PadMode, "constant">, n: number, before: number, after: number): number[] {
  return Array.from({ length: n + before + after }, (_, o) => {
    const i = o - before;
    if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
    if (mode === "circular") return ((i % n) + n) % n;
    return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  });
}

/**
 * Pads `x`: `pad` lists amounts for the last dims, last dim first, before and after each:
 * `[left, right, top, bottom, …]`. Negative amounts crop. Non-constant modes pad the last 1–3 dims of a tensor
 * with one or two more dims (batch, channels; circular needs both), as PyTorch.
 * @example cr.nn.functional.pad(x, [1, 1, 2, 0]) // last dim +1 each side, the one before +2 at the top
 * @example cr.nn.functional.pad(x, [2, 2], { mode: "reflect" })
 */
export function pad(x: Tensor, pad: readonly number[], { mode = "constant", value }: PadOptions = {}): Tensor {
  checkTensor("pad", x);
  if (!Array.isArray(pad) || pad.some((p) => !Number.isInteger(p))) throw new ArgumentError(`pad: pad must be an array of integers, got ${String(pad)}`);
  if (pad.length % 2 !== 0) throw new ArgumentError(`pad: pad must list two amounts per dim (before, after), got ${pad.length}: ${fmt(pad)}`);
  if (pad.length / 2 > x.ndim) throw new ArgumentError(`pad: ${pad.length} amounts pad ${pad.length / 2} dims, but the input has ${x.ndim} (shape ${fmt(x.shape)})`);
  if (!["constant", "reflect", "replicate", "circular"].includes(mode)) throw new ArgumentError(`pad: mode must be "constant", "reflect", "replicate" or "circular", got ${JSON.stringify(mode)}`);
  const pairs = pad.length / 2;
  // dims[k] is the dim padded by pad[2k], pad[2k + 1]: the last dim first.
  const dims = Array.from({ length: pairs }, (_, k) => x.ndim - 1 - k);
  if (mode === "constant") {
    let out = x;
    dims.forEach((d, k) => {
      const [before, after] = [pad[2 * k]!, pad[2 * k + 1]!];
      const n = out.shape[d]!;
      if (n + before + after < 0) throw new ShapeError(`pad: padding ${before}, ${after} leaves a negative size for dim ${d} of size ${n} (shape ${fmt(x.shape)})`);
      if (before < 0 || after < 0) out = narrow(out, d, Math.max(0, -before), n + Math.min(0, before) + Math.min(0, after));
      const block = (k: number) => fullOn(out, out.shape.map((s, i) => (i === d ? k : s)), out.dtype, value ?? 0);
      const parts = [...(before > 0 ? [block(before)] : []), out, ...(after > 0 ? [block(after)] : [])];
      if (parts.length > 1) out = cat(parts, d);
    });
    return out === x ? x.clone() : out;
  }
  if (value !== undefined && value !== 0) throw new ArgumentError(`pad: mode "${mode}" takes no value (the value is for "constant")`);
  const batchDims = x.ndim - pairs;
  const allowed = mode === "circular" ? batchDims === 2 : batchDims === 1 || batchDims === 2;
  if (!allowed || x.ndim > 5) {
    throw new ShapeError(
      `pad: "${mode}" padding of ${pairs} dim${pairs > 1 ? "s" : ""} needs an input of ${mode === "circular" ? pairs + 2 : `${pairs + 1} or ${pairs + 2}`} dims ` +
        `(${mode === "circular" ? "batch and channels" : "channels, and optionally a batch"} before the padded ones), got shape ${fmt(x.shape)}`,
    );
  }
  let out = x;
  dims.forEach((d, k) => {
    let [before, after] = [pad[2 * k]!, pad[2 * k + 1]!];
    let n = out.shape[d]!;
    if (mode === "reflect" && (before >= n || after >= n)) {
      throw new ArgumentError(`pad: reflect padding must be smaller than the padded dim, got ${before}, ${after} for dim ${d} of size ${n} (shape ${fmt(x.shape)})`);
    }
    if (mode === "circular") {
      if (before > n || after > n) throw new ArgumentError(`pad: circular padding wraps around more than once: ${before}, ${after} for dim ${d} of size ${n}`);
      // Circular padding crops first, then wraps the cropped dim.
      if (before < 0 || after < 0) {
        out = narrow(out, d, Math.max(0, -before), n + Math.min(0, before) + Math.min(0, after));
        n = out.shape[d]!;
        [before, after] = [Math.max(0, before), Math.max(0, after)];
      }
    }
    if (n === 0 && before + after > 0) throw new ShapeError(`pad: cannot ${mode}-pad dim ${d}, which is empty (shape ${fmt(x.shape)})`);
    if (n + before + after < 0) throw new ShapeError(`pad: padding ${before}, ${after} leaves a negative size for dim ${d} of size ${n} (shape ${fmt(x.shape)})`);
    out = out.indexSelect(d, intsOn(out, sourcePositions(mode, n, before, after)));
  });
  return out;
}
