// The webgpu backend's fused attention kernels (attention.ts) against the composite of its core
// (attention-fallback.ts, which stores the L×S scores), forward and backward, causal, in one process: alternating
// runs, the medians and their ratio. On a machine without a GPU, point Dawn at SwiftShader (test/webgpu.test.ts):
//   VK_ICD_FILENAMES=<dir>/vk_swiftshader_icd.json LD_LIBRARY_PATH=<dir> \
//     node --conditions=chainrule-source --import tsx tools/webgpu-attention-ab.ts [batch] [length] [headSize] [rounds]
import * as cr from "chainrule";
import { attentionBackwardFallback, attentionFallback } from "../src/backend/attention-fallback.js";
import type { TensorData } from "../src/backend/backend.js";
import { webgpuBackend as b } from "../src/backend/webgpu/index.js";
import { attentionDims, attentionSavedSize } from "../src/ops/attention-params.js";

const arg = (i: number, d: number) => Number(process.argv[2 + i] ?? d);
const n = arg(0, 4), l = arg(1, 256), e = arg(2, 32), rounds = arg(3, 5);
const info = await cr.backends.webgpu.init();
const operand = (): TensorData => ({ buf: b.fromArray(Float32Array.from({ length: n * l * e }, () => Math.random() - 0.5)), shape: [n, l, e], dtype: "float32" });
const [q, k, v, g] = [operand(), operand(), operand(), operand()];
const p = { scale: 1 / Math.sqrt(e), causal: true };
const saved = attentionSavedSize(attentionDims(q.shape, k.shape, v.shape));

async function step(fused: boolean): Promise<number> {
  const t = performance.now();
  const fwd = fused ? b.attention(q, k, v, null, p) : attentionFallback(b, q, k, v, null, p);
  const s: TensorData = { buf: fwd, shape: [saved], dtype: "float32" };
  const bwd = fused ? b.attentionBackward(g, q, k, v, s, null, p) : attentionBackwardFallback(b, g, q, k, v, s, null, p);
  await b.read(bwd, "float32", 1);
  b.release!(fwd);
  b.release!(bwd);
  return performance.now() - t;
}

await step(true);
await step(false);
const fused: number[] = [], composite: number[] = [];
for (let r = 0; r < rounds; r++) {
  fused.push(await step(true));
  composite.push(await step(false));
}
const median = (x: number[]) => x.sort((a, c) => a - c)[x.length >> 1]!;
console.log(`${info.description}: attention forward+backward, causal, [${n}, ${l}, ${e}]: fused ${median(fused).toFixed(1)} ms, composite ${median(composite).toFixed(1)} ms, composite/fused ${(median(composite) / median(fused)).toFixed(2)}`);
process.exit(0);
