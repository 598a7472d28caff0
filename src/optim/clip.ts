// Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_: rescales or clamps the parameters' .grad in place.
import { noGrad } from "../autograd/grad-mode.js";
import { ArgumentError } from "../errors.js";
import { tensor } from "../tensor/creation.js";
import { div } from "../tensor/elementwise.js";
import { stack } from "../tensor/movement.js";
import { tidy } from "../tensor/scope.js";
import { Tensor } from "../tensor/tensor.js";

/** Options of clipGradNorm_. */
export interface ClipGradNormOptions {
  /** The p of the p-norm: any p > 0, 0 (count of non-zeros), or Infinity / -Infinity (largest / smallest |g|). Default 2. */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling the gradients by it (default false). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (parameters === null || typeof parameters !== "object") throw new TypeError(`${op}: expected a Tensor or an array of Tensors, got ${String(parameters)}`);
  const params = parameters instanceof Tensor ? [parameters] : Array.from(parameters);
  return params.flatMap((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameters[${i}] is not a Tensor`);
    const g = p._gradPeek();
    return g === null ? [] : [g.detach()];
  });
}

/** The p-norm of all of `x`'s elements, as torch.norm(x, p). */
function norm(x: Tensor, p: number): Tensor {
  if (p === Infinity) return x.abs().amax();
  if (p === -Infinity) return x.abs().amin();
  if (p === 0) return x.ne(0).to(x.dtype).sum();
  if (p === 1) return x.abs().sum();
  if (p === 2) return x.mul(x).sum().sqrt();
  return x.abs().pow(p).sum().pow(1 / p);
}

/**
 * Rescales the gradients of `parameters` in place so that their total norm (as if concatenated
 * into one vector) is at most `maxNorm`: each is multiplied by min(1, maxNorm / (total + 1e-6)).
 * Parameters without a gradient are skipped. Returns the total norm before clipping.
 * @example
 * loss.backward();
 * const total = cr.nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): Tensor {
  const { normType = 2, errorIfNonfinite = false } = opts;
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) throw new ArgumentError(`clipGradNorm_: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || Number.isNaN(normType) || normType < 0) {
    throw new ArgumentError(`clipGradNorm_: normType must be a number >= 0 or Infinity, got ${String(normType)}`);
  }
  // A scope: the norms, the coefficient and the gradients' aliases are freed when it returns.
  return tidy(() => noGrad(() => {
    const grads = gradsOf("clipGradNorm_", parameters);
    if (grads.length === 0) return tensor(0);
    const norms = grads.map((g) => norm(g, normType));
    const total = norms.length === 1 ? norms[0]! : norm(stack(norms), normType);
    if (errorIfNonfinite && !total.readsSynchronously) {
      throw new ArgumentError(
        `clipGradNorm_: errorIfNonfinite reads the norm back, which the ${total.device} backend does only asynchronously; ` +
          "leave it off and check the returned norm with `await norm.itemAsync()`",
      );
    }
    if (errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new Error(
        `clipGradNorm_: the total norm of order ${normType} of the gradients is non-finite (${total.item()}), so it cannot be clipped; ` +
          "pass { errorIfNonfinite: false } to scale the gradients by it anyway",
      );
    }
    // Multiplying by a coefficient clamped to 1 instead of testing it keeps the result identical to torch's.
    const coef = div(maxNorm, total.add(1e-6)).clamp(null, 1);
    for (const g of grads) g.mul_(coef);
    return total;
  }));
}

/**
 * Clamps the gradients of `parameters` in place to [−clipValue, clipValue]; parameters without a gradient are skipped.
 * @example
 * loss.backward();
 * cr.nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number" || Number.isNaN(clipValue)) throw new ArgumentError(`clipGradValue_: clipValue must be a number, got ${String(clipValue)}`);
  tidy(() => noGrad(() => {
    for (const g of gradsOf("clipGradValue_", parameters)) g.clamp_(-clipValue, clipValue);
  }));
}
