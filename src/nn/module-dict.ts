// ModuleDict: sub-modules under string keys (torch.nn.ModuleDict), each a property, so `dict.wte` reads one
// and parameters are named `transformer.wte.weight` as in PyTorch.
import { ArgumentError } from "../errors.js";
import { Module } from "./module.js";
import type { AnyModule } from "./module.js";

/** The modules a ModuleDict starts with: a record or `[key, module]` pairs. */
export type ModuleDictInput<T extends Record<string, AnyModule>> = T | Iterable<readonly [keyof T & string, T[keyof T]]>;

/**
 * Sub-modules by name, in insertion order (with one JavaScript exception: integer-like keys such as "0"
 * come first, in ascending order). Each is also a property: `dict.wte`, typed when the dict is built
 * from a record. Like ModuleList it has no forward of its own: use the modules in it.
 */
class ModuleDictImpl<T extends Record<string, AnyModule> = Record<string, AnyModule>> extends Module<unknown[], never> {
  constructor(modules?: ModuleDictInput<T>) {
    super();
    if (modules !== undefined) this.update(modules);
  }

  /** The module under `key`, or undefined. */
  get<K extends keyof T & string>(key: K): T[K] | undefined {
    return this.has(key) ? (Reflect.get(this, key) as unknown as T[K]) : undefined;
  }

  /** Adds or replaces the module under `key` (PyTorch's `dict[key] = module`); returns this. */
  set<K extends keyof T & string>(key: K, module: T[K]): this {
    if (typeof key !== "string" || key === "" || key.includes(".")) throw new ArgumentError(`ModuleDict: a key must be a non-empty string without ".", got ${JSON.stringify(key)}`);
    if (!(module instanceof Module)) throw new TypeError(`ModuleDict: the value under "${key}" is not a Module`);
    // A key that names a method or field (keys, update, training, …) would hide it: refused, as PyTorch refuses.
    if (key in this && !this.has(key)) throw new ArgumentError(`ModuleDict: "${key}" is the name of a ModuleDict member and cannot be a key`);
    this.registerModule(key, module);
    return this;
  }

  /** Whether a module is stored under `key` (PyTorch's `key in dict`). */
  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this, key) && Reflect.get(this, key) instanceof Module;
  }

  /** Removes the module under `key` and returns it (PyTorch's `pop`); undefined when there is none. */
  pop<K extends keyof T & string>(key: K): T[K] | undefined {
    const m = this.get(key);
    if (m !== undefined) Reflect.deleteProperty(this, key);
    return m;
  }

  /** Removes every module. */
  clear(): void {
    for (const key of this.keys()) Reflect.deleteProperty(this, key);
  }

  /** The keys, in order. */
  keys(): (keyof T & string)[] {
    return Object.keys(this).filter((k) => Reflect.get(this, k) instanceof Module) as (keyof T & string)[];
  }

  /** The modules, in order. */
  values(): T[keyof T][] {
    return this.keys().map((k) => Reflect.get(this, k) as unknown as T[keyof T]);
  }

  /** `[key, module]` pairs, in order (PyTorch's `items()`). */
  items(): [keyof T & string, T[keyof T]][] {
    return this.keys().map((k) => [k, Reflect.get(this, k) as unknown as T[keyof T]]);
  }

  /** Adds or replaces modules from a record or from `[key, module]` pairs; returns this. */
  update(modules: ModuleDictInput<T>): this {
    if (modules === null || typeof modules !== "object") throw new TypeError("ModuleDict.update: expected a record of modules or [key, module] pairs");
    const pairs: Iterable<readonly [string, unknown]> = Symbol.iterator in modules
      ? (modules as Iterable<readonly [string, unknown]>)
      : Object.entries(modules);
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("ModuleDict.update: each entry must be a [key, module] pair");
      this.set(pair[0] as keyof T & string, pair[1] as T[keyof T & string]);
    }
    return this;
  }

  /** How many modules it holds. */
  get length(): number {
    return this.keys().length;
  }

  /** Iterates over the keys, as PyTorch's `for key in dict`. */
  [Symbol.iterator](): Iterator<keyof T & string> {
    return this.keys()[Symbol.iterator]();
  }

  forward(): never {
    throw new ArgumentError("ModuleDict: a ModuleDict has no forward; call the modules in it (dict.get(key).forward(x), or dict.key.forward(x))");
  }
}

/** A ModuleDict whose modules are also typed properties: `dict.wte` is the `wte` module given to the constructor. */
export type ModuleDict<T extends Record<string, AnyModule> = Record<string, AnyModule>> = ModuleDictImpl<T> & Readonly<T>;

/** The ModuleDict constructor, typed so `new ModuleDict({ wte, wpe })` has properties `wte` and `wpe`. */
export interface ModuleDictConstructor {
  new <T extends Record<string, AnyModule> = Record<string, AnyModule>>(modules?: ModuleDictInput<T>): ModuleDict<T>;
  readonly prototype: ModuleDictImpl;
}

/**
 * Sub-modules under string keys, as PyTorch's `nn.ModuleDict`: each is registered under its key (so
 * parameters are named `transformer.wte.weight`) and reachable as a typed property or with `get`.
 * Iterating gives the keys; `items()` the pairs. It has no forward of its own.
 * @example
 * const transformer = new cr.nn.ModuleDict({ wte: new cr.nn.Embedding(65, 32), ln_f: new cr.nn.LayerNorm(32) });
 * transformer.wte.forward(idx); // typed: an Embedding
 * transformer.keys(); // ["wte", "ln_f"]
 */
export const ModuleDict = ModuleDictImpl as unknown as ModuleDictConstructor;
