// The webgpu backend in headless Chromium (WebGPU through navigator.gpu, on the SwiftShader Vulkan driver Chromium
// ships, with --enable-unsafe-webgpu): the conformance table, the PyTorch fixtures (float32) and a training run, from
// a bundle of the same runners the Node suites use (test/webgpu/). No adapter is a failure, not a skip.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { launchChromium } from "./helpers/browser.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const root = join(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "chainrule-webgpu-browser-"));
const outDir = join(work, "dist");
const shim = (name: string) => join(root, "test/webgpu/browser", name);

let server: StaticServer;
let browser: Browser;
let page: Page;

before(async () => {
  writeFileSync(join(work, "index.html"), `<!doctype html><meta charset="utf-8"><title>webgpu</title><link rel="icon" href="data:,"><script type="module" src="${join(root, "test/webgpu/browser/entry.ts")}"></script>`);
  await build({
    configFile: false,
    root: work,
    base: "./",
    logLevel: "error",
    resolve: {
      alias: {
        chainrule: join(root, "src/index.ts"),
        "node:test": shim("node-test.ts"),
        "node:assert/strict": shim("node-assert.ts"),
        "node:fs": shim("node-fs.ts"),
      },
    },
    server: { fs: { allow: [root, work] } },
    build: { outDir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 8000 },
  });
  server = await serveFolder(outDir);
  ({ browser } = await launchChromium(["--enable-unsafe-webgpu"]));
  page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A module that throws while it runs never defines `suite`: note its error in the page, so the wait ends at once.
  await page.addInitScript("addEventListener('error', (e) => { globalThis.__bundleError = String(e.message); });");
  await page.goto(server.url);
  // The bundle defines `suite` when its module has run. The page's load state is not a sign of that: on a loaded
  // machine (CI runs the test files in parallel) "complete" was seen before the module ran. An error in the
  // module fails here, with the page's message, rather than as a timeout.
  await page.waitForFunction(() => "suite" in globalThis || (globalThis as { __bundleError?: string }).__bundleError !== undefined, undefined, { timeout: 120_000 }).catch(() => undefined);
  assert.deepEqual(errors, [], "the bundle loads");
  const state = await page.evaluate(() => ({ suite: "suite" in globalThis, error: (globalThis as { __bundleError?: string }).__bundleError ?? "" }));
  assert.ok(state.suite, `the bundle defines its suite${state.error === "" ? " (within 120 s)" : `; it threw: ${state.error}`}`);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Suite {
  init(): Promise<{ vendor: string; architecture: string; software: boolean; source: string }>;
  kernels(): string[];
  kernel(name: string): Promise<number>;
  opsFixture(): Promise<number>;
  elementwiseFixture(): Promise<number>;
  train(): Promise<{ losses: number[]; backend: string; source: string }>;
}
const call = <T>(fn: (s: Suite, a?: string) => Promise<T>, arg?: string): Promise<T> =>
  page.evaluate(async ([body, a]) => {
    const s = (globalThis as unknown as { suite: Suite }).suite;
    return (new Function("s", "a", `return (${body})(s, a);`) as (s: Suite, a: string | undefined) => Promise<T>)(s, a);
  }, [fn.toString(), arg] as const);

test("webgpu in Chromium: navigator.gpu gives an adapter", { timeout: 120_000 }, async () => {
  const info = await call((s) => s.init());
  console.log(`Chromium's WebGPU adapter: ${info.vendor} ${info.architecture}${info.software ? " (software)" : ""}`);
  assert.equal(info.source, "navigator.gpu");
});

test("webgpu in Chromium: the conformance table matches cpu", { timeout: 300_000 }, async () => {
  const names = await call((s) => Promise.resolve(s.kernels()));
  assert.ok(names.length > 20);
  for (const name of names) await call((s, k) => s.kernel(k!), name);
});

test("webgpu in Chromium: PyTorch's fixtures (float32)", { timeout: 120_000 }, async () => {
  assert.ok((await call((s) => s.opsFixture())) > 50);
  assert.ok((await call((s) => s.elementwiseFixture())) > 40);
});

test("webgpu in Chromium: a model trains with the asynchronous loop", { timeout: 120_000 }, async () => {
  const { losses, backend, source } = await call((s) => s.train());
  assert.equal(backend, "webgpu");
  assert.equal(source, "navigator.gpu");
  assert.ok(losses[losses.length - 1]! < losses[0]! * 0.5, `the loss fell: ${losses[0]} → ${losses[losses.length - 1]}`);
});
