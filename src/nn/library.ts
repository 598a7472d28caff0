// Which module calls may be sealed (tensor/sealed.ts): those whose insides no user code can reach. A module is
// the library's when its class is one of the library's own (registered from the `nn` and `models` namespaces);
// a call is sealed when the module and every module below it are the library's, none below has a hook (a
// hook sees the tensors inside), and its arguments are tensors and plain values (an object such as a
// KV cache could take tensors made inside away).
import { Tensor } from "../tensor/tensor.js";

interface ModuleLike {
  _everyModule(ok: (m: ModuleLike, root: boolean) => boolean): boolean;
  _hasHooks(): boolean;
}

const library = new WeakSet<object>();
// The library classes' names, taken from the namespace's export names: a minifier renames classes (so
// `constructor.name` becomes "am") but keeps the names a module exports, so `Sequential(Linear, ReLU)` survives it.
const exportedNames = new WeakMap<object, string>();

/** Registers the module classes among a namespace's values as the library's, under the names they are exported by. */
export function registerLibraryModules(namespace: object, base: abstract new (...args: never[]) => unknown): void {
  for (const [name, value] of Object.entries(namespace)) {
    if (typeof value === "function" && (value === base || value.prototype instanceof base)) {
      library.add(value);
      // A class exported twice keeps the name it was declared with where that is one of them (unminified).
      if (!exportedNames.has(value) || value.name === name) exportedNames.set(value, name);
    }
  }
}

/**
 * A module's class name as `toString()`, errors and reports show it: the library's own classes by their exported
 * name (minification-proof); a user's class by its own static `typeName` if it declares one (which survives
 * minification too), else by its `constructor.name`.
 */
export function moduleTypeName(module: object): string {
  const ctor = (module as { constructor: { name: string; typeName?: unknown } }).constructor;
  const known = exportedNames.get(ctor);
  if (known !== undefined) return known;
  if (Object.hasOwn(ctor, "typeName") && typeof ctor.typeName === "string") return ctor.typeName;
  return ctor.name;
}

function plainArgument(value: unknown, depth = 0): boolean {
  if (value === null || value === undefined || value instanceof Tensor) return true;
  const type = typeof value;
  if (type === "number" || type === "boolean" || type === "string" || type === "bigint") return true;
  if (depth > 0 || type !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return value.every((v) => plainArgument(v, 1));
  return (proto === Object.prototype || proto === null) && Object.values(value as object).every((v) => plainArgument(v, 1));
}

/** Whether `module`'s call with `args` may be sealed. */
export function sealable(module: ModuleLike, args: readonly unknown[]): boolean {
  for (const a of args) if (!plainArgument(a)) return false;
  // The module's own hooks see only what its caller sees; hooks below it would see the tensors inside.
  return module._everyModule((m, root) => library.has(m.constructor) && (root || !m._hasHooks()));
}
