// The formula parser of cr.viz.parseExpression and `chainrule graph` takes time linear in the formula: the
// playground keeps formulas in its URL, so a link with deep nesting must not freeze a tab. Deep formulas
// run in a child process with a generous time limit: the old grammar took 2.2× longer per level of
// parentheses (27 s at 24 levels), so 200 levels would never finish.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import * as cr from "chainrule";

const LEVELS = 200;

/** Runs `body` (a module's code, with `cr` imported) in a child process and returns what it printed. */
function inChild(body: string): string {
  const code = `import * as cr from "chainrule";\n${body}`;
  const r = spawnSync(process.execPath, ["--conditions=chainrule-source", "--import", "tsx", "--input-type=module", "-e", code], {
    cwd: import.meta.dirname,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.signal, null, `the child was stopped (${r.signal}): parsing ${LEVELS} levels did not finish in 60 s`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test(`${LEVELS} levels of parentheses, calls, signs, powers and sums parse and evaluate`, () => {
  const out = inChild(`
    const n = ${LEVELS};
    const x = cr.tensor(0.5, { dtype: "float64" });
    const formulas = {
      parens: "(".repeat(n) + "x" + ")".repeat(n),
      calls: "sin(".repeat(n) + "x" + ")".repeat(n),
      sums: "(x+".repeat(n) + "x" + ")*1".repeat(n),
      signs: "-".repeat(n) + "x",
      powers: Array(n).fill("x").join("^"),
      spaced: "( ".repeat(n) + "x" + " )^1".repeat(n),
    };
    const values = {};
    for (const [name, text] of Object.entries(formulas)) values[name] = cr.viz.parseExpression(text).evaluate({ x }).item();
    console.log(JSON.stringify(values));
  `);
  const values = JSON.parse(out) as Record<string, number>;
  let sines = 0.5;
  for (let i = 0; i < LEVELS; i++) sines = Math.sin(sines);
  // x^x^…^x is right-associative: x^(x^(…)), computed from the top.
  let tower = 0.5;
  for (let i = 1; i < LEVELS; i++) tower = 0.5 ** tower;
  assert.equal(values.parens, 0.5);
  assert.ok(Math.abs(values.calls! - sines) < 1e-12, `calls: ${values.calls} vs ${sines}`);
  assert.equal(values.sums, 0.5 * (LEVELS + 1));
  assert.equal(values.signs, 0.5);
  assert.ok(Math.abs(values.powers! - tower) < 1e-12, `powers: ${values.powers} vs ${tower}`);
  assert.equal(values.spaced, 0.5);
});

test("a formula nested deeper than the parser's stack allows is a clear one-line error", () => {
  for (const text of ["(".repeat(100_000) + "x" + ")".repeat(100_000), "sin(".repeat(50_000) + "x" + ")".repeat(50_000), "-".repeat(200_000) + "x"]) {
    assert.throws(
      () => cr.viz.parseExpression(text),
      (e: Error) => e instanceof cr.ArgumentError && /nested too deeply/.test(e.message) && !e.message.includes("\n") && e.message.length < 300,
      text.slice(0, 10),
    );
  }
});

test("a syntax error in a long formula names the column and shows only the formula's start", () => {
  const text = "x+".repeat(5_000) + "*y";
  assert.throws(
    () => cr.viz.parseExpression(text),
    (e: Error) => e instanceof cr.ArgumentError && /at column 10001/.test(e.message) && /10002 characters/.test(e.message) && e.message.length < 400,
  );
  assert.throws(() => cr.viz.parseExpression("x +\n  foo(x)"), /unknown function foo at column 3/);
});
