// Code that runs in worker threads travels as source text: the cpu backend's kernels, the wasm backend's task
// loop, and every elementwise loop the cpu backend generates from the op registry. Such code must not reach
// anything outside itself (an import, a closure variable, a helper the source does not carry), or it fails only
// inside a worker. ESLint's no-undef, run on the very text a worker gets, enforces that here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Linter } from "eslint";
import { programSource } from "../src/backend/cpu/program-source.js";
import { cpuWorkerSource } from "../src/backend/cpu/threads.js";
import { wasmWorkerSource } from "../src/backend/wasm/workers.js";
import type { ComputeDType as DType } from "../src/dtype.js";
import { ELEMENTWISE, ELEMENTWISE_OPS } from "../src/ops/elementwise.js";
import type { ElementwiseOpDef } from "../src/ops/elementwise.js";
import { opProgram } from "../src/ops/program.js";

/** What a worker's global scope has: the language's built-ins, and the host's few entry points. */
const BUILTINS = [
  "Math", "Number", "Array", "Object", "Error", "Map", "Set", "WeakMap", "Promise", "Symbol", "JSON", "Reflect", "Function",
  "Atomics", "SharedArrayBuffer", "ArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "WebAssembly", "Infinity", "NaN", "undefined", "globalThis",
  "performance", "setTimeout",
];

function undefinedNames(source: string, host: readonly string[]): string[] {
  const linter = new Linter({ configType: "flat" });
  const globals = Object.fromEntries([...BUILTINS, ...host].map((g) => [g, "readonly" as const]));
  const messages = linter.verify(source, {
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals, parserOptions: { ecmaFeatures: { globalReturn: true } } },
    rules: { "no-undef": "error" },
  });
  const fatal = messages.filter((m) => m.fatal === true);
  assert.deepEqual(fatal.map((m) => m.message), [], "the source parses");
  return messages.map((m) => m.message);
}

test("the cpu backend's worker source reaches nothing outside itself", () => {
  assert.deepEqual(undefinedNames(cpuWorkerSource(), ["require"]), []);
});

test("the wasm backend's worker sources, for Node and for browsers, reach nothing outside themselves", () => {
  assert.deepEqual(undefinedNames(wasmWorkerSource("node"), ["require"]), []);
  assert.deepEqual(undefinedNames(wasmWorkerSource("browser"), ["self"]), []);
});

test("every elementwise loop the cpu backend generates from the registry is self-contained", () => {
  for (const op of ELEMENTWISE_OPS) {
    const def: ElementwiseOpDef = ELEMENTWISE[op];
    const dtypes: DType[] = Array.from({ length: def.arity }, (_, i) => (def.test?.kinds?.[i] === "bool" ? "bool" : "float32"));
    const out: DType = def.predicate === true ? "bool" : "float32";
    for (const scalar of [dtypes.map(() => false), dtypes.map((_, i) => i === dtypes.length - 1)]) {
      for (const aligned of [false, true]) {
        assert.deepEqual(undefinedNames(programSource(opProgram(op), dtypes, out, scalar, aligned), []), [], `${op}: its generated loop`);
      }
    }
  }
});

test("the check finds a scalar function that reaches a closure variable", () => {
  const helper = (x: number) => x * 2;
  const leaky = (x: number) => helper(x);
  assert.deepEqual(undefinedNames(`const f = ${leaky.toString()};`, []), ["'helper' is not defined."]);
});
