// How a tensor prints: PyTorch's layout (`tensor([[1., 2.], …], requiresGrad=true)`), summarised when large.
import { toNested } from "./convert.js";
import type { NestedList } from "./convert.js";
import type { Tensor } from "./tensor.js";

const EDGE = 3;
const THRESHOLD = 1000;

function formatNumber(v: number | boolean, dtype: string, fixed: number | null): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (dtype === "int32") return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  // Two-digit exponents, as PyTorch prints them: 1.0000e-05.
  if (fixed === null) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  if (fixed === 0) return `${v.toFixed(0)}.`;
  return v.toFixed(fixed);
}

// Integers print as `1.`, small ranges with 4 decimals, very large or small magnitudes in exponent form.
function chooseFormat(values: number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return 4;
  if (finite.every((v) => Number.isInteger(v)) && finite.every((v) => Math.abs(v) < 1e8)) return 0;
  const maxAbs = Math.max(...finite.map(Math.abs));
  const minAbs = Math.min(...finite.filter((v) => v !== 0).map(Math.abs), Infinity);
  if (maxAbs >= 1e8 || (minAbs !== Infinity && minAbs < 1e-4)) return null;
  return 4;
}

function render(node: NestedList, depth: number, ndim: number, summarise: boolean, fmt: (v: number | boolean) => string): string {
  if (!Array.isArray(node)) return fmt(node);
  const sub = (n: NestedList) => render(n, depth + 1, ndim, summarise, fmt);
  const items = summarise && node.length > 2 * EDGE
    ? [...node.slice(0, EDGE).map(sub), "...", ...node.slice(-EDGE).map(sub)]
    : node.map(sub);
  const sep = depth === ndim - 1 ? ", " : `,${"\n".repeat(ndim - depth - 1)}${" ".repeat(depth + 8)}`;
  return `[${items.join(sep)}]`;
}

export function formatTensor(t: Tensor): string {
  const data = t.toTypedArray();
  const summarise = data.length > THRESHOLD;
  const values = Array.from(data as ArrayLike<number>);
  const fixed = t.dtype === "float32" || t.dtype === "float64" ? chooseFormat(values) : 0;
  const fmt = (v: number | boolean) => formatNumber(v, t.dtype, fixed);
  const nested = toNested(data, t.shape, t.dtype);
  const body = render(nested, 0, t.ndim, summarise, fmt);
  const extras: string[] = [];
  if (t.dtype === "float64" || t.dtype === "int32") extras.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.length > 0 ? `, ${extras.join(", ")}` : ""})`;
}
