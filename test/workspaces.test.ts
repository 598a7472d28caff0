// The split into packages holds: the core (chainrule) imports nothing but Node's modules and its two small
// dependencies, ships no sources, maps or kernel sources, and each workspace package declares what it imports.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..");

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[];
}
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "generated" || e.name === "kernels" ? [] : sources(join(dir, e.name))) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

/** The packages a file imports by name (static and dynamic imports with a literal, type imports included). */
function importedPackages(file: string): string[] {
  // Code lines only: comments and JSDoc examples show imports a user writes.
  const text = readFileSync(file, "utf8").split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join("\n");
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+["']([^"'.][^"']*)["']|^\s*import\s+["']([^"'.][^"']*)["']|\bimport\(\s*["']([^"'.][^"']*)["']\s*\)|\brequire\(\s*["']([^"'.][^"']*)["']\s*\)/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!);
  return specs.filter((s) => !s.startsWith("node:")).map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!));
}

test("the core depends on two small packages only, and imports nothing else", () => {
  const core = manifest(root);
  assert.deepEqual(Object.keys(core.dependencies ?? {}).sort(), ["asciichart", "csv-parse"]);
  const undeclared = sources(join(root, "src")).flatMap((f) =>
    importedPackages(f).filter((p) => !(p in core.dependencies!) && p !== "chainrule").map((p) => `${relative(root, f)} imports ${p}`));
  assert.deepEqual(undeclared, []);
});

test("each workspace package declares the packages its sources import", () => {
  const core = manifest(root);
  assert.deepEqual(core.workspaces, ["packages/datasets", "packages/viz", "packages/cli"]);
  for (const ws of core.workspaces!) {
    const dir = join(root, ws);
    const m = manifest(dir);
    const declared = { ...m.dependencies, ...m.peerDependencies };
    const missing = sources(join(dir, "src")).flatMap((f) => importedPackages(f).filter((p) => !(p in declared) && !p.startsWith("@types/")).map((p) => `${relative(root, f)} imports ${p}`));
    assert.deepEqual(missing, [], m.name);
    if (m.name !== "@chainrule/datasets") assert.equal(m.peerDependencies?.["chainrule"], "^0.1.0", `${m.name} uses the user's chainrule, as a peer`);
  }
});

test("the core's tarball holds the built JavaScript and declarations, not sources, maps or kernel sources", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--ignore-scripts", "--json"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const [{ files, unpackedSize }] = JSON.parse(r.stdout) as [{ files: { path: string }[]; unpackedSize: number }];
  const paths = files.map((f) => f.path);
  assert.deepEqual(paths.filter((p) => !/^dist\/.*\.(js|d\.ts)$/.test(p) && !["package.json", "README.md", "LICENSE"].includes(p)), []);
  assert.ok(paths.includes("dist/index.js") && paths.includes("dist/index.d.ts"));
  assert.ok(!paths.some((p) => p.startsWith("dist/cli/")), "no stale command-line build");
  // 2.4 MB when this was written; the data sets, renderers and the command add 90 MB when they come along.
  assert.ok(unpackedSize < 3.5e6, `unpacked ${unpackedSize} bytes`);
});
