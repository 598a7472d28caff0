// The package as users get it: the build emits dist/ with declarations, and `import * as cr from "chainrule"` works from it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..");

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
  const r = spawnSync(process.execPath, [join(root, "dist", "cli", "main.js"), "tour"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /∂f\/∂x = ∂f\/∂q·1 = -4, ∂f\/∂y = -4, ∂f\/∂z = q = 3/);
  assert.match(r.stdout, /Value: {2}∂f\/∂x = (\S+), ∂f\/∂y = (\S+)\n {3}Tensor: ∂f\/∂x = \1, ∂f\/∂y = \2/);
});

test("a bad command is a one-line error and a non-zero exit", () => {
  const r = spawnSync(process.execPath, [join(root, "dist", "cli", "main.js"), "no-such-command"], { cwd: root, encoding: "utf8" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
});
