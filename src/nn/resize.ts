// Resizing layers: Upsample (and PyTorch's UpsamplingNearest2d / UpsamplingBilinear2d), PixelShuffle and
// PixelUnshuffle, wrapping tensor/interpolate.ts.
import { interpolate, pixelShuffle, pixelUnshuffle } from "../tensor/interpolate.js";
import type { InterpolateMode } from "../tensor/interpolate.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** Options of `Upsample`, as PyTorch's keyword arguments: give `size` or `scaleFactor`. */
export interface UpsampleOptions {
  /** The output's spatial size; give this or `scaleFactor`. */
  size?: number | readonly number[] | null;
  /** The multiplier of the spatial size (one, or one per spatial dim); give this or `size`. */
  scaleFactor?: number | readonly number[] | null;
  /** Default "nearest". */
  mode?: InterpolateMode;
  /** For the linear modes: whether the corner pixels' centers of input and output align. */
  alignCorners?: boolean | null;
  /** Interpolate with the scale the output size implies rather than `scaleFactor` itself. */
  recomputeScaleFactor?: boolean | null;
}

/**
 * Resizes `[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]` to `size` or by `scaleFactor` (see `interpolate`).
 * @example new cr.nn.Upsample({ scaleFactor: 2, mode: "bilinear" }).forward(cr.randn([1, 3, 4, 4])).shape // [1, 3, 8, 8]
 */
export class Upsample extends Module {
  /** The output's spatial size, or null when `scaleFactor` is given. */
  readonly size: number | readonly number[] | null;
  /** The multiplier of the spatial size (one, or one per spatial dim), or null when `size` is given. */
  readonly scaleFactor: number | readonly number[] | null;
  /** The interpolation, as `interpolate` takes it (default "nearest"). */
  readonly mode: InterpolateMode;
  /** For the linear modes: whether the corner pixels' centers of input and output align. */
  readonly alignCorners: boolean | null;
  /** Interpolate with the scale the output size implies rather than `scaleFactor` itself. */
  readonly recomputeScaleFactor: boolean | null;

  constructor(opts: UpsampleOptions = {}) {
    super();
    this.size = opts.size ?? null;
    this.scaleFactor = opts.scaleFactor ?? null;
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Upsample({ scaleFactor: 2 }).forward(cr.tensor([[[1, 2]]])) // [[[1, 1, 2, 2]]] */
  forward(x: Tensor): Tensor {
    return interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }

  override extraRepr(): string {
    const what = this.scaleFactor !== null ? `scaleFactor=${JSON.stringify(this.scaleFactor)}` : `size=${JSON.stringify(this.size)}`;
    return `${what}, mode=${JSON.stringify(this.mode)}`;
  }
}

/** Nearest-neighbour upsampling of `[N, C, H, W]` (PyTorch's UpsamplingNearest2d). @example new cr.nn.UpsamplingNearest2d({ scaleFactor: 2 }) */
export class UpsamplingNearest2d extends Upsample {
  constructor(
    opts: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null } = {},
  ) {
    super({ ...opts, mode: "nearest" });
  }
}

/** Bilinear upsampling of `[N, C, H, W]` with the corners aligned (PyTorch's UpsamplingBilinear2d). @example new cr.nn.UpsamplingBilinear2d({ size: [32, 32] }) */
export class UpsamplingBilinear2d extends Upsample {
  constructor(
    opts: { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null } = {},
  ) {
    super({ ...opts, mode: "bilinear", alignCorners: true });
  }
}

/** `[*, C·r², H, W]` → `[*, C, H·r, W·r]` (see `pixelShuffle`). @example new cr.nn.PixelShuffle(3) */
export class PixelShuffle extends Module {
  constructor(
    /** r: `[N, C·r², H, W]` becomes `[N, C, H·r, W·r]`. */
    readonly upscaleFactor: number,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.PixelShuffle(2).forward(cr.zeros([1, 4, 3, 3])).shape // [1, 1, 6, 6] */
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
}

/** `[*, C, H·r, W·r]` → `[*, C·r², H, W]` (see `pixelUnshuffle`). @example new cr.nn.PixelUnshuffle(2) */
export class PixelUnshuffle extends Module {
  constructor(
    /** r: `[N, C, H·r, W·r]` becomes `[N, C·r², H, W]`. */
    readonly downscaleFactor: number,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.PixelUnshuffle(2).forward(cr.zeros([1, 1, 6, 6])).shape // [1, 4, 3, 3] */
  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
}
