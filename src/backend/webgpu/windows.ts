// Sliding windows on the GPU: im2col (`unfold`), its adjoint (`fold`, a thread per image element summing the
// columns that read it, so no two threads write one place), and max pooling's winners, a thread per window.
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { windowOut } from "../../shape.js";
import type { TensorData, Window2d } from "../backend.js";
import { bindingDecl, blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { newBuf } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { dispatch, groupsFor, pipelineFor } from "./queue.js";

// Parameters: count, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, then (unfold) the padding's value bits.
function geometry(n: number, shape: Shape, w: Window2d): number[] {
  const [, , h, wd] = shape as [number, number, number, number];
  const oh = windowOut(h, w.kernel[0], w.stride[0], w.padding[0], w.dilation[0]);
  const ow = windowOut(wd, w.kernel[1], w.stride[1], w.padding[1], w.dilation[1]);
  return [n, h, wd, w.kernel[0], w.kernel[1], w.stride[0], w.stride[1], w.padding[0], w.padding[1], w.dilation[0], w.dilation[1], oh, ow];
}

const NAMES = [
  "  let H = s(1u); let W = s(2u); let kh = s(3u); let kw = s(4u); let sh = s(5u); let sw = s(6u);",
  "  let ph = s(7u); let pw = s(8u); let dh = s(9u); let dw = s(10u); let oh = s(11u); let ow = s(12u);",
].join("\n");

/** `[N, C, H, W]` → `[N, C·kh·kw, L]`: column (c, ki, kj) row, window position (y, x). */
export function unfoldGpu(x: TensorData, w: Window2d, outShape: Shape): GpuBuf {
  const n = sizeOf(outShape);
  const out = newBuf(x.dtype, n);
  if (n === 0) return out;
  const pad = new Uint32Array(x.dtype === "float32" ? Float32Array.of(w.padValue).buffer : Int32Array.of(w.padValue).buffer)[0]!;
  const code = [
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "o", x.dtype, "read_write"),
    paramDecl(2, 14),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    NAMES,
    "  let l = oh * ow;",
    "  let xx = i32(i) % ow; let y = (i32(i) / ow) % oh;",
    "  let r = i32(i) / l;",
    "  let kj = r % kw; let ki = (r / kw) % kh; let plane = r / (kw * kh);",
    "  let iy = y * sh - ph + ki * dh; let ix = xx * sw - pw + kj * dw;",
    "  if (iy >= 0 && iy < H && ix >= 0 && ix < W) { o[i] = x[(plane * H + iy) * W + ix]; }",
    `  else { o[i] = bitcast<${x.dtype === "float32" ? "f32" : x.dtype === "int32" ? "i32" : "u32"}>(u(13u)); }`,
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(x), out.block!], words([...geometry(n, x.shape, w), pad]), groupsFor(n));
  return out;
}

/** The adjoint of unfold: each image element the sum of the column entries that read it. */
export function foldGpu(cols: TensorData, w: Window2d, outShape: Shape): GpuBuf {
  const n = sizeOf(outShape);
  const out = newBuf(cols.dtype, n);
  if (n === 0) return out;
  const zero = cols.dtype === "float32" ? "0.0" : "0";
  const code = [
    bindingDecl(0, "cols", cols.dtype, "read"),
    bindingDecl(1, "o", cols.dtype, "read_write"),
    paramDecl(2, 13),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    NAMES,
    "  let l = oh * ow;",
    "  let ix = i32(i) % W; let iy = (i32(i) / W) % H; let plane = i32(i) / (W * H);",
    `  var sum = ${zero};`,
    "  for (var ki = 0; ki < kh; ki++) {",
    "    let ty = iy + ph - ki * dh;",
    "    if (ty < 0 || ty % sh != 0 || ty / sh >= oh) { continue; }",
    "    for (var kj = 0; kj < kw; kj++) {",
    "      let tx = ix + pw - kj * dw;",
    "      if (tx < 0 || tx % sw != 0 || tx / sw >= ow) { continue; }",
    "      sum += cols[((plane * kh + ki) * kw + kj) * l + (ty / sh) * ow + tx / sw];",
    "    }",
    "  }",
    "  o[i] = sum;",
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(cols), out.block!], words(geometry(n, outShape, w)), groupsFor(n));
  return out;
}

/** Each window's winner (flat index within its plane): the first largest in-image element, or the last NaN. */
export function maxPool2dIndicesGpu(x: TensorData, w: Window2d, outShape: Shape): GpuBuf {
  const n = sizeOf(outShape);
  const out = newBuf("int32", n);
  if (n === 0) return out;
  const float = x.dtype === "float32";
  const code = [
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "o", "int32", "read_write"),
    paramDecl(2, 13),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    NAMES,
    "  let xx = i32(i) % ow; let y = (i32(i) / ow) % oh; let plane = i32(i) / (oh * ow);",
    "  var y0 = y * sh - ph; let y1 = min(y0 + (kh - 1) * dh + 1, H);",
    "  while (y0 < 0) { y0 += dh; }",
    "  var x0 = xx * sw - pw; let x1 = min(x0 + (kw - 1) * dw + 1, W);",
    "  while (x0 < 0) { x0 += dw; }",
    `  var best = ${float ? "cr_f32(0xff800000u)" : "i32(-2147483647 - 1)"};`,
    "  var first = true;",
    "  var at = y0 * W + x0;",
    "  for (var iy = y0; iy < y1; iy += dh) {",
    "    for (var ix = x0; ix < x1; ix += dw) {",
    "      let v = x[(plane * H + iy) * W + ix];",
    float
      ? "      if (v > best || cr_isnan(v)) { best = v; at = iy * W + ix; }"
      : "      if (v > best || (first && v == best)) { best = v; at = iy * W + ix; }",
    "      first = false;",
    "    }",
    "  }",
    "  o[i] = at;",
    "}",
  ].join("\n");
  const helpers = float ? ["fn cr_f32(bits: u32) -> f32 { return bitcast<f32>(bits); }", "fn cr_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }"] : [];
  dispatch(pipelineFor([...helpers, code].join("\n")), [blockOfT(x), out.block!], words(geometry(n, x.shape, w)), groupsFor(n));
  return out;
}
