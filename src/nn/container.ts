// Containers: Sequential (a chain of layers), ModuleList (an indexable list of sub-modules) and Residual (x + f(x)).
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { moduleTypeName } from "./library.js";
import { Module } from "./module.js";
import type { AnyModule } from "./module.js";

/** A module that maps one tensor to one tensor: what Sequential chains. */
export type TensorModule = Module<[Tensor], Tensor>;

/** The sub-modules kept under the numeric keys "0", "1", …, in order. */
function indexed<M>(owner: object): M[] {
  const out: M[] = [];
  for (let i = 0; Object.prototype.hasOwnProperty.call(owner, String(i)); i++) out.push(Reflect.get(owner, String(i)) as M);
  return out;
}

function checkModule(owner: string, m: unknown, at: string): void {
  if (!(m instanceof Module)) throw new TypeError(`${owner}: ${at} is not a Module`);
}

/**
 * Applies its modules one after another, each taking the previous one's output (a single tensor). They are registered as "0", "1", … (so parameters are
 * named `0.weight`, `2.bias`, as in PyTorch) and can be read back as `seq[0]`; a record gives them names.
 * @example
 * const mlp = new cr.nn.Sequential(new cr.nn.Linear(2, 8), new cr.nn.Tanh(), new cr.nn.Linear(8, 1));
 * mlp.forward(cr.randn([4, 2])).shape; // [4, 1]
 * new cr.nn.Sequential({ fc: new cr.nn.Linear(2, 8), act: new cr.nn.ReLU() }); // fc.weight, fc.bias
 */
export class Sequential extends Module {
  readonly [index: number]: AnyModule;

  constructor(...modules: AnyModule[] | [Readonly<Record<string, AnyModule>>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first !== undefined && !(first instanceof Module)) {
      for (const [name, m] of Object.entries(first)) {
        checkModule("Sequential", m, `entry "${name}"`);
        this.registerModule(name, m);
      }
    } else {
      (modules as AnyModule[]).forEach((m, i) => {
        checkModule("Sequential", m, `argument ${i}`);
        this.registerModule(String(i), m);
      });
    }
  }

  /** The modules with their keys, in order (a module added twice appears twice, and runs twice). */
  #layers(): [string, AnyModule][] {
    return Object.keys(this)
      .map((k): [string, unknown] => [k, Reflect.get(this, k)])
      .filter((e): e is [string, AnyModule] => e[1] instanceof Module);
  }

  /** How many modules the chain has. */
  get length(): number {
    return this.#layers().length;
  }

  /** Adds a module at the end (as key `length`); returns this. @example new cr.nn.Sequential(new cr.nn.ReLU()).append(new cr.nn.Tanh()).length // 2 */
  append(module: AnyModule): this {
    checkModule("Sequential", module, "the appended value");
    this.registerModule(String(this.length), module);
    return this;
  }

  [Symbol.iterator](): Iterator<AnyModule> {
    return this.#layers().map(([, m]) => m)[Symbol.iterator]();
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Sequential(new cr.nn.Flatten(), new cr.nn.Linear(6, 2)).forward(cr.zeros([4, 2, 3])).shape // [4, 2] */
  forward(x: Tensor): Tensor {
    let h: unknown = x;
    for (const [key, m] of this.#layers()) {
      h = m.forward(h);
      if (!(h instanceof Tensor)) throw new TypeError(`${this.moduleName}: module "${key}" (${moduleTypeName(m)}) returned ${h === null ? "null" : typeof h}, not a Tensor, so the chain cannot go on`);
    }
    return h as Tensor;
  }
}

/**
 * An indexable list of sub-modules, registered as "0", "1", … so their parameters are named
 * `blocks.0.weight` as in PyTorch. It has no forward of its own: iterate over it. TypeScript infers
 * the element type from the constructor's modules; write `new ModuleList<AnyModule>([...])` to mix kinds later.
 * @example
 * this.blocks = new cr.nn.ModuleList([new cr.nn.Linear(8, 8), new cr.nn.Linear(8, 8)]);
 * for (const block of this.blocks) x = block.forward(x).relu();
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<unknown[], never> {
  readonly [index: number]: M;

  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** How many modules the list has. */
  get length(): number {
    return indexed<M>(this).length;
  }

  /** The module at `index` (negative counts from the end), or undefined. @example new cr.nn.ModuleList([new cr.nn.ReLU(), new cr.nn.Tanh()]).at(-1).moduleName // "Tanh" */
  at(index: number): M | undefined {
    return indexed<M>(this).at(index);
  }

  /** Adds a module at the end; returns this. @example new cr.nn.ModuleList().append(new cr.nn.ReLU()).length // 1 */
  append(module: M): this {
    checkModule("ModuleList", module, "the appended value");
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Adds modules at the end; returns this. @example new cr.nn.ModuleList().extend([new cr.nn.ReLU(), new cr.nn.Tanh()]).length // 2 */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before position `index`, shifting the later ones up by one. @example layers.insert(0, new cr.nn.ReLU()); */
  insert(index: number, module: M): void {
    checkModule("ModuleList", module, "the inserted value");
    const items = indexed<M>(this);
    const n = items.length;
    const i = index < 0 ? Math.max(0, n + index) : Math.min(index, n);
    items.splice(i, 0, module);
    items.forEach((m, k) => this.registerModule(String(k), m));
  }

  [Symbol.iterator](): Iterator<M> {
    return indexed<M>(this)[Symbol.iterator]();
  }

  /**
   * A ModuleList only holds modules (as PyTorch's): calling it throws, naming the way to use it.
   * @example new cr.nn.ModuleList([new cr.nn.ReLU()]).forward() // throws ArgumentError
   */
  forward(): never {
    throw new ArgumentError("ModuleList: a ModuleList has no forward; iterate over it and call each module's forward");
  }
}

/**
 * A residual connection: `x + inner.forward(x)`, the building block of ResNets (`inner` must keep the shape).
 * @example new cr.nn.Residual(new cr.nn.Sequential(new cr.nn.Linear(16, 16), new cr.nn.ReLU()))
 */
export class Residual extends Module {
  /** The module whose output is added to its input. */
  readonly inner: TensorModule;

  constructor(inner: TensorModule) {
    super();
    checkModule("Residual", inner, "inner");
    this.inner = inner;
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Residual(new cr.nn.ReLU()).forward(cr.tensor([-1, 2])) // [-1, 4] */
  forward(x: Tensor): Tensor {
    const y = this.inner.forward(x);
    if (!shapesEqual(y.shape, x.shape)) throw new ShapeError(`${this.moduleName}: the inner module maps ${fmt(x.shape)} to ${fmt(y.shape)}; x + inner(x) needs the same shape`);
    return x.add(y);
  }
}
