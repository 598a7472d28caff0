// The examples/ folder runs as a user would run it: each Node script in a child process (chainrule resolved to the
// sources, TypeScript through tsx), succeeding and printing what it says; the Vite app built for production.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { build } from "vite";

const root = join(import.meta.dirname, "..");
const examples = join(root, "examples");
const tmp = mkdtempSync(join(tmpdir(), "chainrule-examples-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, args: string[] = [], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ["--conditions=chainrule-source", "--import", "tsx", join(examples, "node", script), ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000,
  });
  assert.equal(r.status, 0, `${script} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("every example the README lists exists", () => {
  const listed = [...readFileSync(join(examples, "README.md"), "utf8").matchAll(/\]\(((?:node|vite-app)[^)]*)\)/g)].map((m) => m[1]!);
  for (const p of listed) assert.ok(existsSync(join(examples, p)), p);
  const scripts = readdirSync(join(examples, "node")).filter((f) => f.endsWith(".ts"));
  for (const s of scripts) assert.ok(listed.includes(`node/${s}`), `examples/node/${s} is not in examples/README.md`);
});

test("node/train-moons.ts trains, evaluates and saves", () => {
  const out = run("train-moons.ts", [tmp]);
  assert.match(out, /test accuracy: (9\d|100)\.\d%/);
  assert.ok(existsSync(join(tmp, "moons.safetensors")));
});

test("node/mnist-cnn.ts learns a slice of MNIST", () => {
  assert.match(run("mnist-cnn.ts", [], { MNIST_LIMIT: "2000", EPOCHS: "2" }), /test accuracy: \d+\.\d%/);
});

test("node/export-onnx.ts is served by ONNX Runtime with chainrule's answers", () => {
  const out = run("export-onnx.ts");
  assert.match(out, /batch 1: ONNX Runtime's logits 1x10/);
  assert.match(out, /batch 16: ONNX Runtime's logits 16x10/);
});

test("node/tiny-gpt.ts trains and samples", () => {
  const out = run("tiny-gpt.ts", [], { STEPS: "40" });
  assert.match(out, /step 40: loss/);
  assert.match(out, /^"It is/m);
});

test("the Vite app builds", async () => {
  const outDir = join(tmp, "vite-app");
  await build({ configFile: join(examples, "vite-app", "vite.config.ts"), logLevel: "error", build: { outDir, emptyOutDir: true } });
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const script = html.match(/src="\.\/(assets\/[^"]+\.js)"/)?.[1];
  assert.ok(script !== undefined, html);
  const js = readFileSync(join(outDir, script), "utf8");
  assert.match(js, /predictions/); // the app's own code, bundled with chainrule's
});
