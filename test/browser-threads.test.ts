// The wasm backend's Web Workers in a real browser (headless Chromium from test/helpers/browser.ts, driven by
// playwright-core): a cross-origin isolated page (COOP + COEP headers) gets threads and the same matmul as the cpu
// backend; a page without the headers runs single-threaded and gives the same result.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { launchChromium } from "./helpers/browser.js";

const root = join(import.meta.dirname, "..");
// Page and bundle live outside the repository, so neither is linted nor committed.
const work = mkdtempSync(join(tmpdir(), "chainrule-threads-"));
const outDir = join(work, "dist");

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };
// The headers of each mode the server serves the page in: /plain/ has none; the CSP modes are isolated pages whose
// Content-Security-Policy forbids the blob: URL the workers load from, or allows it (README.md's advice).
const MODES = {
  isolated: ISOLATION,
  plain: {},
  "csp-strict": { ...ISOLATION, "content-security-policy": "worker-src 'self'" },
  "csp-blob": { ...ISOLATION, "content-security-policy": "worker-src 'self' blob:" },
} satisfies Record<string, Record<string, string>>;
type Mode = keyof typeof MODES;

let server: Server;
let browser: Browser;
let base = "";

// The library as users bundle it (cr.backends.wasm.warmUp starts the workers early).
const ENTRY = `
import * as cr from "chainrule";
globalThis.cr = cr;
`;

before(async () => {
  writeFileSync(join(work, "entry.js"), ENTRY);
  writeFileSync(join(work, "index.html"), `<!doctype html><meta charset="utf-8"><title>threads</title><link rel="icon" href="data:,"><script type="module" src="./entry.js"></script>`);
  await build({
    configFile: false,
    root: work,
    base: "./",
    logLevel: "error",
    resolve: { alias: { chainrule: join(root, "src/index.ts") } },
    build: { outDir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4000 },
  });
  // /isolated/… is served with COOP + COEP, /plain/… without, the CSP modes with a policy too: the same files.
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const [, mode = "", ...rest] = path.split("/");
    const file = normalize(join(outDir, rest.length === 0 || rest.join("/") === "" ? "index.html" : rest.join("/")));
    if (!Object.hasOwn(MODES, mode) || !file.startsWith(outDir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", ...MODES[mode as Mode] };
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // Fail, never skip: CI must not pass without having run the browser tests (launchChromium throws).
  ({ browser } = await launchChromium());
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  rmSync(work, { recursive: true, force: true });
});

/** What the page reports after warming up and multiplying 512×512 matrices on both backends. */
interface Report {
  isolated: boolean;
  warm: boolean;
  shared: boolean;
  workers: number;
  chunksBefore: number;
  chunksAfter: number;
  maxDiff: number;
  size: number;
  tries: number;
}

// Run in the page, given as a string: this file is type-checked for Node, without the DOM's types.
const SCRIPT = `(async () => {
  const cr = globalThis.cr;
  const isolated = globalThis.crossOriginIsolated;
  const warm = cr.backends.wasm.warmUp();
  const t0 = performance.now();
  // Workers start only once this thread yields: wait for them, briefly, if there can be any.
  while (warm && cr.backends.wasm.memoryStats().workers === 0 && performance.now() - t0 < 15000) await new Promise((r) => setTimeout(r, 20));
  const product = (backend) => {
    cr.setBackend(backend);
    cr.manualSeed(7);
    const a = cr.randn([512, 512]);
    const b = cr.randn([512, 512]);
    return cr.matmul(a, b).toTypedArray();
  };
  const expected = product("cpu");
  const stats = cr.backends.wasm.memoryStats();
  let maxDiff = 0, size = 0, tries = 0;
  // A busy machine may not schedule the worker during one product: repeat (a few) until it has taken part.
  do {
    const got = product("wasm");
    size = got.length;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
  } while (stats.workers > 0 && cr.backends.wasm.memoryStats().workerChunks === stats.workerChunks && ++tries < 20);
  const after = cr.backends.wasm.memoryStats();
  cr.setBackend("cpu");
  return { isolated, warm, shared: after.sharedMemory, workers: stats.workers, chunksBefore: stats.workerChunks, chunksAfter: after.workerChunks, maxDiff, size, tries };
})()`;

/** Opens the page in `mode`, runs `script` in it, and returns what it reported with the errors and warnings the page logged. */
async function run<R = Report>(mode: Mode, script = SCRIPT): Promise<{ report: R; errors: string[]; warnings: string[]; page: Page }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const warnings: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Content Security Policy/.test(m.text())) errors.push(m.text());
    if (m.type() === "warning") warnings.push(m.text());
  });
  await page.goto(`${base}${mode}/`);
  await page.waitForFunction("globalThis.cr !== undefined");
  const report = (await page.evaluate(script)) as R;
  return { report, errors, warnings, page };
}

const chainruleWarnings = (warnings: readonly string[]) => warnings.filter((w) => w.startsWith("chainrule:"));

test("a cross-origin isolated page runs matmul on Web Workers and gets the cpu backend's product", async (t) => {
  const { report, errors, warnings, page } = await run("isolated");
  t.diagnostic(JSON.stringify(report));
  assert.equal(report.isolated, true, "COOP + COEP make the page cross-origin isolated");
  assert.equal(report.shared, true, "the kernels run on shared memory");
  assert.equal(report.warm, true, "warmUpWasm starts a pool");
  assert.ok(report.workers > 0, "at least one worker came up");
  assert.equal(report.size, 512 * 512);
  assert.ok(report.maxDiff < 1e-3, `wasm and cpu differ by ${report.maxDiff}`);
  assert.ok(report.chunksAfter > report.chunksBefore, `workers computed rows (${report.chunksBefore} → ${report.chunksAfter})`);
  assert.deepEqual(errors, []);
  assert.deepEqual(chainruleWarnings(warnings), [], "an isolated page gets no warning");
  await page.close();
});

test("a page without the headers runs the same matmul single-threaded, and says so once, naming both headers", async (t) => {
  const { report, errors, warnings, page } = await run("plain");
  t.diagnostic(JSON.stringify(report));
  assert.equal(report.isolated, false);
  assert.equal(report.shared, false, "no SharedArrayBuffer: private memory");
  assert.equal(report.warm, false, "no pool");
  assert.equal(report.workers, 0);
  assert.equal(report.chunksAfter, 0);
  assert.equal(report.size, 512 * 512);
  assert.ok(report.maxDiff < 1e-3, `wasm and cpu differ by ${report.maxDiff}`);
  assert.deepEqual(errors, []);
  const said = chainruleWarnings(warnings);
  assert.equal(said.length, 1, `one warning, however many products: ${JSON.stringify(warnings)}`);
  assert.match(said[0]!, /not cross-origin isolated/);
  assert.match(said[0]!, /Cross-Origin-Opener-Policy: same-origin/);
  assert.match(said[0]!, /Cross-Origin-Embedder-Policy: require-corp/);
  await page.close();
});

test("a CSP whose worker-src forbids blob: URLs stops the workers: the product is still right, on one thread, with a warning", async (t) => {
  const { report, errors, warnings, page } = await run("csp-strict");
  t.diagnostic(JSON.stringify(report));
  assert.equal(report.isolated, true);
  assert.equal(report.workers, 0, "no worker came up");
  assert.equal(report.chunksAfter, 0);
  assert.ok(report.maxDiff < 1e-3, `wasm and cpu differ by ${report.maxDiff}`);
  assert.deepEqual(errors, []);
  const said = chainruleWarnings(warnings);
  assert.equal(said.length, 1, JSON.stringify(warnings));
  assert.match(said[0]!, /worker-src 'self' blob:/);
  await page.close();
});

test("a CSP with worker-src 'self' blob: keeps the workers", async (t) => {
  const { report, errors, warnings, page } = await run("csp-blob");
  t.diagnostic(JSON.stringify(report));
  assert.ok(report.workers > 0, "workers came up");
  assert.ok(report.maxDiff < 1e-3, `wasm and cpu differ by ${report.maxDiff}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(chainruleWarnings(warnings), []);
  await page.close();
});

// sum(relu(x·w + b)) and its gradients on 300,003 elements: fused on wasm (compiled in the page and in the
// workers) in an isolated page, op by op on private memory in a plain one; either way cpu's gradients.
const FUSED_SCRIPT = `(async () => {
  const cr = globalThis.cr;
  const warm = cr.backends.wasm.warmUp();
  const t0 = performance.now();
  while (warm && cr.backends.wasm.memoryStats().workers === 0 && performance.now() - t0 < 15000) await new Promise((r) => setTimeout(r, 20));
  const grads = (backend) => {
    cr.setBackend(backend);
    cr.manualSeed(3);
    const x = cr.randn([300003]).requiresGrad_(), w = cr.randn([300003]).requiresGrad_();
    cr.relu(x.mul(w).add(0.1)).sum().backward();
    cr.realize(x.grad, w.grad);
    return [x.grad.toTypedArray(), w.grad.toTypedArray()];
  };
  const want = grads("cpu");
  const before = cr.backends.wasm.memoryStats().workerChunks;
  let same = true, tries = 0;
  do {
    const got = grads("wasm");
    for (let k = 0; k < 2; k++) for (let i = 0; i < want[k].length; i++) if (got[k][i] !== want[k][i]) same = false;
  } while (warm && cr.backends.wasm.memoryStats().workerChunks === before && ++tries < 20);
  cr.setBackend("cpu");
  return { same, workerChunks: cr.backends.wasm.memoryStats().workerChunks - before };
})()`;

for (const mode of ["isolated", "plain"] as const) {
  test(`fused elementwise chains give cpu's gradients in ${mode === "isolated" ? "an isolated" : "a plain"} page${mode === "isolated" ? ", their loops shared with the workers" : ""}`, async (t) => {
    const { report, errors, page } = await run<{ same: boolean; workerChunks: number }>(mode, FUSED_SCRIPT);
    t.diagnostic(JSON.stringify(report));
    assert.equal(report.same, true, "wasm's gradients are cpu's, bit for bit");
    if (mode === "isolated") assert.ok(report.workerChunks > 0, "workers computed chunks");
    else assert.equal(report.workerChunks, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
