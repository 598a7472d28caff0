// The wasm backend as tensors see it: its kernels, with large float32 elementwise ops fused (fusion.ts).
// Elementwise ops, scalar broadcasts, copies and sums over everything take pending expressions as they are
// (and return pending ones); every other kernel gets its operands evaluated first, and kernels that write in
// place first evaluate the expressions that read what they write.
import type { CompleteBackend, DataBuf, TensorData } from "../backend.js";
import { opProgram } from "../../ops/program.js";
import { sizeOf } from "../../shape.js";
import { beforeWrite, fuseCopy, fuseProgram, fuseSplat, fuseSum, fusionMinElements, isFused, realize, realizeTogether, releaseArray, releaseFused } from "./fusion.js";
import { getRuntime } from "./runtime.js";
import type { Runtime } from "./runtime.js";
import { isHeapArray } from "./tensors.js";
import type { HeapArray } from "./tensors.js";

type Method = (...args: unknown[]) => unknown;

// A kernel argument with any pending buffer in it evaluated: a buffer, a TensorData, or a list of them.
function evaluated(rt: Runtime, arg: unknown): unknown {
  if (typeof arg !== "object" || arg === null) return arg;
  if (isFused(arg)) return realize(rt, arg);
  if (Array.isArray(arg)) return arg.some((x) => typeof x === "object" && x !== null) ? arg.map((x) => evaluated(rt, x)) : arg;
  const buf = (arg as { buf?: unknown }).buf;
  return typeof buf === "object" && buf !== null && isFused(buf) ? { ...(arg as TensorData), buf: realize(rt, buf) } : arg;
}

const bufOf = (rt: Runtime, buf: DataBuf): DataBuf => (isFused(buf) ? realize(rt, buf) : buf);

// A kernel's arguments with their pending buffers evaluated: the same array when none is pending (most
// calls), so a call allocates nothing for it.
function evaluatedArgs(rt: Runtime, args: unknown[]): unknown[] {
  let out = args;
  for (let i = 0; i < args.length; i++) {
    const e = evaluated(rt, args[i]);
    if (e === args[i]) continue;
    if (out === args) out = args.slice();
    out[i] = e;
  }
  return out;
}

/** `kernels` with fusion in front of it. */
export function withFusion(kernels: CompleteBackend): CompleteBackend {
  // Every kernel first evaluates its operands; those below are replaced by fusion-aware versions.
  const plain = Object.fromEntries(
    Object.entries(kernels).map(([name, fn]) => [
      name,
      typeof fn !== "function" ? fn : function (this: unknown, ...args: unknown[]) {
        const rt = getRuntime();
        return (fn as Method).apply(kernels, rt === null ? args : evaluatedArgs(rt, args));
      },
    ]),
  ) as unknown as CompleteBackend;
  const copy = opProgram("cast");

  return {
    ...plain,
    elementwise(program, inputs, outShape, outDtype) {
      // A copy of a pending buffer (clone) is the same expression, pending too.
      if (program.key === copy.key && inputs[0]!.dtype === outDtype && isFused(inputs[0]!.buf)) {
        const fused = fuseCopy(inputs[0]!.buf);
        if (fused !== undefined) return fused;
      }
      const rt = getRuntime();
      if (rt === null) return kernels.elementwise(program, inputs, outShape, outDtype);
      const size = sizeOf(outShape);
      const fused = size >= fusionMinElements() && outDtype === "float32" && inputs.every((x) => x.dtype === "float32") ? fuseProgram(rt, program, inputs.map((x) => x.buf), size) : undefined;
      return fused ?? kernels.elementwise(program, evaluatedArgs(rt, inputs as unknown[]) as readonly TensorData[], outShape, outDtype);
    },
    expand(x, outShape) {
      const fused = x.dtype === "float32" && sizeOf(x.shape) === 1 && getRuntime()?.shared === true ? fuseSplat(kernels.readSync!(bufOf(getRuntime()!, x.buf), "float32", 1)[0]!, sizeOf(outShape)) : undefined;
      return fused ?? plain.expand(x, outShape);
    },
    reduce(op, x, axes, outDtype) {
      const fused = op === "sum" && isFused(x.buf) && axes.length === x.shape.length && outDtype === "float32" ? fuseSum(x.buf) : undefined;
      return fused ?? plain.reduce(op, x, axes, outDtype);
    },
    assign(dst, src) {
      const rt = getRuntime();
      if (rt === null) return kernels.assign(dst, src);
      const target = bufOf(rt, dst);
      beforeWrite(rt, target);
      kernels.assign(target, evaluated(rt, src) as TensorData);
    },
    scatterStrided(dst, src, view, accumulate) {
      const rt = getRuntime();
      if (rt === null) return kernels.scatterStrided(dst, src, view, accumulate);
      const target = bufOf(rt, dst);
      beforeWrite(rt, target);
      kernels.scatterStrided(target, evaluated(rt, src) as TensorData, view, accumulate);
    },
    adamUpdate(p, g, m, v, vmax, h) {
      const rt = getRuntime();
      if (rt === null) return kernels.adamUpdate(p, g, m, v, vmax, h);
      const [pd, gd] = [evaluated(rt, p) as TensorData, evaluated(rt, g) as TensorData];
      const [mb, vb, vmaxb] = [bufOf(rt, m), bufOf(rt, v), vmax === null ? null : bufOf(rt, vmax)];
      for (const written of [pd.buf, mb, vb, vmaxb]) if (written !== null) beforeWrite(rt, written);
      kernels.adamUpdate(pd, gd, mb, vb, vmaxb, h);
    },
    // A view may be written through (dataView): pending expressions reading it are evaluated first.
    ...(kernels.view === undefined ? {} : {
      view(buf: DataBuf) {
        const rt = getRuntime();
        if (rt === null) return kernels.view!(buf);
        const arr = bufOf(rt, buf);
        beforeWrite(rt, arr);
        return kernels.view!(arr);
      },
    }),
    evaluate(bufs) {
      const rt = getRuntime();
      if (rt !== null) realizeTogether(rt, bufs.filter(isFused));
    },
    release(buf) {
      const rt = getRuntime();
      if (rt !== null && isFused(buf)) releaseFused(rt, buf);
      else if (rt !== null && isHeapArray(buf)) releaseArray(rt, buf as HeapArray);
      else kernels.release?.(buf);
    },
    ownsMemory: (buf) => isFused(buf) || (kernels.ownsMemory?.(buf) ?? false),
  };
}
