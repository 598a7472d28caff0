// Every public name of chainrule has a doc comment, or is on the list of those that still lack one
// (docs/api-undocumented.txt), which may only shrink: a new export or member without a doc comment fails here, and
// so does a listed name that has since been documented (rewrite the list with `node --import tsx tools/api-docs.ts --write`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { docCoverage, readBaseline } from "../tools/api-docs.js";

test("no public name lacks a doc comment beyond the committed list, and the list is current", () => {
  const coverage = docCoverage();
  const missing = [...coverage.exports.missing, ...coverage.members.missing];
  const baseline = new Set(readBaseline());
  const added = missing.filter((n) => !baseline.has(n));
  assert.deepEqual(added, [], `public names without a doc comment (add one, starting with a sentence, and an @example for functions): ${added.join(", ")}`);
  const fixed = [...baseline].filter((n) => !missing.includes(n));
  assert.deepEqual(fixed, [], `documented now: remove from docs/api-undocumented.txt (tools/api-docs.ts --write): ${fixed.join(", ")}`);
  assert.ok(coverage.exports.total > 500 && coverage.members.total > 1000, "the walk reaches the whole API");
});
