// Fold and Unfold: PyTorch's layers around im2col and col2im (tensor/windows.ts).
import { fold, unfold } from "../tensor/windows.js";
import type { Size2, WindowOptions } from "../tensor/windows.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/**
 * Extracts sliding windows: `[N, C, H, W]` → `[N, C·kh·kw, L]` (or unbatched `[C, H, W]` → `[C·kh·kw, L]`).
 * @example new cr.nn.Unfold(3, { padding: 1 }).forward(cr.randn([1, 2, 5, 5])).shape // [1, 18, 25]
 */
export class Unfold extends Module {
  constructor(
    /** The window's size, one number or [height, width]. */
    readonly kernelSize: Size2,
    /** Stride, padding and dilation, as `cr.unfold` takes them (PyTorch's keyword arguments). */
    readonly opts: WindowOptions = {},
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Unfold(2).forward(cr.zeros([1, 1, 3, 3])).shape // [1, 4, 4] */
  forward(x: Tensor): Tensor {
    return unfold(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, dilation=${JSON.stringify(this.opts.dilation ?? 1)}, padding=${JSON.stringify(this.opts.padding ?? 0)}, stride=${JSON.stringify(this.opts.stride ?? 1)}`;
  }
}

/**
 * Sums sliding windows back into an image: `[N, C·kh·kw, L]` → `[N, C, H, W]` of `outputSize` (or unbatched).
 * @example new cr.nn.Fold([4, 5], 2).forward(cr.randn([1, 12, 12])).shape // [1, 3, 4, 5]
 */
export class Fold extends Module {
  constructor(
    /** The size [height, width] the columns are summed back into. */
    readonly outputSize: readonly [number, number],
    /** The window's size, one number or [height, width]. */
    readonly kernelSize: Size2,
    /** Stride, padding and dilation of the windows, as `cr.fold` takes them. */
    readonly opts: WindowOptions = {},
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Fold([3, 3], 2).forward(cr.ones([1, 4, 4])) // [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]] */
  forward(x: Tensor): Tensor {
    return fold(x, this.outputSize, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}, kernelSize=${JSON.stringify(this.kernelSize)}, dilation=${JSON.stringify(this.opts.dilation ?? 1)}, padding=${JSON.stringify(this.opts.padding ?? 0)}, stride=${JSON.stringify(this.opts.stride ?? 1)}`;
  }
}
