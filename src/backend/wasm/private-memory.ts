// The kernels ship once per instruction set (plain or relaxed SIMD), built for shared memory; the build for a
// private memory (a page that is not cross-origin isolated, or one thread) differs from it in one byte only, the
// memory import's "shared" flag, so it is derived here instead of shipping twice (tools/build-wasm.mjs checks that
// the compiler's own private-memory build is exactly this).

/** Reads an unsigned LEB128 at `at`: its value and the offset after it. */
function uleb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    if (b === undefined) throw new Error("wasm kernels: truncated module");
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

const IMPORT_SECTION = 2;
const SHARED_FLAG = 0x02;

/**
 * A copy of the module `bytes` whose imported memory is not shared (its limits' shared flag cleared). Throws on a
 * module without an imported shared memory: the kernels' build changed and this no longer applies.
 *
 * @example
 * ```ts
 * const single = withPrivateMemory(decode(kernels.kernels_plainShared));
 * ```
 */
export function withPrivateMemory(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let at = 8; // magic and version
  while (at < out.length) {
    const id = out[at++]!;
    const [size, body] = uleb(out, at);
    if (id === IMPORT_SECTION) {
      let [count, p] = uleb(out, body);
      for (; count > 0; count--) {
        let len: number;
        [len, p] = uleb(out, p); // module name
        p += len;
        [len, p] = uleb(out, p); // field name
        p += len;
        const kind = out[p++];
        if (kind === 0) [, p] = uleb(out, p); // function: type index
        else if (kind === 1) [, p] = skipLimits(out, p + 1); // table: element type, limits
        else if (kind === 3) p += 2; // global: value type, mutability
        else if (kind === 2) {
          if ((out[p]! & SHARED_FLAG) === 0) throw new Error("wasm kernels: the imported memory is not shared");
          out[p] = out[p]! & ~SHARED_FLAG;
          return out;
        } else throw new Error(`wasm kernels: unknown import kind ${String(kind)}`);
      }
    }
    at = body + size;
  }
  throw new Error("wasm kernels: the module imports no memory");
}

function skipLimits(bytes: Uint8Array, at: number): [number, number] {
  const flags = bytes[at++]!;
  let p = uleb(bytes, at)[1];
  if ((flags & 0x01) !== 0) p = uleb(bytes, p)[1];
  return [flags, p];
}
