// Pooling layers in 1-D, 2-D and 3-D: max and average pooling (stride defaults to the kernel size, as PyTorch),
// adaptive pooling, and maxUnpool. A max pooling built with `returnIndices: true` returns [values, indices].
import { maxPool2dWithIndices, avgPool2d } from "../tensor/windows.js";
import { adaptiveAvgPoolNd, adaptiveMaxPoolNd, avgPoolNd, maxPoolNd } from "../tensor/pool.js";
import type { AvgPoolOptions, MaxPoolOptions } from "../tensor/pool.js";
import { maxUnpool1d, maxUnpool2d, maxUnpool3d } from "../tensor/pooling-fns.js";
import type { AdaptiveSize } from "../tensor/pooling-fns.js";
import type { Tensor } from "../tensor/tensor.js";
import type { SizeN } from "../tensor/window-spec.js";
import { Module } from "./module.js";

/** Options of the max pooling layers, as PyTorch's keyword arguments. */
export interface MaxPoolModuleOptions<R extends boolean = boolean> extends MaxPoolOptions {
  /** Return each window's winner as well, as `[values, indices]` (default false). */
  returnIndices?: R;
}

/** What a max pooling layer returns: the pooled values, or `[values, indices]` when built with `returnIndices: true`. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

const json = (v: unknown) => JSON.stringify(v);

abstract class MaxPoolNd<R extends boolean> extends Module<[Tensor], PoolResult<R>> {
  readonly kernelSize: SizeN;
  readonly stride: SizeN;
  readonly padding: SizeN;
  readonly dilation: SizeN;
  readonly ceilMode: boolean;
  readonly returnIndices: R;

  constructor(readonly dims: number, kernelSize: SizeN, opts: MaxPoolModuleOptions<R>) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.ceilMode = opts.ceilMode ?? false;
    this.returnIndices = (opts.returnIndices ?? false) as R;
  }

  forward(x: Tensor): PoolResult<R> {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    // 2-D through maxPool2d's own checks and kernels (the N-d form computes the same).
    const both = this.dims === 2 ? maxPool2dWithIndices(x, this.kernelSize as number, opts as { stride: number }) : maxPoolNd(`maxPool${this.dims}d`, this.dims, x, this.kernelSize, opts);
    return (this.returnIndices ? both : both[0]) as PoolResult<R>;
  }

  override extraRepr(): string {
    return `kernelSize=${json(this.kernelSize)}, stride=${json(this.stride)}, padding=${json(this.padding)}, dilation=${json(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/** Takes the maximum of each `kernelSize` window of `[N, C, L]` (or `[C, L]`). @example new cr.nn.MaxPool1d(2).forward(cr.randn([1, 3, 8])).shape // [1, 3, 4] */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: SizeN, opts: MaxPoolModuleOptions<R> = {}) {
    super(1, kernelSize, opts);
  }
}

/**
 * Takes the maximum of each `kernelSize` window of `[N, C, H, W]` (or `[C, H, W]`).
 * @example new cr.nn.MaxPool2d(2).forward(cr.randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: SizeN, opts: MaxPoolModuleOptions<R> = {}) {
    super(2, kernelSize, opts);
  }
}

/** Takes the maximum of each `kernelSize` window of `[N, C, D, H, W]`. @example new cr.nn.MaxPool3d(2, { returnIndices: true }) */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: SizeN, opts: MaxPoolModuleOptions<R> = {}) {
    super(3, kernelSize, opts);
  }
}

abstract class AvgPoolNd extends Module {
  readonly kernelSize: SizeN;
  readonly stride: SizeN;
  readonly padding: SizeN;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly dims: number, kernelSize: SizeN, opts: AvgPoolOptions) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  forward(x: Tensor): Tensor {
    const opts = { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride };
    return this.dims === 2 ? avgPool2d(x, this.kernelSize as number, opts as { stride: number }) : avgPoolNd(`avgPool${this.dims}d`, this.dims, x, this.kernelSize, opts);
  }

  override extraRepr(): string {
    return `kernelSize=${json(this.kernelSize)}, stride=${json(this.stride)}, padding=${json(this.padding)}`;
  }
}

/** Averages each `kernelSize` window of `[N, C, L]` (or `[C, L]`). @example new cr.nn.AvgPool1d(3, { stride: 2 }) */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: SizeN, opts: Omit<AvgPoolOptions, "divisorOverride"> = {}) {
    super(1, kernelSize, opts);
  }
}

/**
 * Averages each `kernelSize` window of `[N, C, H, W]` (or `[C, H, W]`); the zero padding counts
 * unless `countIncludePad` is false.
 * @example new cr.nn.AvgPool2d(3, { stride: 2, padding: 1 })
 */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: SizeN, opts: AvgPoolOptions = {}) {
    super(2, kernelSize, opts);
  }
}

/** Averages each `kernelSize` window of `[N, C, D, H, W]`. @example new cr.nn.AvgPool3d(2, { ceilMode: true }) */
export class AvgPool3d extends AvgPoolNd {
  constructor(kernelSize: SizeN, opts: AvgPoolOptions = {}) {
    super(3, kernelSize, opts);
  }
}

abstract class AdaptiveAvgPoolNd extends Module {
  constructor(readonly dims: number, readonly outputSize: AdaptiveSize) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPoolNd(`adaptiveAvgPool${this.dims}d`, this.dims, x, this.outputSize);
  }
  override extraRepr(): string {
    return `outputSize=${json(this.outputSize)}`;
  }
}

/** Averages `[N, C, L]` over `outputSize` bins. @example new cr.nn.AdaptiveAvgPool1d(8) */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  constructor(outputSize: AdaptiveSize) {
    super(1, outputSize);
  }
}

/**
 * Averages `[N, C, H, W]` over a grid of `outputSize` bins, whatever the input's size.
 * @example new cr.nn.AdaptiveAvgPool2d(1).forward(cr.randn([2, 64, 7, 7])).shape // [2, 64, 1, 1]
 */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  constructor(outputSize: AdaptiveSize) {
    super(2, outputSize);
  }
}

/** Averages `[N, C, D, H, W]` over a grid of `outputSize` bins. @example new cr.nn.AdaptiveAvgPool3d([1, 2, 2]) */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  constructor(outputSize: AdaptiveSize) {
    super(3, outputSize);
  }
}

abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module<[Tensor], PoolResult<R>> {
  readonly returnIndices: R;
  constructor(readonly dims: number, readonly outputSize: AdaptiveSize, returnIndices: R | undefined) {
    super();
    this.returnIndices = (returnIndices ?? false) as R;
  }
  forward(x: Tensor): PoolResult<R> {
    const both = adaptiveMaxPoolNd(`adaptiveMaxPool${this.dims}d`, this.dims, x, this.outputSize);
    return (this.returnIndices ? both : both[0]) as PoolResult<R>;
  }
  override extraRepr(): string {
    return `outputSize=${json(this.outputSize)}`;
  }
}

/** The maximum of each of `outputSize` bins of `[N, C, L]`. @example new cr.nn.AdaptiveMaxPool1d(4) */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(1, outputSize, opts.returnIndices);
  }
}

/**
 * The maximum of each bin of `[N, C, H, W]` over a grid of `outputSize` bins.
 * @example const [y, i] = new cr.nn.AdaptiveMaxPool2d([3, 3], { returnIndices: true }).forward(x)
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(2, outputSize, opts.returnIndices);
  }
}

/** The maximum of each bin of `[N, C, D, H, W]`. @example new cr.nn.AdaptiveMaxPool3d(2) */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(3, outputSize, opts.returnIndices);
  }
}

/** Options of the maxUnpool layers. */
export interface MaxUnpoolModuleOptions {
  /** The stride the matching max pool used (default: the kernel size). */
  stride?: SizeN | null;
  /** The padding the matching max pool used (default 0). */
  padding?: SizeN;
}

abstract class MaxUnpoolNd extends Module<[Tensor, Tensor, (readonly number[] | null)?]> {
  readonly stride: SizeN;
  readonly padding: SizeN;
  constructor(readonly dims: number, readonly kernelSize: SizeN, opts: MaxUnpoolModuleOptions) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
  }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const fn = [maxUnpool1d, maxUnpool2d, maxUnpool3d][this.dims - 1]!;
    return fn(x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
  override extraRepr(): string {
    return `kernelSize=${json(this.kernelSize)}, stride=${json(this.stride)}, padding=${json(this.padding)}`;
  }
}

/** Undoes MaxPool1d: values back at their winners' positions. @example new cr.nn.MaxUnpool1d(2).forward(y, indices) */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: SizeN, opts: MaxUnpoolModuleOptions = {}) {
    super(1, kernelSize, opts);
  }
}

/**
 * Undoes MaxPool2d: `forward(values, indices, outputSize?)` puts each value back at its winner's position.
 * @example
 * const pool = new cr.nn.MaxPool2d(2, { returnIndices: true }), unpool = new cr.nn.MaxUnpool2d(2);
 * const [y, i] = pool.forward(x);
 * unpool.forward(y, i).shape; // x's
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: SizeN, opts: MaxUnpoolModuleOptions = {}) {
    super(2, kernelSize, opts);
  }
}

/** Undoes MaxPool3d. @example new cr.nn.MaxUnpool3d(2).forward(y, indices) */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: SizeN, opts: MaxUnpoolModuleOptions = {}) {
    super(3, kernelSize, opts);
  }
}
