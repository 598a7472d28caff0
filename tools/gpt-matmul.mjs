// The wasm matmul on W7's GPT shapes (forward and backward products of a step), GFLOP/s median and best of 15
// batches of 10, for comparison with PyTorch's on one thread (tools/gpt_matmul_torch.py):
//   THREADS=1 node --conditions=chainrule-source --import tsx tools/gpt-matmul.mjs
import { performance } from "node:perf_hooks";
import * as cr from "chainrule";
cr.setBackend("wasm");
if (process.env.THREADS) cr.backends.wasm.setThreads(Number(process.env.THREADS));
const shapes = [[768, 128, 384], [128, 768, 384], [768, 128, 512], [768, 512, 128], [768, 128, 128], [768, 384, 128], [768, 128, 83]];
for (const [m, k, n] of shapes) {
  const a = cr.randn([m, k]), b = cr.randn([k, n]);
  const ts = [];
  for (let r = 0; r < 20; r++) cr.tidy(() => { const t = performance.now(); for (let i = 0; i < 10; i++) cr.matmul(a, b); ts.push((performance.now() - t) / 10); });
  ts.splice(0, 5); ts.sort((x, y) => x - y);
  console.log(`${m}x${k}x${n} chainrule ${(2 * m * k * n / ts[7] / 1e6).toFixed(1)} GFLOP/s (best ${(2 * m * k * n / ts[0] / 1e6).toFixed(1)})`);
}
