// The op-coverage page (docs/ops.md) is generated from the registry and the backends: it must say what the code does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { STRUCTURAL, STRUCTURAL_OPS } from "../src/ops/structural.js";
import { opCoverage } from "../tools/op-coverage.js";

test("docs/ops.md is what tools/op-coverage.ts generates now (rerun npm run docs:ops)", () => {
  assert.equal(readFileSync(new URL("../docs/ops.md", import.meta.url), "utf8"), opCoverage());
});

test("every structural op names a backend method that exists", () => {
  for (const op of STRUCTURAL_OPS) {
    const method = STRUCTURAL[op].method;
    if (method === "none") continue;
    assert.equal(typeof (cpuBackend as unknown as Record<string, unknown>)[method], "function", `${op}: ${method}`);
  }
});
