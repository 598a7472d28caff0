// loadCsv streams a file through csv-parse into typed arrays, chunk by chunk: these check that
// records cut across chunks read as a whole, that values must be finite decimal numbers, and that
// a model's known classes decide the labels' indices (`eval` on a CSV holding only some classes).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "csv-parse/browser/esm/sync";
import { data, FormatError } from "chainrule";

const dir = mkdtempSync(join(tmpdir(), "chainrule-csv-stream-"));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test("a file of several chunks, with quoted fields across their edges, reads as csv-parse reads it whole", () => {
  // About 3 MB: three 1 MB chunks, with quoted labels holding commas and newlines throughout.
  const rows = ["\ufeffa,b,label"];
  for (let i = 0; i < 60_000; i++) rows.push(`${(i % 997) / 10},${-(i % 13)},${i % 5 === 0 ? '"odd, one\nout"' : `"c${i % 3}"`}`);
  const text = rows.join("\r\n") + "\r\n";
  const got = data.loadCsv(file("chunks.csv", text), { target: "label" });
  const records = (parse(text, { bom: true, skip_empty_lines: true, trim: true }) as string[][]).slice(1);
  assert.deepEqual(got.x.shape, [records.length, 2]);
  const x = got.x.toTypedArray();
  const y = got.y.toTypedArray();
  records.forEach((r, i) => {
    assert.equal(x[2 * i], Math.fround(Number(r[0])), `row ${i}`);
    assert.equal(x[2 * i + 1], Number(r[1]), `row ${i}`);
    assert.equal(got.classes![y[i]!], r[2], `row ${i}`);
  });
  assert.deepEqual(got.classes, ["c0", "c1", "c2", "odd, one\nout"]);
});

test("values must be decimal numbers that fit float32, named by line and column", () => {
  for (const [value, message] of [
    ["1e400", /line 3, column "b": "1e400" is too large for float32/],
    ["-1e39", /line 3, column "b": "-1e39" is too large for float32/],
    ["0x10", /line 3, column "b": "0x10" is not a number/],
    ["Infinity", /line 3, column "b": "Infinity" is not a number/],
  ] as const) {
    assert.throws(() => data.loadCsv(file("big.csv", `a,b,label\n1,2,x\n3,${value},y\n`), { target: "label" }), (e: unknown) => e instanceof FormatError && message.test(e.message), value);
  }
  assert.throws(() => data.loadCsv(file("target.csv", "a,price\n1,2\n3,1e39\n"), { target: "price", task: "regression" }), /line 3, column "price": "1e39" is too large for float32/);
  assert.equal(data.loadCsv(file("max.csv", "a,label\n3.4e38,x\n-3.4e38,y\n"), { target: "label" }).x.toTypedArray()[1], Math.fround(-3.4e38));
});

test("known classes: labels become their indices, matched as written or by value; an unknown label is an error naming it", () => {
  const one = data.loadCsv(file("one-class.csv", "a,b,species\n1,2,virginica\n3,4,virginica\n"), { target: "species", classes: ["setosa", "versicolor", "virginica"] });
  assert.equal(one.task, "classification");
  assert.deepEqual(one.classes, ["setosa", "versicolor", "virginica"]);
  assert.deepEqual(one.y.tolist(), [2, 2]);
  // Without them the file's only class would be class 0.
  assert.deepEqual(data.loadCsv(join(dir, "one-class.csv"), { target: "species" }).y.tolist(), [0, 0]);
  const numeric = data.loadCsv(file("grades.csv", "x,grade\n1,10.0\n2,2\n3,9\n"), { target: "grade", classes: ["2", "9", "10"] });
  assert.deepEqual(numeric.y.tolist(), [2, 0, 1]);
  assert.throws(
    () => data.loadCsv(file("unknown.csv", "a,species\n1,setosa\n2,daisy\n"), { target: "species", classes: ["setosa", "virginica"] }),
    (e: unknown) => e instanceof FormatError && /unknown\.csv: line 3, column "species": "daisy" is not one of the known classes \(setosa, virginica\)/.test(e.message),
  );
  assert.throws(() => data.loadCsv(join(dir, "grades.csv"), { target: "grade", classes: ["2", "2"] }), /classes names a class twice/);
  assert.throws(() => data.loadCsv(join(dir, "grades.csv"), { target: "grade", classes: [] }), /classes must be a non-empty array of class names/);
  assert.throws(() => data.loadCsv(join(dir, "grades.csv"), { target: "grade", classes: ["1"], task: "regression" }), /classes are for classification/);
});

test("mixed labels are classes as written; past 65,536 distinct numbers a text label is an error", () => {
  const mixed = data.loadCsv(file("mixed.csv", "a,label\n1,1\n2,1.0\n3,cat\n4,1\n"), { target: "label" });
  assert.deepEqual(mixed.classes, ["1", "1.0", "cat"]);
  assert.deepEqual(mixed.y.tolist(), [0, 1, 2, 0]);
  const rows = ["a,label"];
  for (let i = 0; i < 70_000; i++) rows.push(`${i},${i / 8}`);
  const regression = data.loadCsv(file("many.csv", rows.join("\n")), { target: "label" });
  assert.equal(regression.task, "regression");
  assert.equal(regression.y.toTypedArray()[69_999], 69_999 / 8);
  assert.equal(data.loadCsv(join(dir, "many.csv"), { target: "label", task: "classification" }).classes!.length, 70_000);
  rows.push("1,cat");
  assert.throws(() => data.loadCsv(file("many-then-text.csv", rows.join("\n")), { target: "label" }), /line 70002, column "label": "cat" is not a number, but the rows above hold over 65536 distinct numbers/);
});
