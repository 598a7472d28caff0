// What a training step allocates on the JavaScript heap, by function: V8's sampling heap profiler with the
// objects that minor and major GCs collected counted too (the garbage a step leaves is what it costs in
// scavenges and young-generation growth, and what the W5 peak-memory row sees).
//   npm run build && node --import tsx tools/alloc-profile.ts [w2|w4] [wasm|cpu] [steps] [--callers]
// It profiles what `dist/` holds, so functions come with their line in the compiled JavaScript (with
// `--conditions=chainrule-source` it runs the sources, but tsx's transform leaves every line at 1).
// `--callers` also lists built-ins (Map, push, an iterator's next…) by the function that called them.
import { Session } from "node:inspector/promises";
import * as cr from "chainrule";
import { elementwiseWorkload, mlpWorkload } from "../bench/workloads/chainrule.mjs";

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const byCallers = process.argv.includes("--callers");
const [workload = "w2", backendName = "wasm", stepsArg = "100"] = process.argv.slice(2).filter((a) => a !== "--callers");
const steps = Number(stepsArg);
if (!["w2", "w4"].includes(workload) || !["wasm", "cpu"].includes(backendName) || !(steps > 0)) {
  console.error("usage: tools/alloc-profile.ts [w2|w4] [wasm|cpu] [steps] [--callers]");
  process.exit(2);
}
if (backendName === "wasm") {
  cr.backends.wasm.warmUp();
  for (let i = 0; i < 100 && cr.backends.wasm.memoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
cr.setBackend(backendName);
const step = workload === "w2" ? mlpWorkload().step : elementwiseWorkload(1_000_000).run;
for (let i = 0; i < 50; i++) step(); // past the first compilations and allocations of lasting state

const session = new Session();
session.connect();
await session.post("HeapProfiler.enable");
// Every 256 bytes on average: fine enough for a few hundred KiB a step.
await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
for (let i = 0; i < steps; i++) step();
const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: ProfileNode } };
session.disconnect();

const where = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const builtins = new Map<string, number>();
let total = 0;
(function walk(node: ProfileNode, parent: ProfileNode | null): void {
  total += node.selfSize;
  self.set(where(node), (self.get(where(node)) ?? 0) + node.selfSize);
  // A built-in has no script: charge it to its caller too.
  if (parent !== null && node.callFrame.url === "" && node.selfSize > 0) {
    const key = `${node.callFrame.functionName || "(anonymous)"} <- ${where(parent)}`;
    builtins.set(key, (builtins.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, node);
})(profile.head, null);

const kib = (bytes: number) => (bytes / steps / 1024).toFixed(1).padStart(7);
console.log(`${workload} on ${backendName}, ${steps} steps: ~${(total / steps / 1024).toFixed(0)} KiB allocated a step (sampled)`);
for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${kib(bytes)} KiB  ${key}`);
if (byCallers) {
  console.log("built-ins by caller:");
  for (const [key, bytes] of [...builtins].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${kib(bytes)} KiB  ${key}`);
}
process.exit(0);
