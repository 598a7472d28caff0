// The API reference's one-line examples that state their result run here: every `@example cr.… // <value>` in src/
// whose comment is a value (a JavaScript literal, or PyTorch's `tensor([3, 7])`, optionally followed by `, int32`
// for the dtype) is evaluated, and what it gives must equal that value (tensors compare by `tolist()`, numbers to
// 4 significant digits, as the examples round them), and one whose comment is `throws ShapeError` must throw an error of that name. Comments that describe rather than state a value
// (`// a scalar`), and examples written as statements (ending in `;`), are not checked, except in src/tensor/tensor.ts, where every `cr.` example states its value.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import * as cr from "chainrule";

const root = join(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

interface Example { where: string; code: string; expected: string }

/**
 * The value and dtype an example's comment states (or the error it throws: `// throws ShapeError`), or undefined for a
 * comment that describes rather than states one.
 */
function stated(comment: string): { value: unknown; dtype?: string; throws?: string } | undefined {
  const thrown = /^throws ([A-Z]\w*Error)\b/.exec(comment);
  if (thrown !== null) return { value: undefined, throws: thrown[1]! };
  const m = /^(.*?)(?:, (float32|float64|int32|bool))?$/.exec(comment)!;
  try {
    const value: unknown = new Function("tensor", `return (${m[1]});`)((x: unknown) => x);
    return m[2] === undefined ? { value } : { value, dtype: m[2] };
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof ReferenceError) return undefined;
    throw e;
  }
}

/** `@example cr.… // value` lines, up to the end of the comment. */
function examples(): Example[] {
  const out: Example[] = [];
  for (const file of sources(join(root, "src"))) {
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const m = /@example ((?:new )?cr\..*?) \/\/ (.*?)\s*(?:\*\/)?\s*$/.exec(line);
      // A statement (`cr.data.mnistDir(); // ".../data"`) illustrates; an expression states its value.
      if (m !== null && !m[1]!.trimEnd().endsWith(";")) out.push({ where: `${relative(root, file)}:${i + 1}`, code: m[1]!, expected: m[2]! });
    });
  }
  return out;
}

/** Tensors as nested lists, typed arrays as arrays, everything else as it is. */
function plain(v: unknown): unknown {
  if (v instanceof cr.Tensor) return v.tolist();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function close(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === "number" && typeof actual === "number") {
    const ok = Object.is(actual, expected) || Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected));
    assert.ok(ok, `${path}: got ${actual}, the example says ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: got ${JSON.stringify(actual)}, the example says ${JSON.stringify(expected)}`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object", `${path}: got ${JSON.stringify(actual)}`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const k of Object.keys(expected)) close((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

const found = examples().map((ex) => ({ ...ex, value: stated(ex.expected) }));
const checked = found.filter((ex) => ex.value !== undefined);

test("the examples with a stated result are found, and Tensor's methods all state theirs", () => {
  assert.ok(checked.length >= 150, `only ${checked.length} examples with a result`);
  const vague = found.filter((ex) => ex.value === undefined && ex.where.startsWith("src/tensor/tensor.ts:"));
  assert.deepEqual(vague.map((ex) => `${ex.where}: ${ex.expected}`), [], "Tensor's examples state the value they give");
});

for (const ex of checked) {
  test(`${ex.where}: ${ex.code}`, () => {
    const run = new Function("cr", `return (${ex.code});`) as (m: typeof cr) => unknown;
    const throws = ex.value!.throws;
    if (throws !== undefined) {
      assert.throws(() => run(cr), (e: Error) => e.name === throws, `${ex.code} throws a ${throws}`);
      return;
    }
    const result: unknown = run(cr);
    close(plain(result), ex.value!.value, ex.code);
    if (ex.value!.dtype !== undefined) assert.equal((result as cr.Tensor).dtype, ex.value!.dtype, `${ex.code}: dtype`);
  });
}
