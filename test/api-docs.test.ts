// Every public name of chainrule has a doc comment, or is on the list of those that still lack one
// (docs/api-undocumented.txt), which may only shrink: a new export or member without a doc comment fails here, and
// so does a listed name that has since been documented (rewrite the list with `node --import tsx tools/api-docs.ts --write`).
// Likewise every public function, class and class method has an `@example` or is on docs/api-no-example.txt.
import assert from "node:assert/strict";
import { test } from "node:test";
import { docCoverage, EXAMPLE_BASELINE, readBaseline } from "../tools/api-docs.js";

const coverage = docCoverage();

test("no public name lacks a doc comment beyond the committed list, and the list is current", () => {
  const missing = [...coverage.exports.missing, ...coverage.members.missing];
  const baseline = new Set(readBaseline());
  const added = missing.filter((n) => !baseline.has(n));
  assert.deepEqual(added, [], `public names without a doc comment (add one, starting with a sentence, and an @example for functions): ${added.join(", ")}`);
  const fixed = [...baseline].filter((n) => !missing.includes(n));
  assert.deepEqual(fixed, [], `documented now: remove from docs/api-undocumented.txt (tools/api-docs.ts --write): ${fixed.join(", ")}`);
  assert.ok(coverage.exports.total > 500 && coverage.members.total > 1000, "the walk reaches the whole API");
});

test("no public function, class or class method lacks an @example beyond the committed list, and the list is current", () => {
  const missing = coverage.examples.missing;
  const baseline = new Set(readBaseline(EXAMPLE_BASELINE));
  const added = missing.filter((n) => !baseline.has(n));
  assert.deepEqual(added, [], `public functions, classes or methods without an @example (add one, a line of chainrule code): ${added.join(", ")}`);
  const fixed = [...baseline].filter((n) => !missing.includes(n));
  assert.deepEqual(fixed, [], `have an @example now: remove from docs/api-no-example.txt (tools/api-docs.ts --write): ${fixed.join(", ")}`);
  assert.ok(coverage.examples.total > 800, "the walk reaches the functions and the classes' methods");
});
