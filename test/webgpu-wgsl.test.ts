// Every elementwise op of the registry has a WGSL form (its entry's `wgsl`, or its parts' for a composite), so a new
// op runs on GPU backends from its one entry; and each helper a template calls exists. No GPU needed: the webgpu
// suites (test/webgpu.test.ts) compile and run them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ELEMENTWISE, ELEMENTWISE_OPS } from "../src/ops/elementwise.js";
import type { ElementwiseOpDef } from "../src/ops/elementwise.js";
import { WGSL_HELPERS, wgslHelpersFor } from "../src/ops/wgsl-math.js";

const forms = (def: ElementwiseOpDef): string[] => (def.wgsl === undefined ? [] : typeof def.wgsl === "string" ? [def.wgsl] : [def.wgsl.float, def.wgsl.int]);

test("every op of the registry is an instruction with a WGSL form or a composite", () => {
  const missing = ELEMENTWISE_OPS.filter((op) => {
    const def: ElementwiseOpDef = ELEMENTWISE[op];
    return def.expr === undefined && def.wgsl === undefined;
  });
  assert.deepEqual(missing, [], "add `wgsl` to these entries of src/ops/elementwise.ts (see its doc comment)");
});

test("each WGSL template reads only its operands and calls only helpers that exist", () => {
  for (const op of ELEMENTWISE_OPS) {
    const def: ElementwiseOpDef = ELEMENTWISE[op];
    for (const form of forms(def)) {
      for (const m of form.matchAll(/\$(\w)/g)) {
        assert.ok(m[1] === "T" || Number(m[1]) < def.arity, `${op}: "${form}" reads $${m[1]}, but the op has ${def.arity} operands`);
      }
      for (const m of form.matchAll(/\bcr_\w+/g)) assert.ok(WGSL_HELPERS[m[0]] !== undefined, `${op}: helper ${m[0]} is not in wgsl-math.ts`);
    }
  }
});

test("helpers come after the helpers they call", () => {
  const names = Object.keys(WGSL_HELPERS);
  names.forEach((name, i) => {
    for (const m of WGSL_HELPERS[name]!.matchAll(/\bcr_\w+/g)) {
      if (m[0] === name) continue;
      assert.ok(names.indexOf(m[0]) >= 0 && names.indexOf(m[0]) < i, `${name} calls ${m[0]}, which must be defined before it`);
    }
  });
  assert.deepEqual(wgslHelpersFor("cr_tanh(x)").map((h) => h.split("(")[0]), ["fn cr_f32", "fn cr_isnan", "fn cr_isinf", "fn cr_exp", "fn cr_log", "fn cr_expm1", "fn cr_tanh"]);
});
