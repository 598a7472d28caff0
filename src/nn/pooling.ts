// Pooling layers: MaxPool2d and AvgPool2d (stride defaults to the kernel size, as PyTorch).
import type { Size2 } from "../tensor/windows.js";
import type { Tensor } from "../tensor/tensor.js";
import { avgPool2d, maxPool2d, noCeil } from "../tensor/windows.js";
import type { AvgPool2dOptions as AvgPool2dFnOptions, MaxPool2dOptions as MaxPool2dFnOptions } from "../tensor/windows.js";
import { Module } from "./module.js";

/**
 * Takes the maximum of each `kernelSize` window of `[N, C, H, W]` (or `[C, H, W]`).
 * @example new cr.nn.MaxPool2d(2).forward(cr.randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;

  constructor(kernelSize: Size2, opts: MaxPool2dFnOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    noCeil("MaxPool2d", opts.ceilMode);
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}, dilation=${JSON.stringify(this.dilation)}`;
  }
}

/**
 * Averages each `kernelSize` window of `[N, C, H, W]` (or `[C, H, W]`); the zero padding counts
 * unless `countIncludePad` is false.
 * @example new cr.nn.AvgPool2d(3, { stride: 2, padding: 1 })
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2, opts: AvgPool2dFnOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
    noCeil("AvgPool2d", opts.ceilMode);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}`;
  }
}
