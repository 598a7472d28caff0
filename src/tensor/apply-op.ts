// Applying an elementwise op of the registry to tensors and numbers: PyTorch's dtype rules (promotion, true
// division, bool results), read off the op's entry, then one elementwise primitive. Every elementwise op of the
// public API (generated from the registry) comes through here.
import { applyElementwise } from "../autograd/primitives.js";
import type { CompleteBackend as Backend } from "../backend/backend.js";
import { currentBackend } from "../backend/registry.js";
import type { DType, Operand } from "../dtype.js";
import { computeDType, isFloating, isIntegral, resultType } from "../dtype.js";
import { narrowScalar } from "./narrow.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { ELEMENTWISE } from "../ops/elementwise.js";
import type { ElementwiseOp, ElementwiseOpDef } from "../ops/elementwise.js";
import { opProgram } from "../ops/program.js";
import { checkDType } from "./convert.js";
import { Tensor } from "./tensor.js";

/** A tensor, or a plain number or boolean that broadcasts like a zero-dim tensor of the other operand's dtype. */
export type TensorLike = Tensor | number | boolean;

function operand(x: TensorLike): Operand {
  return x instanceof Tensor ? { kind: "tensor", dtype: x.dtype, ndim: x.ndim } : { kind: "scalar", value: x };
}

/** Throws a TypeError naming the op unless `x` is a Tensor. */
export function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`);
}

function checkOperand(op: string, x: TensorLike): void {
  if (!(x instanceof Tensor) && typeof x !== "number" && typeof x !== "boolean") {
    throw new ArgumentError(`${op}: expected a Tensor, number or boolean, got ${x === null ? "null" : typeof x}`);
  }
}

/** `x` as a tensor of `dtype`: a constant for numbers, a (differentiable) cast for tensors of another dtype. */
export function asTensor(x: TensorLike, dtype: DType, backend: Backend = currentBackend()): Tensor {
  if (x instanceof Tensor) return x.dtype === dtype ? x : applyElementwise(opProgram("cast"), [x], checkDType("to", dtype));
  const v = typeof x === "boolean" ? (x ? 1 : 0) : x;
  return Tensor._create(backend.full(1, narrowScalar(v, dtype), computeDType(dtype)), [], dtype, backend);
}

// The operands' result type (PyTorch's promotion); the common case, tensors of one dtype, without building operands.
function promoted(values: readonly TensorLike[]): DType {
  const first = values[0];
  if (first instanceof Tensor) {
    let same = true;
    for (let i = 1; i < values.length; i++) {
      const v = values[i];
      if (!(v instanceof Tensor) || v.dtype !== first.dtype) same = false;
    }
    if (same) return first.dtype;
  }
  return resultType(values.map(operand));
}

function backendOf(xs: readonly TensorLike[]): Backend {
  for (const x of xs) if (x instanceof Tensor) return x._backend;
  return currentBackend();
}

/**
 * Op `name` of the registry on `args`: tensors and numbers are converted to the dtype the op's rule gives (a
 * float op on integers computes in float32, a test gives bool, …) and the op runs as one elementwise program.
 */
export function applyOp(name: ElementwiseOp, args: readonly TensorLike[]): Tensor {
  const def: ElementwiseOpDef = ELEMENTWISE[name];
  if (def.arity === 1 || def.dtype === "where") checkTensor(name, args[0]);
  for (let i = 0; i < args.length; i++) checkOperand(name, args[i]!);
  const backend = backendOf(args);
  const values = def.dtype === "where" ? args.slice(1) : args;
  let dtype = def.dtype === "logical" ? "bool" : def.dtype === "test" ? (args[0] as Tensor).dtype : promoted(values);
  if (def.dtype === "float" && !isFloating(dtype)) dtype = "float32";
  if (def.integral === true && isFloating(dtype)) {
    throw new DTypeError(`${name}: not implemented for ${dtype} tensors; it takes int32 and bool tensors, as in PyTorch (convert with .int())`);
  }
  if (dtype === "bool" && def.onBool !== undefined && def.dtype === "keep") {
    if (def.onBool === "logicalOr" || def.onBool === "logicalAnd" || def.onBool === "logicalNot") return applyOp(def.onBool, args);
    if (def.onBool === "error") throw new DTypeError(`${name}: not supported on bool tensors; ${def.boolHint ?? "convert with .to()"}`);
    dtype = "int32";
  }
  if (dtype === "int64" && def.integral === true) return int64Bitwise(name, args);
  if (name === "pow" && isIntegral(dtype) && typeof args[1] === "number" && args[1] < 0) {
    throw new DTypeError(`pow: integers to negative integer powers are not allowed (exponent ${args[1]}); convert the base with .float()`);
  }
  let inputs: Tensor[];
  if (def.dtype === "where") {
    const cond = args[0] as Tensor;
    if (cond.dtype !== "bool") throw new DTypeError(`where: the condition must be a bool tensor, got ${cond.dtype}; compare it (x.gt(0)) or convert it with .bool()`);
    inputs = [cond, ...values.map((v) => asTensor(v, dtype, backend))];
  } else {
    inputs = new Array<Tensor>(args.length);
    for (let i = 0; i < args.length; i++) inputs[i] = asTensor(args[i]!, dtype, backend);
  }
  const out = def.predicate === true ? "bool" : dtype;
  return applyElementwise(opProgram(name), inputs, out);
}

// int64 is computed in float64, where JavaScript's bitwise operators see only 32 bits: shifts become exact
// multiplications and floor divisions by powers of two, and the other bitwise ops run in int32 on values that fit it.
function int64Bitwise(name: ElementwiseOp, args: readonly TensorLike[]): Tensor {
  if (name === "bitwiseLeftShift") return applyOp("mul", [args[0]!, applyOp("pow", [2, asInt64(args[1]!)])]);
  if (name === "bitwiseRightShift") return applyOp("floorDivide", [args[0]!, applyOp("pow", [2, asInt64(args[1]!)])]);
  const narrow = args.map((a) => {
    if (!(a instanceof Tensor)) return a;
    const t = asTensor(a, "int64");
    const widest = t.numel() === 0 ? 0 : Math.max(t.max().item(), -t.min().item() - 1);
    if (widest > 2147483647) {
      throw new DTypeError(`${name}: int64 values beyond the int32 range (here ${widest}) are not supported: chainrule computes int64 in float64, whose bitwise operations are 32-bit`);
    }
    return t.to("int32");
  });
  return applyOp(name, narrow).to("int64");
}

// A shift count as an int64 tensor, so that 2^count is computed in float64 (exact) rather than in int32.
const asInt64 = (x: TensorLike): Tensor => asTensor(x, "int64");
