// The GPU measurements of issue 26, in one run on one card: matmul 4096×4096 fp32 (GFLOP/s and fraction of the
// card's fp32 peak) for chainrule's webgpu backend, TF.js's webgpu backend and jax-js's webgpu device under Node
// with Dawn, and PyTorch CUDA (tf32 off: fp32 without tensor cores) where the machine has it; one training step of
// the MNIST MLP (W2: 784-256-256-10, batch 128, Adam) and of the GPT (4 layers, 4 heads, 128 wide, block 64,
// batch 12, AdamW) on chainrule webgpu.
//
//   npm run build && node bench/gpu.mjs [--quick | --tiny] [--json results.json] [--peak-tflops 51.2] [--icd file.json]
//
// --tiny runs every measurement end to end at toy sizes (matmul 64×64, a one-layer GPT 32 wide, one call per round):
// a check that the script works, on SwiftShader (`--tiny --icd …/vk_swiftshader_icd.json`) before a GPU run, not a
// measurement.
//
// Dawn reaches an NVIDIA GPU through the Vulkan loader (libvulkan.so.1) and the driver's ICD. Where the machine has
// no loader, the one @sparticuz/chromium ships is used (unpacked as test/helpers/browser.ts does); where it has no
// ICD file but the driver's libGLX_nvidia.so.0, one is written. Both are environment variables the loader reads at
// start-up, so the measurements run in a child process. --icd names an ICD file to use instead (SwiftShader's, to
// try this script without a GPU: its figures are not a GPU's).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { W2, median, w2Problem } from "./lib/data.mjs";

const { values: args } = parseArgs({
  options: {
    child: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    tiny: { type: "boolean", default: false },
    json: { type: "string", default: "" },
    "peak-tflops": { type: "string", default: "" },
    icd: { type: "string", default: "" },
    only: { type: "string", default: "" },
  },
});
const N = args.tiny ? 64 : args.quick ? (args.icd === "" ? 1024 : 256) : 4096;
/** Calls per timed round: `quick`'s with --quick, one with --tiny, else `full`. */
const reps = (quick, full) => (args.tiny ? 1 : args.quick ? quick : full);
const wanted = (name) => args.only === "" || args.only.split(",").includes(name);

/** FP32 peaks (TFLOP/s, no tensor cores) of cards by the name nvidia-smi gives, from NVIDIA's data sheets. */
const PEAKS = [
  [/H200/, 66.9], [/H100.*NVL/, 60.0], [/H100.*PCIe/, 51.2], [/H100/, 66.9], [/A100/, 19.5], [/L40S/, 91.6], [/L40/, 90.5],
  [/L4\b/, 30.3], [/A10\b/, 31.2], [/RTX 4090/, 82.6], [/V100/, 15.7], [/T4\b/, 8.1],
];

// ---- the child: every measurement that needs the GPU through Dawn ----

/** Milliseconds per call of `run`, `reps` calls issued back to back and waited for once (`wait`), after a warm-up. */
async function perCall(run, wait, reps) {
  for (let i = 0; i < 2; i++) run();
  await wait();
  const times = [];
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    await wait();
    times.push((performance.now() - t0) / reps);
  }
  return median(times);
}

function randomArray(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

async function chainruleMatmul(cr) {
  const [A, B] = [cr.tensor(randomArray(N * N, 1)).reshape([N, N]), cr.tensor(randomArray(N * N, 2)).reshape([N, N])];
  let last = null;
  const ms = await perCall(() => {
    last?.dispose();
    last = cr.matmul(A, B);
  }, () => cr.backends.webgpu.synchronize(), reps(3, 10));
  // Checked against the cpu on a corner: a benchmark of a wrong product is worthless.
  const got = await last.slice(0, 0, 4).slice(1, 0, 4).data();
  const want = (await A.slice(0, 0, 4).toAsync("cpu")).matmul(await B.slice(1, 0, 4).toAsync("cpu")).toTypedArray();
  for (let i = 0; i < 16; i++) if (Math.abs(got[i] - want[i]) > 1e-3 * (1 + Math.abs(want[i]))) throw new Error(`chainrule's product is wrong at ${i}: ${got[i]} vs ${want[i]}`);
  return ms;
}

/** Gives the peers what a browser gives them: `navigator.gpu` (a Dawn instance of their own) and WebGPU's globals. */
async function browserLikeGlobals() {
  const { create, globals } = await import("webgpu");
  for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  if (globalThis.navigator === undefined) Object.defineProperty(globalThis, "navigator", { value: { userAgent: `Node.js/${process.version}` }, configurable: true, writable: true });
  if (!("gpu" in globalThis.navigator)) Object.defineProperty(globalThis.navigator, "gpu", { value: create([]), configurable: true });
}

async function tfjsMatmul() {
  const tf = await import("@tensorflow/tfjs");
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("TF.js's webgpu backend did not start");
  await tf.ready();
  const [A, B] = [tf.tensor2d(randomArray(N * N, 1), [N, N]), tf.tensor2d(randomArray(N * N, 2), [N, N])];
  let last = null;
  const ms = await perCall(() => {
    last?.dispose();
    last = tf.matMul(A, B);
  }, async () => void (await last.data()), reps(3, 10));
  return { ms, version: tf.version.tfjs };
}

async function jaxMatmul() {
  const jax = await import("@jax-js/jax");
  const got = await jax.init("webgpu");
  if (!got.includes("webgpu")) throw new Error(`jax-js found no webgpu device (${got.join(", ")})`);
  jax.defaultDevice("webgpu");
  const np = jax.numpy;
  const [A, B] = [np.array(randomArray(N * N, 1)).reshape([N, N]), np.array(randomArray(N * N, 2)).reshape([N, N])];
  const mm = jax.jit((a, b) => np.matmul(a, b));
  let last = null;
  const ms = await perCall(() => {
    last?.dispose();
    last = mm(A.ref, B.ref);
  }, async () => void (await jax.blockUntilReady(last.ref)), reps(3, 10));
  return { ms };
}

async function w2Step(cr) {
  const { weights, x, y } = w2Problem();
  const model = new cr.nn.Sequential(new cr.nn.Linear(W2.inputs, W2.hidden), new cr.nn.ReLU(), new cr.nn.Linear(W2.hidden, W2.hidden), new cr.nn.ReLU(), new cr.nn.Linear(W2.hidden, W2.classes));
  const layers = [[0, "W1", "b1", W2.inputs, W2.hidden], [2, "W2", "b2", W2.hidden, W2.hidden], [4, "W3", "b3", W2.hidden, W2.classes]];
  cr.noGrad(() => {
    for (const [i, w, b, fanIn, fanOut] of layers) {
      const layer = model.children()[i];
      layer.weight.copy_(cr.tensor(weights[w]).reshape([fanIn, fanOut]).t());
      layer.bias.copy_(cr.tensor(weights[b]));
    }
  });
  const opt = new cr.optim.Adam(model.parameters(), { lr: W2.lr, betas: W2.betas, eps: W2.eps });
  const X = cr.tensor(x).reshape([W2.batch, W2.inputs]), Y = cr.tensor(Int32Array.from(y));
  const step = () => cr.tidy(() => {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(X), Y);
    loss.backward();
    opt.step();
    return loss.detach();
  });
  // Back to back (the GPU's throughput), and with the loss read every step (what a loop printing it waits for).
  const pipelined = await perCall(() => void step(), () => cr.backends.webgpu.synchronize(), reps(20, 200));
  const reads = [];
  for (let i = 0; i < reps(10, 50); i++) {
    const t0 = performance.now();
    const loss = step();
    await loss.itemAsync();
    reads.push(performance.now() - t0);
  }
  return { pipelined, read: median(reads) };
}

async function gptStep(cr) {
  if (cr.models?.GPT === undefined) throw new Error("cr.models.GPT is not in this build");
  const text = cr.data.mobyDick();
  const tok = cr.data.CharTokenizer.fromText(text);
  const { train } = cr.data.trainValSplit(tok.encode(text));
  const size = args.tiny ? { blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, batch: 2 } : { blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, batch: 12 };
  const data = new cr.data.TokenWindows(train, size.blockSize);
  cr.manualSeed(0);
  const model = new cr.models.GPT({ vocabSize: tok.vocabSize, blockSize: size.blockSize, nLayer: size.nLayer, nHead: size.nHead, nEmbd: size.nEmbd });
  const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-3, betas: [0.9, 0.99] });
  const params = model.parameters();
  const g = new cr.Generator(1);
  const step = () => cr.tidy(() => {
    const [x, y] = data.sample(size.batch, { generator: g });
    opt.zeroGrad();
    const [, loss] = model.forward(x, y);
    loss.backward();
    cr.optim.clipGradNorm_(params, 1);
    opt.step();
  });
  return perCall(step, () => cr.backends.webgpu.synchronize(), reps(3, 20));
}

async function child() {
  const emit = (record) => console.log(`@@${JSON.stringify(record)}`);
  const cr = await import("chainrule");
  let info;
  try {
    info = await cr.backends.webgpu.init();
  } catch (e) {
    emit({ error: `chainrule's webgpu backend: ${e.message}` });
    return;
  }
  cr.setBackend("webgpu");
  emit({ adapter: info });
  const attempt = async (name, fn) => {
    if (!wanted(name)) return;
    try {
      emit({ name, ...(await fn()) });
    } catch (e) {
      emit({ name, error: String(e?.message ?? e).split("\n")[0] });
    }
  };
  await attempt("chainrule matmul", async () => ({ ms: await chainruleMatmul(cr) }));
  await attempt("chainrule W2 step", async () => w2Step(cr));
  await attempt("chainrule GPT step", async () => ({ ms: await gptStep(cr) }));
  // The peers get a Dawn instance of their own (the GPU object chainrule opened is not exposed).
  await browserLikeGlobals();
  await attempt("TF.js matmul", tfjsMatmul);
  await attempt("jax-js matmul", jaxMatmul);
}

// ---- the parent: the environment, PyTorch, and the table ----

function cardName() {
  try {
    return execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return null;
  }
}

function hasLibrary(name) {
  try {
    return execFileSync("ldconfig", ["-p"], { encoding: "utf8" }).includes(name);
  } catch {
    return false;
  }
}

/** The Vulkan loader's and ICD's environment for Dawn, and what was done to get it. */
async function vulkanEnv() {
  const env = {}, notes = [];
  const runtime = mkdtempSync(join(tmpdir(), "chainrule-gpu-bench-"));
  env.XDG_RUNTIME_DIR = runtime;
  if (args.icd !== "") {
    env.VK_ICD_FILENAMES = args.icd;
    env.LD_LIBRARY_PATH = [dirname(args.icd), process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
    notes.push(`Vulkan ICD: ${args.icd} (given)`);
    return { env, notes };
  }
  if (!hasLibrary("libvulkan.so.1")) {
    // The Khronos loader that @sparticuz/chromium ships beside its SwiftShader (only the loader is used here).
    const { default: chromium } = await import("@sparticuz/chromium");
    const exe = await chromium.executablePath();
    env.LD_LIBRARY_PATH = [dirname(exe), process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
    notes.push(`Vulkan loader: ${dirname(exe)}/libvulkan.so.1 (from @sparticuz/chromium; the machine has none)`);
  }
  const icds = ["/usr/share/vulkan/icd.d/nvidia_icd.json", "/etc/vulkan/icd.d/nvidia_icd.json"].filter(existsSync);
  if (icds.length === 0 && hasLibrary("libGLX_nvidia.so.0")) {
    const file = join(runtime, "nvidia_icd.json");
    writeFileSync(file, JSON.stringify({ file_format_version: "1.0.0", ICD: { library_path: "libGLX_nvidia.so.0", api_version: "1.3.0" } }));
    env.VK_ICD_FILENAMES = file;
    notes.push(`Vulkan ICD: written for libGLX_nvidia.so.0 (${file})`);
  } else if (icds.length > 0) notes.push(`Vulkan ICD: ${icds[0]}`);
  return { env, notes };
}

function torchMatmul() {
  const code = `
import json, time, torch
if not torch.cuda.is_available():
    print(json.dumps({"error": "PyTorch has no CUDA device here"}))
else:
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    n = ${N}
    a = torch.rand(n, n, device="cuda") - 0.5
    b = torch.rand(n, n, device="cuda") - 0.5
    for _ in range(3): c = a @ b
    torch.cuda.synchronize()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(${reps(3, 10)}): c = a @ b
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) / ${reps(3, 10)} * 1000)
    times.sort()
    print(json.dumps({"ms": times[1], "version": torch.__version__, "device": torch.cuda.get_device_name(0)}))
`;
  let last = { error: "no python3 here" };
  // The first Python that has PyTorch (Debian's is /usr/bin/python3; a machine's own may come first on the PATH).
  for (const python of ["python3", "/usr/bin/python3", "python"]) {
    const r = spawnSync(python, ["-c", code], { encoding: "utf8", timeout: 600_000 });
    if (r.error !== undefined) continue;
    const line = r.stdout.trim().split("\n").pop() ?? "";
    try {
      return JSON.parse(line);
    } catch {
      last = { error: `${python}: ${(r.stderr.trim().split("\n").pop() ?? "PyTorch failed").slice(0, 200)}` };
    }
  }
  return last;
}

async function parent() {
  const card = cardName();
  const { env, notes } = await vulkanEnv();
  const r = spawnSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, "--child", ...process.argv.slice(2)], {
    env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 * 2 ** 20, timeout: 1_800_000,
  });
  const records = r.stdout.split("\n").filter((l) => l.startsWith("@@")).map((l) => JSON.parse(l.slice(2)));
  if (r.status !== 0) notes.push(`the measuring process exited with ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  const results = Object.fromEntries(records.filter((x) => x.name !== undefined).map((x) => [x.name, x]));
  if (wanted("PyTorch matmul")) results["PyTorch matmul"] = { name: "PyTorch matmul", ...torchMatmul() };
  const adapter = records.find((x) => x.adapter !== undefined)?.adapter ?? null;
  const peak = args["peak-tflops"] !== "" ? Number(args["peak-tflops"]) : (PEAKS.find(([re]) => card !== null && re.test(card))?.[1] ?? null);
  const gflops = (ms) => (2 * N ** 3) / (ms * 1e-3) / 1e9;
  console.log(`card: ${card ?? "none found by nvidia-smi"}; fp32 peak ${peak === null ? "unknown (pass --peak-tflops)" : `${peak} TFLOP/s`}`);
  console.log(`WebGPU adapter (Dawn): ${adapter === null ? records.find((x) => x.error)?.error ?? "none" : `${adapter.vendor} ${adapter.architecture} ${adapter.description}${adapter.software ? " (software: not a GPU's figures)" : ""}`}`);
  for (const n of notes) console.log(`  ${n}`);
  console.log(`\nmatmul ${N}×${N} fp32`);
  for (const name of ["chainrule matmul", "TF.js matmul", "jax-js matmul", "PyTorch matmul"]) {
    const x = results[name];
    if (x === undefined) continue;
    if (x.error !== undefined) console.log(`  ${name.padEnd(18)} —  (${x.error})`);
    else console.log(`  ${name.padEnd(18)} ${x.ms.toFixed(2).padStart(8)} ms  ${gflops(x.ms).toFixed(0).padStart(7)} GFLOP/s${peak === null ? "" : `  ${((100 * gflops(x.ms)) / (peak * 1000)).toFixed(1)}% of peak`}`);
  }
  const w2 = results["chainrule W2 step"], gpt = results["chainrule GPT step"];
  if (w2 !== undefined) console.log(`\nW2 step (chainrule webgpu): ${w2.error ?? `${w2.pipelined.toFixed(3)} ms back to back, ${w2.read.toFixed(3)} ms with the loss read each step`}`);
  if (gpt !== undefined) console.log(`GPT step (chainrule webgpu): ${gpt.error ?? `${gpt.ms.toFixed(2)} ms`}`);
  const ours = results["chainrule matmul"]?.ms, peers = ["TF.js matmul", "jax-js matmul"].map((k) => results[k]?.ms).filter((v) => v !== undefined);
  if (ours !== undefined) {
    console.log("\ngoals");
    if (peers.length > 0) console.log(`  matmul ≥ 1.5× the better of TF.js and jax-js: ${(Math.min(...peers) / ours).toFixed(2)}×`);
    const torch = results["PyTorch matmul"]?.ms;
    if (torch !== undefined) console.log(`  matmul ≥ half of PyTorch CUDA fp32: ${(torch / ours).toFixed(2)}×`);
    if (w2?.pipelined !== undefined) console.log(`  W2 step under 1 ms: ${w2.pipelined.toFixed(3)} ms`);
  }
  if (args.json !== "") writeFileSync(args.json, JSON.stringify({ card, peak, n: N, adapter, notes, results }, null, 2));
}

await (args.child ? child() : parent());
