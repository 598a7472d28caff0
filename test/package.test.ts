// The package as users get it: the build emits dist/ with declarations, and `import * as cr from "chainrule"` works from it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..");
interface PackageJson {
  name: string;
  version: string;
  license: string;
  engines: { node: string };
  repository: { type: string; url: string };
  homepage: string;
  exports: Record<string, unknown>;
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;

/** Whether version `v` ("20.19.2") satisfies `range`, in the forms engines uses here: `^a.b.c`, `>=a.b.c`, joined by `||`. */
function satisfies(v: string, range: string): boolean {
  const parse = (s: string) => s.split(".").map(Number) as [number, number, number];
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  return range.split("||").some((clause) => {
    const m = /^\s*(\^|>=)(\d+\.\d+\.\d+)\s*$/.exec(clause);
    if (!m) throw new Error(`engines: cannot read "${clause}"`);
    const min = parse(m[2]!);
    return cmp(parse(v), min) >= 0 && (m[1] === ">=" || parse(v)[0] === min[0]);
  });
}

test("dist/ holds the built package with type declarations (npm ci builds it; or run npm run build)", () => {
  assert.ok(existsSync(join(root, "dist", "index.js")), "dist/index.js is missing: run `npm run build`");
  assert.ok(existsSync(join(root, "dist", "index.d.ts")), "dist/index.d.ts is missing: run `npm run build`");
});

test("import * as cr from \"chainrule\" resolves to the build from inside the repository", () => {
  const script = `import * as cr from "chainrule"; const x = cr.tensor(3, { requiresGrad: true }); x.mul(x).backward(); console.log(x.grad.item());`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "6");
});

test("the chainrule command runs its tour", () => {
  const r = spawnSync(process.execPath, [join(root, "packages", "cli", "dist", "main.js"), "tour"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /∂f\/∂x = ∂f\/∂q·1 = -4, ∂f\/∂y = -4, ∂f\/∂z = q = 3/);
  assert.match(r.stdout, /Value: {2}∂f\/∂x = (\S+), ∂f\/∂y = (\S+)\n {3}Tensor: ∂f\/∂x = \1, ∂f\/∂y = \2/);
});

test("a bad command is a one-line error and a non-zero exit", () => {
  const r = spawnSync(process.execPath, [join(root, "packages", "cli", "dist", "main.js"), "no-such-command"], { cwd: root, encoding: "utf8" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
});

test("chainrule --version prints package.json's version, from dist/ and from any folder", () => {
  const elsewhere = mkdtempSync(join(tmpdir(), "chainrule-version-"));
  try {
    for (const flag of ["--version", "-v"]) {
      const r = spawnSync(process.execPath, [join(root, "packages", "cli", "dist", "main.js"), flag], { cwd: elsewhere, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${pkg.version}\n`);
    }
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
});

test("package.json: MIT with a LICENSE file, repository and homepage, and ./package.json exported", () => {
  assert.equal(pkg.license, "MIT");
  const license = readFileSync(join(root, "LICENSE"), "utf8");
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} the chainrule authors\n/);
  assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS"/);
  assert.equal(pkg.repository.type, "git");
  assert.match(pkg.repository.url, /github\.com\/chainrule\/chainrule\.git$/);
  assert.match(pkg.homepage, /^https:\/\/github\.com\/chainrule\/chainrule/);
  assert.equal(pkg.exports["./package.json"], "./package.json");
  // Resolved by the package's own name, as a consumer (or a bundler) reads it, from ESM and from CommonJS.
  const esm = spawnSync(process.execPath, ["--input-type=module", "-e", `import p from "chainrule/package.json" with { type: "json" }; console.log(p.version);`], { cwd: root, encoding: "utf8" });
  assert.equal(esm.status, 0, esm.stderr);
  assert.equal(esm.stdout.trim(), pkg.version);
  const cjs = spawnSync(process.execPath, ["-e", `console.log(require("chainrule/package.json").version)`], { cwd: root, encoding: "utf8" });
  assert.equal(cjs.status, 0, cjs.stderr);
  assert.equal(cjs.stdout.trim(), pkg.version);
});

test("engines names the Node versions the code needs: process.getBuiltinModule (20.16, 22.3) and require of ESM (20.19, 22.12)", () => {
  const range = pkg.engines.node;
  for (const [v, ok] of [
    ["20.15.1", false], ["20.16.0", false], ["20.18.3", false], ["20.19.0", true], ["20.20.2", true],
    ["21.7.3", false], ["22.3.0", false], ["22.11.0", false], ["22.12.0", true], ["24.0.0", true],
  ] as const) {
    assert.equal(satisfies(v, range), ok, `Node ${v} against engines "${range}"`);
  }
  assert.ok(satisfies(process.versions.node, range), `this Node (${process.versions.node}) is outside engines "${range}"`);
  assert.equal(typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule, "function");
  // A CommonJS user's require("chainrule") loads the ESM build: Node's require of ESM.
  // Inside the repository (test/.tmp is git-ignored), so "chainrule" resolves to this package by its own name.
  mkdirSync(join(root, "test", ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(root, "test", ".tmp", "cjs-"));
  try {
    writeFileSync(join(dir, "use.cjs"), `const cr = require("chainrule"); const x = cr.tensor(3, { requiresGrad: true }); x.mul(x).backward(); console.log(x.grad.item());`);
    const r = spawnSync(process.execPath, [join(dir, "use.cjs")], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "6");
    assert.equal(r.stderr, "", "no experimental warning");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the packed tarball carries the LICENSE", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--ignore-scripts", "--json"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  assert.ok(files.includes("LICENSE"), "LICENSE in the tarball");
  assert.ok(files.includes("package.json"));
});
