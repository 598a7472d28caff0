// Elementwise programs (expressions of the op registry's instructions) as ONNX nodes: one node, or a short
// formula of nodes, per instruction; constants become scalar initializers of the type they compute in.
import type { DType } from "../dtype.js";
import type { Expr } from "../ops/expr.js";
import type { Program } from "../ops/program.js";
import { ONNX_DTYPE } from "./model.js";
import type { GraphBuilder} from "./builder.js";
import { attr, OnnxExportError } from "./builder.js";

type Emit = (b: GraphBuilder, args: string[], t: DType) => string;

const unary = (opType: string): Emit => (b, [x]) => b.op(opType, [x!]);
const binary = (opType: string): Emit => (b, [x, y]) => b.op(opType, [x!, y!]);
const LN2 = Math.LN2;
const LN10 = Math.LN10;

/** Each instruction's ONNX form, over its operands' names, in the type `t` it computes in. */
const INSTRUCTIONS: Partial<Record<string, Emit>> = {
  add: binary("Add"), sub: binary("Sub"), mul: binary("Mul"), div: binary("Div"), pow: binary("Pow"),
  maximum: binary("Max"), minimum: binary("Min"),
  neg: unary("Neg"), abs: unary("Abs"), sqrt: unary("Sqrt"), exp: unary("Exp"), log: unary("Log"),
  sin: unary("Sin"), cos: unary("Cos"), tan: unary("Tan"), tanh: unary("Tanh"), sigmoid: unary("Sigmoid"),
  relu: unary("Relu"), erf: unary("Erf"), sign: unary("Sign"), floor: unary("Floor"), ceil: unary("Ceil"),
  // Both round half to even.
  round: unary("Round"),
  asin: unary("Asin"), acos: unary("Acos"), atan: unary("Atan"), sinh: unary("Sinh"), cosh: unary("Cosh"),
  asinh: unary("Asinh"), acosh: unary("Acosh"), atanh: unary("Atanh"), reciprocal: unary("Reciprocal"),
  rsqrt: (b, [x]) => b.op("Reciprocal", [b.op("Sqrt", [x!])]),
  square: (b, [x]) => b.op("Mul", [x!, x!]),
  log1p: (b, [x], t) => b.op("Log", [b.op("Add", [x!, b.scalar(1, t)])]),
  expm1: (b, [x], t) => b.op("Sub", [b.op("Exp", [x!]), b.scalar(1, t)]),
  log2: (b, [x], t) => b.op("Div", [b.op("Log", [x!]), b.scalar(LN2, t)]),
  log10: (b, [x], t) => b.op("Div", [b.op("Log", [x!]), b.scalar(LN10, t)]),
  exp2: (b, [x], t) => b.op("Pow", [b.scalar(2, t), x!]),
  trunc: (b, [x]) => b.op("Mul", [b.op("Sign", [x!]), b.op("Floor", [b.op("Abs", [x!])])]),
  // mish(x) = x · tanh(softplus(x))
  mish: (b, [x]) => b.op("Mul", [x!, b.op("Tanh", [b.op("Softplus", [x!])])]),
  gt: binary("Greater"), ge: binary("GreaterOrEqual"), lt: binary("Less"), le: binary("LessOrEqual"),
  eq: binary("Equal"), ne: (b, [x, y]) => b.op("Not", [b.op("Equal", [x!, y!])]),
  logicalAnd: binary("And"), logicalOr: binary("Or"), logicalXor: binary("Xor"), logicalNot: unary("Not"),
  isnan: unary("IsNaN"), isinf: unary("IsInf"),
  isfinite: (b, [x]) => b.op("Not", [b.op("Or", [b.op("IsNaN", [x!]), b.op("IsInf", [x!])])]),
  where: (b, [c, x, y]) => b.op("Where", [c!, x!, y!]),
};

const BOOL_RESULT = new Set(["gt", "ge", "lt", "le", "eq", "ne", "logicalAnd", "logicalOr", "logicalXor", "logicalNot", "isnan", "isinf", "isfinite"]);

/** The elementwise instructions the exporter maps (for the docs and the error message). */
export const MAPPED_INSTRUCTIONS: readonly string[] = [...Object.keys(INSTRUCTIONS), "cast"];

/**
 * Emits `program` over the operands named `args` (of dtypes `argTypes`), its result of `dtype`; returns the
 * result's name. Throws an OnnxExportError naming an instruction without an ONNX form.
 */
export function emitProgram(b: GraphBuilder, program: Program, args: readonly string[], argTypes: readonly DType[], dtype: DType): string {
  // The type each node computes in: an input's own, a test's bool, a cast's target, else its first typed operand's.
  const typeOf = (e: Expr, context: DType): DType => {
    if (e.kind === "input") return argTypes[e.index]!;
    if (e.kind === "const") return context;
    if (BOOL_RESULT.has(e.op)) return "bool";
    if (e.op === "cast") return dtype;
    const operands = e.op === "where" ? e.args.slice(1) : e.args;
    for (const a of operands) if (a.kind !== "const") return typeOf(a, context);
    return context;
  };
  const emit = (e: Expr, context: DType): string => {
    if (e.kind === "input") return args[e.index]!;
    if (e.kind === "const") return b.scalar(context === "bool" ? e.value !== 0 : e.value, context);
    if (e.op === "cast") {
      return b.op("Cast", [emit(e.args[0]!, dtype)], [attr.int("to", ONNX_DTYPE[dtype])]);
    }
    const form = INSTRUCTIONS[e.op];
    if (form === undefined) {
      throw new OnnxExportError(`onnx.export: no ONNX mapping for the elementwise op '${e.op}' (in ${program.name}: ${program.key}); mapped: ${MAPPED_INSTRUCTIONS.join(", ")}`);
    }
    // Operands compute in one type (a test's operands in theirs, where's condition in bool).
    const operands = e.op === "where" ? e.args.slice(1) : e.args;
    let t: DType = context;
    for (const a of operands) if (a.kind !== "const") { t = typeOf(a, context); break; }
    const names = e.args.map((a, i) => emit(a, e.op === "where" && i === 0 ? "bool" : t));
    return form(b, names, t);
  };
  return emit(program.expr, dtype);
}
