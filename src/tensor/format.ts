// How a tensor prints: PyTorch's layout (`tensor([[1., 2.], …], requiresGrad=true)`), summarised when large.
import { stridesOf } from "../shape.js";
import type { Tensor } from "./tensor.js";
import { isFloating } from "../dtype.js";

const EDGE = 3;
const THRESHOLD = 1000;

function formatNumber(v: number | boolean, dtype: string, fixed: number | null): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (dtype === "int32" || dtype === "int8" || dtype === "uint8" || dtype === "int16" || dtype === "int64") return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  // Two-digit exponents, as PyTorch prints them: 1.0000e-05.
  if (fixed === null) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  if (fixed === 0) return `${v.toFixed(0)}.`;
  return v.toFixed(fixed);
}

// Integers print as `1.`, small ranges with 4 decimals, very large or small magnitudes in exponent form.
// One pass with plain loops: spreading a million values into Math.max would overflow the stack.
function chooseFormat(values: ArrayLike<number>): number | null {
  let any = false;
  let integral = true;
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    any = true;
    const a = Math.abs(v);
    if (!Number.isInteger(v)) integral = false;
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
  }
  if (!any) return 4;
  if (integral && maxAbs < 1e8) return 0;
  if (maxAbs >= 1e8 || minAbs < 1e-4) return null;
  return 4;
}

// Renders straight from the flat data, visiting only the elements shown (the first and last
// EDGE along each dim when summarising), so printing a large tensor costs little.
function render(data: ArrayLike<number>, shape: readonly number[], strides: readonly number[], depth: number, offset: number,
  summarise: boolean, fmt: (i: number) => string): string {
  if (depth === shape.length) return fmt(offset);
  const n = shape[depth]!;
  const sub = (i: number) => render(data, shape, strides, depth + 1, offset + i * strides[depth]!, summarise, fmt);
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => sub(a + k));
  const items = summarise && n > 2 * EDGE ? [...range(0, EDGE), "...", ...range(n - EDGE, n)] : range(0, n);
  const ndim = shape.length;
  const sep = depth === ndim - 1 ? ", " : `,${"\n".repeat(ndim - depth - 1)}${" ".repeat(depth + 8)}`;
  return `[${items.join(sep)}]`;
}

export function formatTensor(t: Tensor): string {
  // A tensor a backend reads only asynchronously (a GPU's) prints what is known without reading it.
  if (!t.readsSynchronously) return `tensor(shape=[${t.shape.join(", ")}], dtype=${t.dtype}, device=${t.device}; read it with await t.data())`;
  const data = t.toTypedArray();
  const summarise = data.length > THRESHOLD;
  const fixed = isFloating(t.dtype) ? chooseFormat(data) : 0;
  const fmt = (i: number) => formatNumber(t.dtype === "bool" ? data[i] !== 0 : data[i]!, t.dtype, fixed);
  const body = render(data, t.shape, stridesOf(t.shape), 0, 0, summarise, fmt);
  const extras: string[] = [];
  if (t.dtype !== "float32" && t.dtype !== "bool") extras.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.length > 0 ? `, ${extras.join(", ")}` : ""})`;
}
