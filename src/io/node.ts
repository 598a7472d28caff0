// Node's built-in modules, reached at call time so the library still loads in a browser.
import type * as fs from "node:fs";
import type * as moduleNs from "node:module";
import type * as path from "node:path";

interface Builtins {
  fs: typeof fs;
  module: typeof moduleNs;
  path: typeof path;
}

// A static `import "node:fs"` would make every bundle of chainrule fail in a browser, even one that
// never saves a file; process.getBuiltinModule (Node 20.16+) reaches the same module synchronously.
export function nodeBuiltin<K extends keyof Builtins>(name: K, op: string): Builtins[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const get = proc?.getBuiltinModule;
  if (typeof get !== "function") {
    throw new Error(`${op}: needs Node.js 20.16 or newer (it reads or writes files); in a browser, work with bytes instead`);
  }
  return get.call(proc, `node:${name}`) as Builtins[K];
}

/** The message of an error thrown by a file system call, without the stack. */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
