// Conv1d and Conv3d, and the transposed convolutions ConvTranspose1d/2d/3d: PyTorch's constructor arguments,
// parameter names and shapes, and default initialisation, so their state dicts load as PyTorch's.
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { convNd, convTransposeNd } from "../tensor/conv.js";
import type { Tensor } from "../tensor/tensor.js";
import { tupleOf } from "../tensor/window-spec.js";
import type { SizeN } from "../tensor/window-spec.js";
import { checkInt, emptyParameter, floatDType, resetLinearLike } from "./common.js";
import type { DTypeOption } from "./common.js";
import { Module } from "./module.js";
import type { Parameter } from "./parameter.js";

/** Options of `Conv1d` and `Conv3d`, as PyTorch's keyword arguments. */
export interface ConvOptions extends DTypeOption {
  /** The step between windows (default 1). */
  stride?: SizeN;
  /** Zeros added on each side (default 0), or "valid" (none) or "same" (keeps the size; stride 1 only). */
  padding?: SizeN | "same" | "valid";
  /** The spacing between kernel elements (default 1). */
  dilation?: SizeN;
  /** Split the channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only "zeros" is supported. */
  paddingMode?: "zeros";
}

/** Options of the transposed convolutions, as PyTorch's keyword arguments. */
export interface ConvTransposeModuleOptions extends DTypeOption {
  /** The step between windows (default 1). */
  stride?: SizeN;
  /** Removed from each side of the full output (default 0). */
  padding?: SizeN;
  /** Added to one side of the output (default 0); `forward`'s `outputSize` can choose it instead. */
  outputPadding?: SizeN;
  /** Blocked connections: input and output channels split into this many groups (default 1). */
  groups?: number;
  /** Whether the layer adds a learned bias (default true). */
  bias?: boolean;
  /** The spacing between kernel elements (default 1). */
  dilation?: SizeN;
  /** Only "zeros" is supported. */
  paddingMode?: "zeros";
}

const SPATIAL = ["", "L", "H, W", "D, H, W"];

// The checks and parameters every convolution layer shares.
function channels(name: string, inChannels: number, outChannels: number, groups: number | undefined): [number, number, number] {
  const cin = checkInt(name, "inChannels", inChannels, 1);
  const cout = checkInt(name, "outChannels", outChannels, 1);
  const g = checkInt(name, "groups", groups ?? 1, 1);
  if (cin % g !== 0) throw new ArgumentError(`${name}: inChannels ${cin} must be divisible by groups ${g}`);
  if (cout % g !== 0) throw new ArgumentError(`${name}: outChannels ${cout} must be divisible by groups ${g}`);
  return [cin, cout, g];
}

function checkInput(module: string, dims: number, inChannels: number, x: Tensor): void {
  const channelDim = x.ndim - dims - 1;
  if ((x.ndim !== dims + 1 && x.ndim !== dims + 2) || x.shape[channelDim] !== inChannels) {
    throw new ShapeError(
      x.ndim === dims + 1 || x.ndim === dims + 2
        ? `${module}: input ${fmt(x.shape)} has ${x.shape[channelDim]} channels, expected ${inChannels}`
        : `${module}: expected input [N, ${inChannels}, ${SPATIAL[dims]}] or [${inChannels}, ${SPATIAL[dims]}], got ${fmt(x.shape)}`,
    );
  }
}

function checkPaddingMode(name: string, mode: string | undefined): void {
  if ((mode ?? "zeros") !== "zeros") throw new ArgumentError(`${name}: only paddingMode "zeros" is supported, got ${JSON.stringify(mode)}`);
}

/** A convolution layer over `dims` spatial dims (Conv1d, Conv3d). */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly dims: number, name: string, inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvOptions) {
    super();
    [this.inChannels, this.outChannels, this.groups] = channels(name, inChannels, outChannels, opts.groups);
    this.kernelSize = tupleOf(name, "kernelSize", kernelSize, dims, 1);
    this.stride = tupleOf(name, "stride", opts.stride ?? 1, dims, 1);
    this.dilation = tupleOf(name, "dilation", opts.dilation ?? 1, dims, 1);
    const padding = opts.padding ?? 0;
    if (typeof padding === "string" && padding !== "same" && padding !== "valid") throw new ArgumentError(`${name}: padding must be a size, "same" or "valid", got ${JSON.stringify(padding)}`);
    this.padding = typeof padding === "string" ? padding : tupleOf(name, "padding", padding, dims, 0);
    if (padding === "same" && this.stride.some((s) => s !== 1)) throw new ArgumentError(`${name}: padding "same" is not supported for strided convolutions`);
    checkPaddingMode(name, opts.paddingMode);
    const dtype = floatDType(name, opts.dtype);
    this.weight = emptyParameter([this.outChannels, this.inChannels / this.groups, ...this.kernelSize], dtype);
    this.bias = opts.bias === false ? null : emptyParameter([this.outChannels], dtype);
    this.resetParameters();
  }

  /** Draws fresh initial weights, as at construction: U(±1/√fanIn), fanIn = inChannels/groups·∏kernelSize. */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    checkInput(this.moduleName, this.dims, this.inChannels, x);
    const op = `conv${this.dims}d`;
    return convNd(op, this.dims, x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (typeof this.padding === "string" ? this.padding !== "valid" : this.padding.some((p) => p !== 0)) {
      s += `, padding=${typeof this.padding === "string" ? JSON.stringify(this.padding) : fmt(this.padding)}`;
    }
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=false";
    return s;
  }
}

/**
 * A 1-D convolution over `[N, inChannels, L]` (or `[inChannels, L]`): weight `[outChannels, inChannels/groups, k]`,
 * bias `[outChannels]`, initialised as PyTorch's.
 * @example new cr.nn.Conv1d(16, 33, 3, { stride: 2 }).forward(cr.randn([20, 16, 50])).shape // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvOptions = {}) {
    super(1, "Conv1d", inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * A 3-D convolution over `[N, inChannels, D, H, W]` (or unbatched): weight `[outChannels, inChannels/groups, kd, kh, kw]`.
 * @example new cr.nn.Conv3d(4, 8, 3, { padding: 1 }).forward(cr.randn([2, 4, 5, 6, 6])).shape // [2, 8, 5, 6, 6]
 */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvOptions = {}) {
    super(3, "Conv3d", inChannels, outChannels, kernelSize, opts);
  }
}

/** A transposed convolution layer over `dims` spatial dims. */
abstract class ConvTransposeNd extends Module<[Tensor, (readonly number[] | null)?]> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly outputPadding: number[];
  readonly dilation: number[];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly dims: number, name: string, inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvTransposeModuleOptions) {
    super();
    [this.inChannels, this.outChannels, this.groups] = channels(name, inChannels, outChannels, opts.groups);
    this.kernelSize = tupleOf(name, "kernelSize", kernelSize, dims, 1);
    this.stride = tupleOf(name, "stride", opts.stride ?? 1, dims, 1);
    this.padding = tupleOf(name, "padding", opts.padding ?? 0, dims, 0);
    this.outputPadding = tupleOf(name, "outputPadding", opts.outputPadding ?? 0, dims, 0);
    this.dilation = tupleOf(name, "dilation", opts.dilation ?? 1, dims, 1);
    checkPaddingMode(name, opts.paddingMode);
    const dtype = floatDType(name, opts.dtype);
    // PyTorch stores a transposed convolution's weight [in, out/groups, ...kernel].
    this.weight = emptyParameter([this.inChannels, this.outChannels / this.groups, ...this.kernelSize], dtype);
    this.bias = opts.bias === false ? null : emptyParameter([this.outChannels], dtype);
    this.resetParameters();
  }

  /** Draws fresh initial weights, as at construction: U(±1/√fanIn), fanIn = outChannels/groups·∏kernelSize (PyTorch's). */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  /** The outputPadding that gives `outputSize` (the spatial sizes, or the whole shape), as PyTorch's `_output_padding`. */
  private outputPaddingFor(x: Tensor, outputSize: readonly number[]): number[] {
    const dims = this.dims;
    const spatial = x.shape.slice(x.ndim - dims);
    const wanted = outputSize.length === x.ndim ? outputSize.slice(x.ndim - dims) : outputSize;
    if (wanted.length !== dims) throw new ArgumentError(`${this.moduleName}: outputSize must have ${dims} or ${x.ndim} elements, got ${fmt(outputSize)}`);
    return spatial.map((s, d) => {
      const least = (s - 1) * this.stride[d]! - 2 * this.padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const most = least + this.stride[d]! - 1;
      if (!(wanted[d]! >= least && wanted[d]! <= most)) {
        throw new ArgumentError(`${this.moduleName}: requested an output size of ${fmt(wanted)}, but valid sizes range from ${least} to ${most} along spatial dim ${d} (for an input of ${fmt(spatial)})`);
      }
      return wanted[d]! - least;
    });
  }

  forward(x: Tensor, outputSize: readonly number[] | null = null): Tensor {
    checkInput(this.moduleName, this.dims, this.inChannels, x);
    const outputPadding = outputSize === null ? this.outputPadding : this.outputPaddingFor(x, outputSize);
    return convTransposeNd(`convTranspose${this.dims}d`, this.dims, x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${fmt(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${fmt(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, outputPadding=${fmt(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=false";
    return s;
  }
}

/**
 * A 1-D transposed convolution: weight `[inChannels, outChannels/groups, k]`, bias `[outChannels]`.
 * @example new cr.nn.ConvTranspose1d(8, 4, 3, { stride: 2 }).forward(cr.randn([2, 8, 10])).shape // [2, 4, 21]
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvTransposeModuleOptions = {}) {
    super(1, "ConvTranspose1d", inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * A 2-D transposed convolution: weight `[inChannels, outChannels/groups, kh, kw]`, bias `[outChannels]`.
 * @example
 * const up = new cr.nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1 });
 * up.forward(cr.randn([1, 16, 12, 12]), [24, 24]).shape; // [1, 8, 24, 24]
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvTransposeModuleOptions = {}) {
    super(2, "ConvTranspose2d", inChannels, outChannels, kernelSize, opts);
  }
}

/**
 * A 3-D transposed convolution: weight `[inChannels, outChannels/groups, kd, kh, kw]`, bias `[outChannels]`.
 * @example new cr.nn.ConvTranspose3d(4, 2, 2, { stride: 2 }).forward(cr.randn([1, 4, 3, 3, 3])).shape // [1, 2, 6, 6, 6]
 */
export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeN, opts: ConvTransposeModuleOptions = {}) {
    super(3, "ConvTranspose3d", inChannels, outChannels, kernelSize, opts);
  }
}
