// Running reductions on the GPU: a thread per slice along the axis walks it in order, as the cpu's loop does (so
// sums round as the cpu's), writing each prefix. One dispatch, no temporaries; the core's composite (a
// Hillis–Steele scan) takes log₂ n passes of shifted copies. The running extreme's index compares the values'
// order-preserving bit keys (sort.ts), exact where a GPU flushes subnormals in float comparisons.
import type { ScanOp } from "../../ops/params.js";
import { wgslHelpersFor } from "../../ops/wgsl-math.js";
import { sizeOf } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { bindingDecl, blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { newBuf } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { dispatch, groupsFor, pipelineFor } from "./queue.js";
import { KEY } from "./sort.js";

// acc ⊕ v for each running reduction; log-sum-exp as the composite's: log1p(exp(lo − hi)) + hi, NaN propagating,
// equal infinities kept.
const COMBINE: Record<ScanOp, string> = {
  sum: "acc + v",
  prod: "acc * v",
  logsumexp: "select(acc, cr_log1p(cr_exp(cr_minimum(acc, v) - cr_maximum(acc, v))) + cr_maximum(acc, v), cr_minimum(acc, v) != cr_maximum(acc, v) || cr_isfinite(cr_minimum(acc, v)))",
};

// Parameters: rows, n (the axis's length), inner (its stride). Row r's element j at (r / inner)·n·inner + j·inner + r % inner.
const HEAD = [
  "  if (i >= u(0u)) { return; }",
  "  let n = u(1u); let inner = u(2u);",
  "  let base = (i / inner) * n * inner + i % inner;",
];

function rowsOf(x: TensorData, axis: number): { rows: number; n: number; inner: number } {
  const n = x.shape[axis] ?? 1, inner = sizeOf(x.shape.slice(axis + 1));
  return { rows: sizeOf(x.shape.slice(0, axis)) * inner, n, inner };
}

/** The running sum, product or log-sum-exp of `x` (float32 or int32) along `axis`. */
export function cumulativeGpu(op: ScanOp, x: TensorData, axis: number): GpuBuf {
  const { rows, n, inner } = rowsOf(x, axis);
  const out = newBuf(x.dtype, rows * n);
  if (rows * n === 0) return out;
  const body = [
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "o", x.dtype, "read_write"),
    paramDecl(2, 3),
    THREAD_MAIN,
    ...HEAD,
    "  var acc = x[base];",
    "  o[base] = acc;",
    "  for (var j = 1u; j < n; j++) {",
    "    let at = base + j * inner;",
    "    let v = x[at];",
    `    acc = ${COMBINE[op]};`,
    "    o[at] = acc;",
    "  }",
    "}",
  ].join("\n");
  dispatch(pipelineFor([...wgslHelpersFor(body), body].join("\n")), [blockOfT(x), out.block!], words([rows, n, inner]), groupsFor(rows));
  return out;
}

/** The index (int32) of the running maximum or minimum along `axis`: an equal later element takes over, NaN stays. */
export function cumulativeIndexGpu(op: "max" | "min", x: TensorData, axis: number): GpuBuf {
  const { rows, n, inner } = rowsOf(x, axis);
  const out = newBuf("int32", rows * n);
  if (rows * n === 0) return out;
  // NaN's key (floats only) is 0xffffffff: every NaN takes over, and no later number displaces one.
  const cmp = op === "max" ? "k >= best" : "k <= best";
  const takes = x.dtype === "float32" ? `k == 0xffffffffu || (best != 0xffffffffu && ${cmp})` : cmp;
  const code = [
    "@group(0) @binding(0) var<storage, read> x: array<u32>;",
    bindingDecl(1, "o", "int32", "read_write"),
    paramDecl(2, 3),
    KEY[x.dtype as keyof typeof KEY],
    THREAD_MAIN,
    ...HEAD,
    "  var best = key(x[base]);",
    "  var at = 0;",
    "  o[base] = 0;",
    "  for (var j = 1u; j < n; j++) {",
    "    let k = key(x[base + j * inner]);",
    `    if (${takes}) { best = k; at = i32(j); }`,
    "    o[base + j * inner] = at;",
    "  }",
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(x), out.block!], words([rows, n, inner]), groupsFor(rows));
  return out;
}
