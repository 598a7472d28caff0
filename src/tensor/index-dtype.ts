// Index tensors of any integer dtype: chainrule's kernels read int32 positions, PyTorch's (and the files it writes)
// hold int64 ones. A narrower or int64 index is converted here; an int64 one past int32's range is refused (the
// conversion would wrap it into a wrong position).
import { DTypeError } from "../errors.js";
import type { Tensor } from "./tensor.js";

/** `index` as int32 positions, or a DTypeError naming `op` unless it holds integers. */
export function asIndexTensor(op: string, index: Tensor, what = "index"): Tensor {
  const dtype = index.dtype;
  if (dtype === "int32") return index;
  if (dtype !== "int64" && dtype !== "int16" && dtype !== "int8" && dtype !== "uint8") {
    throw new DTypeError(`${op}: ${what} must be an integer tensor (int32, int64, int16, int8 or uint8), got ${dtype}`);
  }
  if (dtype === "int64" && index.numel() > 0 && index.readsSynchronously) {
    const lo = index.min().item(), hi = index.max().item();
    if (lo < -(2 ** 31) || hi > 2 ** 31 - 1) throw new DTypeError(`${op}: ${what} ${lo < -(2 ** 31) ? lo : hi} does not fit int32, chainrule's index dtype`);
  }
  return index.to("int32");
}

/** Whether `t` is an integer tensor (`asIndexTensor` takes it). */
export function isIndexTensor(t: Tensor): boolean {
  return (t.dtype === "int32" || t.dtype === "int64" || t.dtype === "int16" || t.dtype === "int8" || t.dtype === "uint8");
}
