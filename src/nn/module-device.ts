// Module.to(device): a model's parameters and buffers moved to another backend in place, each the same Tensor object
// afterwards (as PyTorch's `module.to` sets `param.data`), so optimizers and references to them keep working.
import { moveInPlace, moveInPlaceAsync } from "../tensor/device.js";
import type { Tensor } from "../tensor/tensor.js";

/** A module's own parameters and buffers, as Module hands them to the mover (they are private to it). */
export interface ModuleTensors {
  readonly parameters: readonly Tensor[];
  readonly buffers: readonly (Tensor | null)[];
}

// Every tensor of `modules` once (a shared parameter is moved once), with the gradients of parameters.
function tensorsOf(modules: Iterable<ModuleTensors>): Tensor[] {
  const out = new Set<Tensor>();
  for (const m of modules) {
    for (const p of m.parameters) {
      out.add(p);
      if (p.grad !== null) out.add(p.grad);
    }
    for (const b of m.buffers) if (b !== null) out.add(b);
  }
  return [...out];
}

/** Moves every parameter, gradient and buffer of `modules` to backend `device`. */
export function moveModules(modules: Iterable<ModuleTensors>, device: string): void {
  for (const t of tensorsOf(modules)) moveInPlace(t, device);
}

/** `moveModules` from any backend, a GPU's included. */
export async function moveModulesAsync(modules: Iterable<ModuleTensors>, device: string): Promise<void> {
  for (const t of tensorsOf(modules)) await moveInPlaceAsync(t, device);
}
