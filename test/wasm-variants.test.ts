// The kernels ship twice (plain and relaxed SIMD, both for shared memory), not four times: the private-memory builds
// are derived by clearing the memory import's shared flag. Checked against the compiler's own private-memory
// builds (src/backend/wasm/generated/*.wasm, written by `npm run build:generated`), byte for byte.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as kernels from "../src/backend/wasm/generated/kernels.js";
import { withPrivateMemory } from "../src/backend/wasm/private-memory.js";
import { loadVariant } from "../src/backend/wasm/runtime.js";

const generated = join(import.meta.dirname, "..", "src", "backend", "wasm", "generated");
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

test("only the two shared-memory builds are embedded", () => {
  assert.deepEqual(Object.keys(kernels).sort(), ["kernels_plainShared", "kernels_relaxedShared"]);
});

for (const set of ["plain", "relaxed"] as const) {
  test(`the ${set} private-memory module is the compiler's own ${set}Single build, byte for byte`, () => {
    const shared = fromBase64(kernels[`kernels_${set}Shared`]);
    assert.deepEqual(shared, new Uint8Array(readFileSync(join(generated, `kernels.${set}Shared.wasm`))));
    const derived = withPrivateMemory(shared);
    assert.deepEqual(derived, new Uint8Array(readFileSync(join(generated, `kernels.${set}Single.wasm`))));
    assert.notDeepEqual(derived, shared, "a copy, changed");
    assert.deepEqual(shared, fromBase64(kernels[`kernels_${set}Shared`]), "the input is left alone");
    assert.throws(() => withPrivateMemory(derived), /not shared/);
  });
}

test("a module without an imported memory is refused, not patched blindly", () => {
  const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  assert.throws(() => withPrivateMemory(empty), /imports no memory/);
});

test("the derived plain build compiles and instantiates with a private memory", () => {
  const rt = loadVariant(false, false);
  assert.ok(rt !== undefined, "the plain private-memory build compiles and instantiates");
  assert.equal(rt.shared, false);
  assert.ok(!(rt.memory.buffer instanceof SharedArrayBuffer));
});
