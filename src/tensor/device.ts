// Moving tensors between backends (PyTorch's `.to(device)`): the elements are read from one backend and written to
// another. Synchronously where the source reads synchronously (cpu, wasm, and anything onto a GPU); `toAsync` from
// a GPU. A move is not recorded by autograd (its gradient would have to come back from the GPU synchronously): the
// copy is a new leaf, which requires grad where the moved leaf did.
import type { CompleteBackend } from "../backend/backend.js";
import { backendNamed } from "../backend/registry.js";
import type { TypedArray } from "../dtype.js";
import { AutogradError, ReadError } from "../errors.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { moveTracked } from "./lifetime.js";
import { Tensor } from "./tensor.js";

function target(t: Tensor, device: string, op: string): CompleteBackend | null {
  const backend = backendNamed(device, op);
  if (backend === t._backend) return null;
  if (t.requiresGrad && !t.isLeaf && isGradEnabled()) {
    throw new AutogradError(
      `${op}: moving a tensor made by ${t.gradFn!.name} to the ${device} backend is not recorded by autograd; ` +
        "move the inputs and parameters before computing (model.to(device)), or detach() it first",
    );
  }
  return backend;
}

// The elements, synchronously; where the backend cannot, an error naming the asynchronous move.
function readNow(t: Tensor, device: string, what: string): TypedArray {
  if (!t.readsSynchronously) {
    throw new ReadError(`to: tensors on the ${t.device} backend are read asynchronously; use \`await ${what}.toAsync("${device}")\``);
  }
  return t.toTypedArray();
}

function copyOn(t: Tensor, data: TypedArray, backend: CompleteBackend): Tensor {
  const out = Tensor._create(backend.fromArray(data), t.shape, t.dtype, backend);
  if (t.requiresGrad) out.requiresGrad_(true);
  return out;
}

/** `t` on backend `device` (itself where it is there already). @example const g = x.to("webgpu"); */
export function toDevice(t: Tensor, device: string): Tensor {
  const backend = target(t, device, "to");
  return backend === null ? t : copyOn(t, readNow(t, device, "t"), backend);
}

/** `toDevice` from any backend, a GPU's included: its elements are read asynchronously. */
export async function toDeviceAsync(t: Tensor, device: string): Promise<Tensor> {
  const backend = target(t, device, "toAsync");
  return backend === null ? t : copyOn(t, await t.data(), backend);
}

/** @internal Moves `t`'s memory to backend `device` in place (the same Tensor object): Module.to's parameters. */
export function moveInPlace(t: Tensor, device: string): void {
  const backend = backendNamed(device, "to");
  if (backend === t._backend) return;
  moveTracked(t, backend.fromArray(readNow(t, device, "model")), backend);
}

/** @internal `moveInPlace` from any backend, a GPU's included. */
export async function moveInPlaceAsync(t: Tensor, device: string): Promise<void> {
  const backend = backendNamed(device, "toAsync");
  if (backend === t._backend) return;
  const data = await t.data();
  moveTracked(t, backend.fromArray(data), backend);
}
