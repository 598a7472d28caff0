// Whether operations are recorded for backpropagation: `noGrad`, `enableGrad`, `setGradEnabled`.

let enabled = true;

/** True when new operations are recorded in the graph (PyTorch's `torch.is_grad_enabled`). @example cr.isGradEnabled() // true */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns recording on or off globally; returns a `Disposable` that restores the previous setting. @example using _ = cr.setGradEnabled(false); */
export function setGradEnabled(on: boolean): Disposable {
  const previous = enabled;
  enabled = on;
  return previous ? RESTORE_ON : RESTORE_OFF;
}

// What setGradEnabled returns: one object per previous setting, so a block (every noGrad call) allocates nothing.
const RESTORE_ON: Disposable = { [Symbol.dispose]: () => void (enabled = true) };
const RESTORE_OFF: Disposable = { [Symbol.dispose]: () => void (enabled = false) };

function withMode<T>(on: boolean, fn?: () => T): T | Disposable {
  if (fn === undefined) return setGradEnabled(on);
  using _mode = setGradEnabled(on);
  return fn();
}

/**
 * Runs `fn` without recording operations, so nothing inside builds a graph (inference, weight updates).
 * Without `fn` it returns a `Disposable` for a block: `{ using _ = cr.noGrad(); … }`.
 * @example
 * const y = cr.noGrad(() => model.forward(x)); // y.requiresGrad === false
 */
export function noGrad(): Disposable;
export function noGrad<T>(fn: () => T): T;
export function noGrad<T>(fn?: () => T): T | Disposable {
  return withMode(false, fn);
}

/**
 * Runs `fn` with recording on, even inside `noGrad`. Without `fn` it returns a `Disposable` for a block.
 * @example
 * cr.noGrad(() => cr.enableGrad(() => x.mul(2))).requiresGrad; // true when x requires grad
 */
export function enableGrad(): Disposable;
export function enableGrad<T>(fn: () => T): T;
export function enableGrad<T>(fn?: () => T): T | Disposable {
  return withMode(true, fn);
}
