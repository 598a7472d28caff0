// Runs every test file under test/ with Node's own test runner, TypeScript loaded through tsx,
// and "chainrule" resolved to the sources (the chainrule-source export condition).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests("test");
const result = spawnSync(
  process.execPath,
  ["--conditions=chainrule-source", "--import", "tsx", "--test", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
