// The guides' TypeScript runs as tests: each guide's ```ts blocks, in order, become one module that is imported,
// so a guide that no longer matches the API fails here. Each console.log's trailing comment says what it prints:
// `false` only where the comment says so, and never NaN (the README's examples follow the same rule).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runDocCode } from "./helpers/doc-code.js";

const root = join(import.meta.dirname, "..");
const guidesDir = join(root, "docs", "guides");
const guides = readdirSync(guidesDir).filter((f) => f.endsWith(".md") && f !== "README.md").sort();
// Inside the repository, so `import … from "chainrule"` resolves to this package.
const dir = join(root, "test", ".tmp", "guides");
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A guide's ```ts blocks, in order. */
function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

// Every guide's code, one module per guide, written before the tests run: the type check reads them all at once.
const files = new Map<string, string>();
for (const guide of guides) {
  const code = tsBlocks(readFileSync(join(guidesDir, guide), "utf8")).join("\n");
  const file = join(dir, guide.replace(/\.md$/, ".ts"));
  writeFileSync(file, code);
  files.set(guide, file);
}

test("the guides' code type-checks (strict, as users' projects would)", () => {
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    extends: "../../../tsconfig.json",
    // Guides define values only to show them; a browser guide names DOM types.
    compilerOptions: { noUnusedLocals: false, lib: ["ES2023", "ESNext.Disposable", "DOM"] },
    include: ["*.ts"],
  }));
  const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test("every guide the index lists exists, and every guide is listed", () => {
  const index = readFileSync(join(guidesDir, "README.md"), "utf8");
  const linked = [...index.matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]!).sort();
  assert.deepEqual(linked, guides);
});

for (const guide of guides) {
  test(`guide ${guide}: its code runs and prints what it says`, async () => {
    const file = files.get(guide)!;
    const code = readFileSync(file, "utf8");
    assert.ok(code.length > 0, `${guide} has no ts block`);
    await runDocCode(file, code, guide);
  });
}
