// Conv2d: a 2-D convolution layer with PyTorch's constructor arguments and default initialisation.
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import type { Size2 } from "../tensor/windows.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, emptyParameter, floatDType, resetLinearLike } from "./common.js";
import type { DTypeOption } from "./common.js";
import { conv2d, pair } from "../tensor/windows.js";
import { Module } from "./module.js";
import type { Parameter } from "./parameter.js";

/** Options of `Conv2d`, as PyTorch's keyword arguments. */
export interface Conv2dOptions extends DTypeOption {
  /** The step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side (default 0), or "valid" (none) or "same" (keeps H and W; stride 1 only). */
  padding?: Size2 | "same" | "valid";
  /** The spacing between kernel elements (default 1). */
  dilation?: Size2;
  /** Split the channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only "zeros" is supported. */
  paddingMode?: "zeros";
}

/**
 * A 2-D convolution over `[N, inChannels, H, W]` (or unbatched `[inChannels, H, W]`): weight
 * `[outChannels, inChannels/groups, kh, kw]`, bias `[outChannels]`, initialised as PyTorch's,
 * U(±1/√fanIn) with fanIn = inChannels/groups·kh·kw.
 * @example
 * const conv = new cr.nn.Conv2d(3, 16, 3, { padding: 1 });
 * conv.forward(cr.randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 */
export class Conv2d extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels the convolution produces. */
  readonly outChannels: number;
  /** The kernel's height and width. */
  readonly kernelSize: [number, number];
  /** The step between windows, vertically and horizontally. */
  readonly stride: [number, number];
  /** Zeros added on each side of the input (or "same"/"valid", as given). */
  readonly padding: [number, number] | "same" | "valid";
  /** The spacing between kernel elements. */
  readonly dilation: [number, number];
  /** Blocked connections from input to output channels (1: every output sees every input). */
  readonly groups: number;
  /** The kernels, `[outChannels, inChannels / groups, kh, kw]`. */
  weight: Parameter;
  /** The bias, `[outChannels]`; null when made with `bias: false`. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2dOptions = {}) {
    super();
    const name = "Conv2d";
    this.inChannels = checkInt(name, "inChannels", inChannels, 1);
    this.outChannels = checkInt(name, "outChannels", outChannels, 1);
    this.groups = checkInt(name, "groups", opts.groups ?? 1, 1);
    if (inChannels % this.groups !== 0) throw new ArgumentError(`${name}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0) throw new ArgumentError(`${name}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    this.kernelSize = pair("Conv2d", "kernelSize", kernelSize, 1);
    this.stride = pair("Conv2d", "stride", opts.stride ?? 1, 1);
    this.dilation = pair("Conv2d", "dilation", opts.dilation ?? 1, 1);
    const padding = opts.padding ?? 0;
    this.padding = typeof padding === "string" ? padding : pair("Conv2d", "padding", padding, 0);
    if (padding !== "same" && padding !== "valid" && typeof padding === "string") throw new ArgumentError(`${name}: padding must be a size, "same" or "valid", got ${JSON.stringify(padding)}`);
    if (padding === "same" && this.stride.some((s) => s !== 1)) throw new ArgumentError(`${name}: padding "same" is not supported for strided convolutions`);
    if ((opts.paddingMode ?? "zeros") !== "zeros") throw new ArgumentError(`${name}: only paddingMode "zeros" is supported, got ${JSON.stringify(opts.paddingMode)}`);
    const dtype = floatDType(name, opts.dtype);
    this.weight = emptyParameter([outChannels, inChannels / this.groups, ...this.kernelSize], dtype);
    this.bias = opts.bias === false ? null : emptyParameter([outChannels], dtype);
    this.resetParameters();
  }

  /**
   * Draws fresh initial weights, as at construction.
   * @example conv.resetParameters(); // new Kaiming-uniform weights and bias, as at construction
   */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Conv2d(3, 8, 3).forward(cr.zeros([1, 3, 5, 5])).shape // [1, 8, 3, 3] */
  forward(x: Tensor): Tensor {
    const channelDim = x.ndim - 3;
    if ((x.ndim !== 3 && x.ndim !== 4) || x.shape[channelDim] !== this.inChannels) {
      throw new ShapeError(
        x.ndim === 3 || x.ndim === 4
          ? `${this.moduleName}: input ${fmt(x.shape)} has ${x.shape[channelDim]} channels, expected ${this.inChannels}`
          : `${this.moduleName}: expected input [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W], got ${fmt(x.shape)}`,
      );
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (this.padding !== "valid" && (typeof this.padding === "string" || this.padding.some((p) => p !== 0))) {
      s += `, padding=${typeof this.padding === "string" ? JSON.stringify(this.padding) : fmt(this.padding)}`;
    }
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=false";
    return s;
  }
}
