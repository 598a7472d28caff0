// `div` with PyTorch's third form, `div(a, b, { roundingMode })`: the registry's true division (`div`), or its
// rounded quotients `divTrunc` and `divFloor` (registry ops marked public: false). The generated `cr.div` and
// `x.div()` take two operands; this module's function and method take the options too and replace them in the
// public API (src/index.ts and Tensor.prototype), so the registry's generated code stays as it is.
import { ArgumentError } from "../errors.js";
import { applyOp } from "./apply-op.js";
import type { TensorLike } from "./apply-op.js";
import type { Tensor } from "./tensor.js";

/** Options of `div`. */
export interface DivOptions {
  /**
   * How the quotient is rounded: absent or null, not at all (true division: integers give float32); `"trunc"`,
   * toward zero; `"floor"`, toward −∞ (Python's `//`). Rounded quotients of integers stay integers.
   */
  roundingMode?: "trunc" | "floor" | null;
}

function divOp(options: DivOptions | undefined): "div" | "divTrunc" | "divFloor" {
  if (options === undefined || options === null) return "div";
  if (typeof options !== "object") throw new ArgumentError(`div: the third argument must be an options object ({ roundingMode }), got ${typeof options}`);
  const mode = options.roundingMode;
  if (mode === undefined || mode === null) return "div";
  if (mode === "trunc") return "divTrunc";
  if (mode === "floor") return "divFloor";
  throw new ArgumentError(`div: roundingMode must be "trunc", "floor" or null, got ${JSON.stringify(mode)}`);
}

/**
 * `a / b` elementwise, with broadcasting: true division (integers give float32), or with `roundingMode` the
 * quotient rounded toward zero (`"trunc"`) or toward −∞ (`"floor"`), whose gradient is zero as in PyTorch.
 * @example cr.div(cr.tensor([-7, 7], { dtype: "int32" }), 2, { roundingMode: "floor" }) // tensor([-4, 3]), int32
 */
export function div(a: TensorLike, b: TensorLike, options?: DivOptions): Tensor {
  return applyOp(divOp(options), [a, b]);
}

/** @internal Installs `x.div(other, options?)` over the generated two-operand method (tensor.ts calls it). */
export function installDivMethod(proto: object): void {
  Object.defineProperty(proto, "div", {
    value: function (this: Tensor, other: TensorLike, options?: DivOptions): Tensor { return applyOp(divOp(options), [this, other]); },
    writable: true, configurable: true, enumerable: false,
  });
}

declare module "./tensor.js" {
  interface Tensor {
    /**
     * `this / other`, rounded as `options.roundingMode` says (`"trunc"`, `"floor"`, or none: true division).
     * @example x.div(2, { roundingMode: "trunc" })
     */
    div(other: TensorLike, options: DivOptions): Tensor;
  }
}
