// The layering, checked on every import in src/ (CONTRIBUTING.md draws it): the op registry at the bottom knows
// only dtypes and shapes; backends know nothing above them (no tensors, no autograd); and above the backends
// nothing knows one by name but the module that registers them (src/backends.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const src = join(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "generated" || name === "kernels" ? [] : sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Each file's relative imports (values and types, re-exports included), as paths under src/. */
const imports = new Map(sources(src).map((file) => {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+["'](\.[^"']+)["']|(?:^|\n)\s*import\s+["'](\.[^"']+)["']/g)].map((m) => m[1] ?? m[2]!);
  const under = (spec: string) => relative(src, normalize(join(dirname(file), spec))).replace(/\.js$/, ".ts");
  return [relative(src, file), specs.map(under)] as const;
}));

function violations(from: (file: string) => boolean, allowed: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, targets] of imports) {
    if (!from(file)) continue;
    for (const t of targets) if (!allowed(t)) out.push(`${file} imports ${t}`);
  }
  return out;
}

const BASICS = new Set(["dtype.ts", "shape.ts", "errors.ts", "restore.ts"]);

test("the op registry (src/ops) knows only dtypes, shapes and itself", () => {
  assert.deepEqual(violations((f) => f.startsWith("ops/"), (t) => t.startsWith("ops/") || BASICS.has(t)), []);
});

test("backends know nothing above them: no tensors, autograd, modules or optimizers", () => {
  assert.deepEqual(violations((f) => f.startsWith("backend/"), (t) => t.startsWith("backend/") || t.startsWith("ops/") || BASICS.has(t)), []);
});

test("the cpu backend, the reference, does not depend on the wasm backend", () => {
  assert.deepEqual(violations((f) => f.startsWith("backend/cpu/"), (t) => !t.startsWith("backend/wasm/")), []);
});

test("above the backends nothing knows one by name, but the module that registers them", () => {
  const byName = (t: string) => t.startsWith("backend/cpu/") || t.startsWith("backend/wasm/") || t.startsWith("backend/webgpu/");
  assert.deepEqual(violations((f) => !f.startsWith("backend/") && f !== "backends.ts", (t) => !byName(t)), []);
});

test("the checks see the imports (a sanity check on the parsing)", () => {
  assert.ok(imports.get("tensor/tensor.ts")!.includes("autograd/dispatch.ts") || imports.get("tensor/tensor.ts")!.includes("autograd/primitives.ts"));
  assert.ok(imports.get("backends.ts")!.includes("backend/wasm/register.ts"));
  assert.ok(imports.get("backend/cpu/index.ts")!.includes("backend/fallbacks.ts"));
});
