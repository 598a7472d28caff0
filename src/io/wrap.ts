// Tensors over arrays this package has just allocated, without the copy that cr.tensor makes.
import { currentBackend } from "../backend/registry.js";
import type { DType, TypedArray } from "../dtype.js";
import { dtypeOfArray } from "../dtype.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * A tensor of `shape` whose storage is `arr` itself (on the cpu backend; where the cpu backend shares its
 * arrays with worker threads, one of 4,096 to 4 million elements is copied onto shared memory instead).
 * Only for arrays nobody else holds: MNIST's 47 million pixels or a model file's weights would otherwise be
 * copied once more.
 * A Uint8Array becomes a bool tensor.
 */
export function fromOwnedArray(arr: TypedArray, shape: readonly number[], as?: DType): Tensor {
  // A storage dtype's values come in its compute array, already within the dtype (files hold nothing else).
  const dtype = as ?? dtypeOfArray(arr);
  if (dtype === undefined) throw new TypeError("fromOwnedArray: unsupported typed array");
  const backend = currentBackend();
  return Tensor._create(backend.fromArray(arr), shape, dtype, backend);
}
