// The package under a user's bundler: package.json's sideEffects names the modules that register something when
// loaded (the backends, the Tensor methods, the library's module classes), so a bundle that imports a few names
// drops what it does not use (the lesson, the CSV reader and csv-parse: 63 KB of 546 KB here) and still runs: backends registered, methods installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");

const ENTRY = `
import { tensor, getBackend, nn } from "chainrule";
const x = tensor([1, 2, 3], { requiresGrad: true });
x.mul(x).sum().backward();
console.log(JSON.stringify({ backend: getBackend(), grad: Array.from(x.grad.toTypedArray()), linear: new nn.Linear(2, 1).toString() }));
`;

test("a bundle importing a few names leaves the lesson and csv-parse out and runs with its backends registered", async () => {
  mkdirSync(join(root, "test", ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(root, "test", ".tmp", "bundle-"));
  try {
    writeFileSync(join(dir, "entry.mjs"), ENTRY);
    await build({
      entryPoints: [join(dir, "entry.mjs")], bundle: true, minify: true, format: "esm", platform: "node", target: "node20",
      outfile: join(dir, "bundle.mjs"), logLevel: "silent", conditions: [], alias: { chainrule: join(root, "dist", "index.js") },
    });
    const bundle = readFileSync(join(dir, "bundle.mjs"), "utf8");
    // Modules the entry does not use, kept by esbuild when the package does not say it is side-effect free.
    assert.doesNotMatch(bundle, /lesson vanishing: depths, width and batch/, "the lesson was tree-shaken");
    assert.doesNotMatch(bundle, /Invalid Record Length/, "csv-parse was tree-shaken");
    const r = spawnSync(process.execPath, [join(dir, "bundle.mjs")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout) as { backend: string; grad: number[]; linear: string };
    assert.ok(["wasm", "cpu"].includes(out.backend), out.backend);
    assert.deepEqual(out.grad, [2, 4, 6]);
    assert.equal(out.linear, "Linear(inFeatures=2, outFeatures=1, bias=true)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("package.json's sideEffects lists every module that registers something on load", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { sideEffects: string[] };
  // The modules whose top level calls something (a registration, methods installed on Tensor), found by a statement
  // at column 0 that is a call; and the two that import the registering ones for the user.
  const src = join(root, "src");
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "generated" || e.name === "kernels" ? [] : files(join(dir, e.name))) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
  const calling = files(src).filter((f) => /^[A-Za-z_$][\w$.]*\(/m.test(readFileSync(f, "utf8"))).map((f) => relative(src, f).replace(/\.ts$/, ""))
    .filter((f) => f !== "backend/cpu/threads"); // its match is the workers' source, inside a template string
  assert.ok(calling.includes("backend/wasm/register") && calling.includes("tensor/tensor"), calling.join(", "));
  const registering = ["index", "backends", ...calling];
  // Both the build and the sources: the repository's own bundles (the playground, the browser tests) alias
  // "chainrule" to src/, and a bundler drops a registering source file not listed just as it would a built one.
  const listed = (path: string) => pkg.sideEffects.some((glob) => new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]+")}$`).test(path));
  const matches = (file: string) => listed(`./dist/${file}.js`) && listed(`./src/${file}.ts`);
  for (const file of registering) assert.ok(matches(file), `${file} is in sideEffects`);
  for (const file of ["data/csv", "viz/index", "io/safetensors"]) assert.ok(!matches(file), `${file} is side-effect free`);
});
