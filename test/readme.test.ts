// The README's TypeScript examples run as tests: each block is written to a module and imported.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { runDocCode } from "./helpers/doc-code.js";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
// Inside the repository, so `import … from "chainrule"` resolves to this package.
const dir = join(root, "test", ".tmp", "readme");
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

test("the README has examples", () => {
  assert.ok(blocks.length >= 5, `found ${blocks.length} ts blocks`);
});

blocks.forEach((code, i) => {
  const firstLine = code.split("\n").find((l) => l.trim() !== "" && !l.startsWith("import")) ?? "";
  test(`README example ${i + 1}: ${firstLine.slice(0, 60)}`, async () => {
    const file = join(dir, `example-${i + 1}.ts`);
    writeFileSync(file, code);
    await runDocCode(file, code, `README example ${i + 1}`);
  });
});
