// The wasm heap's cap on tensors: past it tensors go to JavaScript memory, and the process is told once, with
// the fix (a file of its own, so no earlier test has spent the one warning).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { setHeapTensorCap } from "../src/backend/wasm/tensors.js";

test("a full wasm heap says so once, at once, with the fix, and tensors past it still compute", () => {
  assert.ok(cr.backends.wasm.warmUp());
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  const cap = cr.backends.wasm.tensorStats().tensorBytes + 2 ** 20;
  using _cap = setHeapTensorCap(cap);
  cr.setBackend("wasm");
  try {
    // 256 KiB each, made outside any scope: the fifth no longer fits under the cap.
    const kept = Array.from({ length: 8 }, (_, i) => cr.full([65536], i));
    assert.ok(cr.backends.wasm.tensorStats().tensorBytes <= cap, "the cap bounds the heap");
    assert.equal(kept[7]!.sum().item(), 7 * 65536);
    for (const t of kept) t.dispose();
    // Said before the loop that filled the heap returns, not on a later tick.
    assert.equal(warnings.length, 1, "one warning, not one per tensor");
    assert.match(warnings[0]!, /^chainrule \[CHAINRULE_HEAP_FULL\]: \d+ MiB of tensors are on the wasm heap, so new tensors go to JavaScript memory.*cr\.tidy/);
  } finally {
    cr.setBackend("cpu");
    console.warn = warn;
  }
});
