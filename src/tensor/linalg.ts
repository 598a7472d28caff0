// Matrix products: matmul with PyTorch's 1-D, 2-D and batched (broadcast) rules, and mm, bmm, dot, addmm.
import { applyPrimitive } from "../autograd/dispatch.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, fmt, shapesEqual } from "../shape.js";
import { zerosLike } from "./creation.js";
import { checkTensor, where } from "./elementwise.js";
import type { Tensor } from "./tensor.js";

/**
 * Matrix product. 1-D operands are treated as a row (a) or column (b) vector and that dim is
 * removed from the result; dims before the last two are batch dims and broadcast.
 * @example cr.matmul(cr.ones([2, 3]), cr.ones([3, 4])).shape // [2, 4]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", a);
  checkTensor("matmul", b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both operands need at least 1 dim, got a ${fmt(a.shape)} and b ${fmt(b.shape)}`);
  }
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`matmul: a is ${a.dtype} and b is ${b.dtype}; convert one with .to() so they match`);
  }
  if (a.dtype === "bool") throw new DTypeError("matmul: bool tensors are not supported; convert with .to()");
  const k1 = a.shape[a.ndim - 1]!;
  const k2 = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (k1 !== k2) {
    throw new ShapeError(`matmul: a is ${fmt(a.shape)}, b is ${fmt(b.shape)}: the inner dimensions differ (${k1} vs ${k2})`);
  }
  const a2 = a.ndim === 1 ? a.reshape([1, k1]) : a;
  const b2 = b.ndim === 1 ? b.reshape([k2, 1]) : b;
  // Two matrices have no batch dims to check (formatting the message alone cost more than a 4×4 product).
  if (a2.ndim > 2 || b2.ndim > 2) broadcastShapes(`matmul: batch dims of a ${fmt(a.shape)} and b ${fmt(b.shape)}`, a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  let out = applyPrimitive("matmul", [a2, b2], { transA: false, transB: false });
  if (b.ndim === 1) out = out.squeeze(-1);
  if (a.ndim === 1) out = out.squeeze(b.ndim === 1 ? -1 : -2);
  return out;
}

/** Product of two 2-D matrices. @example cr.mm(cr.tensor([[1, 2]]), cr.tensor([[3], [4]])) // [[11]] */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor("mm", a);
  checkTensor("mm", b);
  if (a.ndim !== 2 || b.ndim !== 2) throw new ShapeError(`mm: expected 2-D matrices, got a ${fmt(a.shape)} and b ${fmt(b.shape)}`);
  return matmul(a, b);
}

/** Batched product of two 3-D tensors with the same batch size. @example cr.bmm(cr.ones([2, 1, 3]), cr.ones([2, 3, 1])) // [[[3]], [[3]]] */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor("bmm", a);
  checkTensor("bmm", b);
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`bmm: expected 3-D tensors with the same batch size, got a ${fmt(a.shape)} and b ${fmt(b.shape)}`);
  }
  return matmul(a, b);
}

/** Dot product of two 1-D tensors of the same length. @example cr.dot(cr.tensor([1, 2]), cr.tensor([3, 4])) // 11 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor("dot", a);
  checkTensor("dot", b);
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`dot: expected 1-D tensors of the same length, got a ${fmt(a.shape)} and b ${fmt(b.shape)}`);
  }
  return matmul(a, b);
}

/**
 * @internal `a · bᵀ` over the last two dims (batch dims broadcast) without copying `b` transposed:
 * a linear layer's `x · Wᵀ`. Both operands have at least 2 dims and one dtype (checked by the caller).
 */
export function matmulBT(a: Tensor, b: Tensor): Tensor {
  const k1 = a.shape[a.ndim - 1]!, k2 = b.shape[b.ndim - 1]!;
  if (k1 !== k2) throw new ShapeError(`matmul: a is ${fmt(a.shape)}, bᵀ is ${fmt([...b.shape.slice(0, -2), k2, b.shape[b.ndim - 2]!])}: the inner dimensions differ (${k1} vs ${k2})`);
  return applyPrimitive("matmul", [a, b], { transA: false, transB: true });
}

/** Scale factors of `addmm`, PyTorch's keyword arguments. */
export interface AddmmOptions {
  /** Multiplies `input` (default 1); with 0 `input` is ignored, so its NaNs do not reach the result. */
  beta?: number;
  /** Multiplies the product (default 1). */
  alpha?: number;
}

/**
 * `beta·input + alpha·(mat1 · mat2)`, as `torch.addmm`: mat1 [n, m] and mat2 [m, p] are matrices and `input`
 * broadcasts to [n, p]. A bias row (`input` of shape [p]) with the default scales is one kernel, the product
 * with the row added while it is computed (as a linear layer does).
 * @example cr.addmm(cr.ones([3]), cr.ones([2, 4]), cr.ones([4, 3])) // [[5, 5, 5], [5, 5, 5]]
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddmmOptions = {}): Tensor {
  checkTensor("addmm", input);
  checkTensor("addmm", mat1);
  checkTensor("addmm", mat2);
  const { beta = 1, alpha = 1 } = opts;
  for (const [name, v] of [["beta", beta], ["alpha", alpha]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ArgumentError(`addmm: ${name} must be a finite number, got ${String(v)}`);
  }
  if (mat1.ndim !== 2 || mat2.ndim !== 2) throw new ShapeError(`addmm: mat1 and mat2 must be matrices, got mat1 ${fmt(mat1.shape)} and mat2 ${fmt(mat2.shape)}`);
  if (mat1.shape[1] !== mat2.shape[0]) {
    throw new ShapeError(`addmm: mat1 is ${fmt(mat1.shape)}, mat2 is ${fmt(mat2.shape)}: the inner dimensions differ (${mat1.shape[1]} vs ${mat2.shape[0]})`);
  }
  if (input.dtype !== mat1.dtype || mat2.dtype !== mat1.dtype) {
    throw new DTypeError(`addmm: input is ${input.dtype}, mat1 ${mat1.dtype} and mat2 ${mat2.dtype}; convert them with .to() so they match`);
  }
  const outShape = [mat1.shape[0]!, mat2.shape[1]!];
  const broadcast = broadcastShapes(`addmm: input ${fmt(input.shape)} and the product ${fmt(outShape)}`, input.shape, outShape);
  if (!shapesEqual(broadcast, outShape)) throw new ShapeError(`addmm: input ${fmt(input.shape)} does not broadcast to the product's shape ${fmt(outShape)}`);
  if (beta === 1 && alpha === 1 && input.ndim === 1 && input.shape[0] === outShape[1] && isFloating(input.dtype)) return applyPrimitive("addmm", [input, mat1, mat2], { transA: false, transB: false });
  const product = alpha === 1 ? matmul(mat1, mat2) : matmul(mat1, mat2).mul(alpha);
  // beta 0 ignores input's values (its NaNs stay out) but keeps it in the graph, with a zero gradient, as PyTorch does.
  if (beta === 0) return where(zerosLike(product, { dtype: "bool" }), input, product);
  return (beta === 1 ? input : input.mul(beta)).add(product);
}

/**
 * @internal `bias + x · Wᵀ` for a matrix `x` [n, in], `weight` [out, in] read transposed in place and `bias` [out]:
 * a linear layer's forward in one kernel. Shapes and dtypes are checked by the caller.
 */
export function linearBT(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  return applyPrimitive("addmm", [bias, x, weight], { transA: false, transB: true });
}
