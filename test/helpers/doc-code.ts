// Runs a code block from the documentation (the README, a guide) as a module and checks what it prints against the
// comments it states: each console.log's trailing comment says what it prints, so `false` may appear only where
// the comment says so (a claim checked as `true` must come out true), and NaN never.
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";

/** Imports the module at `file` (whose source is `code`), capturing console.log, and checks the printed lines. */
export async function runDocCode(file: string, code: string, what: string): Promise<void> {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    console.log = original;
  }
  assert.ok(printed.length > 0, `${what} prints its results`);
  const comments = [...code.matchAll(/console\.log\(.*\);\s*(?:\/\/(.*))?$/gm)].map((m) => m[1] ?? "");
  printed.forEach((line, k) => {
    assert.doesNotMatch(line, /NaN/, `${what} printed: ${line}`);
    if (/\bfalse\b/.test(line)) assert.match(comments[k] ?? "", /\bfalse\b/, `${what} printed "${line}" where its comment says "${comments[k]}"`);
  });
}
