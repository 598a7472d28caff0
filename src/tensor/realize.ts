// Computing deferred work now, for several tensors at once.
import type { Tensor } from "./tensor.js";

/**
 * Computes the elements of `tensors` now (see `Tensor.realize`), together where the backend can: on
 * `wasm`, pending elementwise chains of one length are computed in one loop, so chains that read the same
 * inputs (a product's two gradients) read them once. Tensors already computed are left as they are.
 * @example cr.realize(a, b);
 */
export function realize(...tensors: Tensor[]): void {
  const byBackend = new Map<Tensor["_backend"], Tensor["_buf"][]>();
  for (const t of tensors) {
    const bufs = byBackend.get(t._backend) ?? [];
    bufs.push(t._buf);
    byBackend.set(t._backend, bufs);
  }
  for (const [backend, bufs] of byBackend) backend.evaluate?.(bufs);
}
