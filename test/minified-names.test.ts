// Module names survive minification: chainrule bundled by esbuild with --minify (identifiers mangled, classes
// renamed, no keepNames) still prints `Sequential(Linear, ReLU)` in toString(), in error messages, in
// cr.diagnostics reports and in cr.viz's module clusters. A user's class is named by its own static `typeName`
// where it declares one, else by `constructor.name` (which a minifier is free to change).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");

// The script the bundle runs; it prints one JSON object with everything a name shows up in.
const ENTRY = `
import * as cr from "chainrule";
class Block extends cr.nn.Module {
  static typeName = "Block";
  constructor() { super(); this.fc = new cr.nn.Linear(3, 3); }
  forward(x) { return this.fc.forward(x).relu(); }
}
class Unnamed extends cr.nn.Module {
  forward(x) { return x; }
}
const model = new cr.nn.Sequential(new cr.nn.Linear(4, 3), new cr.nn.ReLU(), new Block(), new cr.nn.LayerNorm([3]));
let error = "";
try { model.forward(cr.zeros([2, 5])); } catch (e) { error = e.message; }
const w = cr.diagnostics.watch(model);
model.forward(cr.randn([2, 4])).sum().backward();
const types = w.report().layers.map((l) => l.type);
w.remove();
// (Traced without the LayerNorm: a sealed LayerNorm inside cr.viz.trace frees what the drawing reads, a bug of its own.)
const small = new cr.nn.Sequential(new cr.nn.Linear(4, 3), new cr.nn.ReLU(), new Block());
const traced = cr.viz.trace(() => small.forward(cr.randn([1, 4])), { model: small });
const dot = cr.viz.graph(traced.output.sum(), { trace: traced, collapse: "modules" }).toDot();
console.log(JSON.stringify({
  text: model.toString(), error, types, dot,
  unnamed: new Unnamed().toString(), unnamedClass: Unnamed.name, linearClass: cr.nn.Linear.name,
}));
`;

test("names survive esbuild --minify: toString(), errors, diagnostics and graphs", async () => {
  mkdirSync(join(root, "test", ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(root, "test", ".tmp", "minify-"));
  try {
    writeFileSync(join(dir, "entry.mjs"), ENTRY);
    await build({
      entryPoints: [join(dir, "entry.mjs")], bundle: true, minify: true, format: "esm", platform: "node",
      target: "node20", outfile: join(dir, "bundle.mjs"), logLevel: "silent",
      // The built package, as a user's bundler sees it.
      conditions: [], alias: { chainrule: join(root, "dist", "index.js") },
    });
    const bundle = readFileSync(join(dir, "bundle.mjs"), "utf8");
    assert.doesNotMatch(bundle, /class Linear\b/, "the bundle really is minified");
    const r = spawnSync(process.execPath, [join(dir, "bundle.mjs")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout) as { text: string; error: string; types: string[]; dot: string; unnamed: string; unnamedClass: string; linearClass: string };
    assert.notEqual(out.linearClass, "Linear", "the minifier renamed the class itself");
    assert.match(out.text, /^Sequential\(\n {2}\(0\): Linear\(inFeatures=4, outFeatures=3, bias=true\)\n {2}\(1\): ReLU\(\)\n {2}\(2\): Block\(\n {4}\(fc\): Linear\(/);
    assert.match(out.text, /\(3\): LayerNorm\(/);
    assert.match(out.error, /^Linear/, out.error);
    assert.deepEqual(out.types, ["Linear", "ReLU", "Linear", "LayerNorm"]);
    for (const name of ["Linear", "ReLU", "Block"]) assert.match(out.dot, new RegExp(name), out.dot);
    assert.equal(out.unnamed, `${out.unnamedClass}()`, "a user's class without typeName falls back to constructor.name");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
