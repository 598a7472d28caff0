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
  await page.goto(server.url);
  await page.waitForFunction(() => "suite" in globalThis || (globalThis as { document?: { readyState: string } }).document?.readyState === "complete");
  assert.deepEqual(errors, [], "the bundle loads");
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
