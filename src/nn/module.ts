// `cr.nn.Module`: the base class of layers and models — parameter discovery, dotted names, train/eval,
// state dicts, and the single place (`forward`'s wrapper) where module hooks run.
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { safePoint } from "../backend/reclaim.js";
import type { DType } from "../dtype.js";
import { isDType, isFloating } from "../dtype.js";
import { ArgumentError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import { markKept } from "../tensor/lifetime.js";
import { inSealedCall, sealedCall } from "../tensor/sealed.js";
import { Tensor } from "../tensor/tensor.js";
import { BackwardHookCall } from "./backward-hook.js";
import { moduleTypeName, sealable } from "./library.js";
import { moveModules, moveModulesAsync } from "./module-device.js";
import type { ModuleTensors } from "./module-device.js";
import type { StoredBackwardHook } from "./backward-hook.js";
import { Parameter } from "./parameter.js";

/** What `register*Hook` returns: `remove()` unregisters the hook (calling it twice is harmless). */
export interface RemovableHandle {
  /** Unique among the handles of this process. */
  readonly id: number;
  /** Unregisters the hook. */
  remove(): void;
}

/** What a pre-hook may return for a one-argument forward: that argument alone (`unknown` when the arity is open). */
export type SingleArg<Args extends unknown[]> = Args extends readonly [infer A] ? A : number extends Args["length"] ? unknown : never;

// Hooks are declared with method syntax so their parameters compare bivariantly: that is what lets a
// Linear (Module<[Tensor], Tensor>) be used where any module is expected (AnyModule).
interface PreHookShape<M, Args extends unknown[]> {
  hook(module: M, args: Args): Args | SingleArg<Args> | void;
}
interface ForwardHookShape<M, Args extends unknown[], Out> {
  hook(module: M, args: Args, output: Out): Out | void;
}

/**
 * Runs before `forward`; returning something replaces the arguments (an array is the argument list,
 * anything else the single argument), returning nothing keeps them.
 */
export type ForwardPreHook<M, Args extends unknown[]> = PreHookShape<M, Args>["hook"];
/** Runs after `forward` with the arguments it got and its output; returning something replaces the output. */
export type ForwardHook<M, Args extends unknown[], Out> = ForwardHookShape<M, Args, Out>["hook"];

/**
 * Runs once per backward through a module call, with the gradients with respect to the call's
 * arguments (`gradInput`, null for non-tensors and inputs that need none) and outputs
 * (`gradOutput`); returning an array (same length) replaces `gradInput`.
 */
export type FullBackwardHook<M> = FullBackwardHookShape<M>["hook"];
interface FullBackwardHookShape<M> {
  hook(module: M, gradInput: readonly (Tensor | null)[], gradOutput: readonly (Tensor | null)[]): readonly (Tensor | null)[] | void;
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Set each `.grad` to null (default, as PyTorch 2) instead of filling it with zeros in place. */
  setToNone?: boolean;
}

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true); shapes must match either way. */
  strict?: boolean;
}

/** What `loadStateDict` reports when it succeeds (both lists are empty when `strict`). */
export interface LoadStateDictResult {
  /** The model's keys the state dict did not have. */
  readonly missingKeys: string[];
  /** The state dict's keys the model does not have. */
  readonly unexpectedKeys: string[];
}

/** Options of `registerBuffer`. */
export interface BufferOptions {
  /** Part of `stateDict()` (default true); a non-persistent buffer is state that is recomputed, not saved. */
  persistent?: boolean;
}

/**
 * Thrown by `loadStateDict` when keys or shapes do not match; the module is left unchanged.
 * The message lists every problem, and the fields hold them for programs.
 * @example
 * try { model.loadStateDict(sd); } catch (e) { if (e instanceof cr.nn.StateDictError) console.log(e.missingKeys); }
 */
export class StateDictError extends Error {
  override name = "StateDictError";
  constructor(
    message: string,
    /** The model's parameter and buffer names the state dict lacks. */
    readonly missingKeys: readonly string[],
    /** The state dict's names the model has no parameter or buffer for. */
    readonly unexpectedKeys: readonly string[],
    /** The names present in both whose shapes differ, with each shape. */
    readonly sizeMismatches: readonly { key: string; stateDictShape: readonly number[]; modelShape: readonly number[] }[],
  ) {
    super(message);
  }
}

/** Any module, whatever its `forward` takes and returns. */
export type AnyModule = Module<unknown[], unknown>;

type StoredPreHook = (module: unknown, args: unknown[]) => unknown;
type StoredForwardHook = (module: unknown, args: unknown[], output: unknown) => unknown;

let nextHookId = 0;

function handle(map: Map<number, unknown>, id: number): RemovableHandle {
  return { id, remove: () => void map.delete(id) };
}

function checkName(owner: string, kind: string, name: string): void {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new ArgumentError(`${owner}.register${kind}: name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
  }
}

/**
 * The base class of every layer and model. Subclasses assign their learnable tensors as
 * `Parameter` properties and their sub-layers as `Module` properties (found in the order they were
 * assigned, so names come out as PyTorch's: `layers.0.weight`), register running statistics with
 * `registerBuffer`, and implement `forward`. Apply a module with `model.forward(x)`: the base class
 * wraps each instance's `forward` so pre-hooks and forward hooks run around every call.
 *
 * A `forward` taking something other than one tensor states it in the type arguments:
 * `class Attend extends Module<[Tensor, Tensor]> { forward(q: Tensor, k: Tensor): Tensor { … } }`.
 * `forward` must be a method (not an arrow-function property), so the base class can find it.
 * @example
 * class Mlp extends cr.nn.Module {
 *   layers = new cr.nn.Sequential(new cr.nn.Linear(2, 8), new cr.nn.Tanh(), new cr.nn.Linear(8, 1));
 *   forward(x: cr.Tensor): cr.Tensor { return this.layers.forward(x); }
 * }
 * const model = new Mlp();
 * model.namedParameters().map(([name]) => name); // ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
 */
export abstract class Module<Args extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (true) or evaluation mode (false); set by `train()` and `eval()` on the whole tree. */
  training = true;
  // Hooks live in private fields typed loosely, so Module<[Tensor]> still assigns to Module<unknown[]>.
  readonly #preHooks = new Map<number, StoredPreHook>();
  readonly #forwardHooks = new Map<number, StoredForwardHook>();
  readonly #backwardHooks = new Map<number, StoredBackwardHook>();
  // Buffers keep PyTorch's state-dict names (running_mean); subclasses expose them as camelCase getters.
  readonly #buffers = new Map<string, { tensor: Tensor | null; persistent: boolean }>();

  constructor() {
    // The subclass's `forward` (a prototype method, already reachable here) becomes the implementation;
    // the instance's own `forward` wraps it, so `model.forward(x)` always passes through #call.
    const impl: unknown = Reflect.get(this, "forward");
    if (typeof impl !== "function") {
      throw new TypeError(`${new.target.name}: forward must be a method of the class (not a property), so the Module base class can wrap it`);
    }
    Object.defineProperty(this, "forward", {
      value: (...args: Args): Out => this.#call(impl as (...a: Args) => Out, args),
      enumerable: false,
      writable: false,
      configurable: false,
    });
  }

  /** The computation; call it as `module.forward(...)`, which also runs the module's hooks. @example const y = model.forward(x); */
  abstract forward(...args: Args): Out;

  #call(impl: (...a: Args) => Out, input: Args): Out {
    safePoint();
    let args = input;
    // A copy of the hooks (one may remove itself), made only where there are some: every call passes here.
    if (this.#preHooks.size > 0) {
      for (const hook of [...this.#preHooks.values()]) {
        const replaced = hook(this, args);
        if (replaced !== undefined) args = (Array.isArray(replaced) ? replaced : [replaced]) as Args;
      }
    }
    // Full backward hooks: identity nodes around the tensor arguments and outputs catch gradInput and
    // gradOutput. The hooks are those registered now (PyTorch takes the list at forward time too).
    const bw = this.#backwardHooks.size > 0 && isGradEnabled()
      ? new BackwardHookCall(this, this.moduleName, [...this.#backwardHooks.values()])
      : null;
    if (bw !== null) args = bw.setupInputs(args);
    let out = !inSealedCall() && sealable(this, args) ? sealedCall(() => impl.apply(this, args)) : impl.apply(this, args);
    if (this.#forwardHooks.size > 0) {
      for (const hook of [...this.#forwardHooks.values()]) {
        const replaced = hook(this, args, out);
        if (replaced !== undefined) out = replaced as Out;
      }
    }
    return bw === null ? out : bw.setupOutput(out);
  }

  /** @internal Whether any hook is registered on this module (not its children). */
  _hasHooks(): boolean {
    return this.#preHooks.size > 0 || this.#forwardHooks.size > 0 || this.#backwardHooks.size > 0;
  }

  /** The class name, used in error messages and `toString()`. */
  protected get moduleName(): string {
    return moduleTypeName(this);
  }

  // ---- hooks -----------------------------------------------------------------------------------

  /**
   * Registers a hook run before every `forward` call with the module and its arguments; a returned
   * value replaces the arguments.
   * @example const h = model.registerForwardPreHook((_m, [x]) => x.mul(2)); … h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook<this, Args>): RemovableHandle {
    const id = nextHookId++;
    this.#preHooks.set(id, hook as StoredPreHook);
    return handle(this.#preHooks, id);
  }

  /**
   * Registers a hook run after every `forward` call with the module, its arguments and its output;
   * a returned value replaces the output.
   * @example const h = layer.registerForwardHook((_m, _args, out) => void activations.push(out.detach()));
   */
  registerForwardHook(hook: ForwardHook<this, Args, Out>): RemovableHandle {
    const id = nextHookId++;
    this.#forwardHooks.set(id, hook as StoredForwardHook);
    return handle(this.#forwardHooks, id);
  }

  /**
   * Registers a hook run once per backward through each later call of this module, as PyTorch's
   * `register_full_backward_hook`: `hook(module, gradInput, gradOutput)` gets the gradients with
   * respect to the call's arguments (null for non-tensor arguments and inputs that need no gradient)
   * and outputs, and may return a replacement `gradInput`. Calls made before registering are not hooked.
   * @example
   * const h = layer.registerFullBackwardHook((_m, gradInput, gradOutput) => {
   *   console.log(gradOutput[0]?.abs().max().item(), gradInput[0]?.shape);
   * });
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>): RemovableHandle {
    const id = nextHookId++;
    this.#backwardHooks.set(id, hook as StoredBackwardHook);
    return handle(this.#backwardHooks, id);
  }

  // ---- registration ----------------------------------------------------------------------------

  /** The own properties that hold parameters or modules, in assignment order. */
  #ownEntries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const key of Object.keys(this)) {
      const value: unknown = Reflect.get(this, key);
      if (Array.isArray(value) && value.some((v) => v instanceof Module || v instanceof Parameter)) {
        // PyTorch silently ignores a plain list of layers; a missing parameter is a worse surprise than an error.
        throw new TypeError(
          `${this.moduleName}: property "${key}" is a plain array of modules or parameters, which would not be registered; ` +
            `use new cr.nn.ModuleList([...]) (or register each parameter with registerParameter)`,
        );
      }
      out.push([key, value]);
    }
    return out;
  }

  /** Adds (or with null, clears) a sub-module as property `name`: the same as assigning `this[name] = module`. @example this.registerModule("head", new cr.nn.Linear(8, 2)); */
  registerModule(name: string, module: AnyModule | null): void {
    checkName(this.moduleName, "Module", name);
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${this.moduleName}.registerModule: "${name}" is not a Module`);
    Reflect.set(this, name, module);
  }

  /** Adds (or with null, clears) a parameter as property `name`: the same as assigning `this[name] = param`. @example this.registerParameter("scale", new cr.nn.Parameter(cr.ones([1]))); */
  registerParameter(name: string, param: Parameter | null): void {
    checkName(this.moduleName, "Parameter", name);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`${this.moduleName}.registerParameter: "${name}" is not a Parameter; wrap the tensor in new cr.nn.Parameter(t)`);
    }
    Reflect.set(this, name, param);
  }

  /**
   * Adds a buffer: a tensor that is state but not a parameter (BatchNorm's running statistics). It is
   * listed by `buffers()` and saved in `stateDict()` under `name` (unless `persistent: false`); null
   * reserves the name without a tensor. Registering the same name again replaces it. As in PyTorch,
   * the buffer is then read as the property `this[name]`, and assigning a tensor (or null) to that
   * property replaces it (assigning a Parameter or a Module turns the name into one of those);
   * TypeScript needs the property declared, as `declare bias: cr.Tensor;`.
   * @example
   * this.registerBuffer("mask", cr.ones([8, 8]).gt(0), { persistent: false });
   * this.mask; // the tensor
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: BufferOptions = {}): void {
    checkName(this.moduleName, "Buffer", name);
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`${this.moduleName}.registerBuffer: "${name}" is not a Tensor`);
    if (tensor instanceof Parameter) throw new TypeError(`${this.moduleName}.registerBuffer: "${name}" is a Parameter; assign it as a property instead`);
    // Only own properties can clash: a getter of the same name (BatchNorm's runningMean) is how buffers are read.
    const clash: unknown = Object.getOwnPropertyDescriptor(this, name)?.value;
    if (clash instanceof Parameter || clash instanceof Module) {
      throw new ArgumentError(`${this.moduleName}.registerBuffer: "${name}" is already a ${clash instanceof Module ? "module" : "parameter"}`);
    }
    if (tensor !== null) markKept(tensor, "user"); // module state outlives scopes
    this.#buffers.set(name, { tensor, persistent: opts.persistent ?? true });
    this.#exposeBuffer(name);
  }

  // PyTorch reads a buffer as an attribute (`self.bias`); an accessor on the instance does the same. It is not
  // enumerable, so traversal (which reads own enumerable properties) never mistakes it for a parameter or module.
  #exposeBuffer(name: string): void {
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own?.get !== undefined) return; // exposed already
    if (own === undefined && name in this) {
      // A getter of the subclass's (its own way to read the buffer) keeps working; anything else would be shadowed.
      let proto: object | null = Object.getPrototypeOf(this) as object | null;
      let found: PropertyDescriptor | undefined;
      while (proto !== null && found === undefined) {
        found = Object.getOwnPropertyDescriptor(proto, name);
        proto = Object.getPrototypeOf(proto) as object | null;
      }
      if (found?.get !== undefined) return;
      this.#buffers.delete(name);
      throw new ArgumentError(`${this.moduleName}.registerBuffer: "${name}" is already a member of ${this.moduleName}; choose another name`);
    }
    Object.defineProperty(this, name, {
      configurable: true,
      enumerable: false,
      get: (): Tensor | null => this.#buffers.get(name)?.tensor ?? null,
      set: (value: unknown) => this.#assignToBuffer(name, value),
    });
  }

  // `this.name = value` for a buffer's name, as PyTorch's __setattr__: a tensor or null replaces the buffer; a
  // Parameter or a Module takes the name over (the buffer is dropped).
  #assignToBuffer(name: string, value: unknown): void {
    const entry = this.#buffers.get(name);
    if (value instanceof Parameter || value instanceof Module) {
      this.#buffers.delete(name);
      Object.defineProperty(this, name, { configurable: true, enumerable: true, writable: true, value });
      return;
    }
    if (value !== null && !(value instanceof Tensor)) {
      throw new TypeError(`${this.moduleName}: cannot assign ${typeof value} as buffer "${name}" (a Tensor or null expected)`);
    }
    if (value !== null) markKept(value, "user");
    this.#buffers.set(name, { tensor: value, persistent: entry?.persistent ?? true });
  }

  /** This module's own buffer `name` (not dotted), or null when it is registered as null. */
  protected buffer(name: string): Tensor | null {
    const b = this.#buffers.get(name);
    if (b === undefined) throw new ArgumentError(`${this.moduleName}: no buffer named "${name}"`);
    return b.tensor;
  }

  // ---- traversal -------------------------------------------------------------------------------

  /** The direct sub-modules with their property names, in assignment order. @example new cr.nn.Sequential(new cr.nn.ReLU()).namedChildren().map(([name]) => name) // ["0"] */
  namedChildren(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<unknown>();
    for (const [name, value] of this.#ownEntries()) {
      if (value instanceof Module && !seen.has(value)) {
        seen.add(value);
        out.push([name, value as AnyModule]);
      }
    }
    return out;
  }

  /** The direct sub-modules, in assignment order. @example new cr.nn.Sequential(new cr.nn.Linear(2, 2), new cr.nn.ReLU()).children().length // 2 */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module (named "") and every module below it, depth first, each once, with dotted names. @example new cr.nn.Sequential(new cr.nn.ReLU()).namedModules().map(([name]) => name) // ["", "0"] */
  namedModules(prefix = ""): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (m: AnyModule, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, sub] of m.namedChildren()) visit(sub, name === "" ? child : `${name}.${child}`);
    };
    visit(this as AnyModule, prefix);
    return out;
  }

  /**
   * @internal Whether `ok` holds for this module (`root` true) and every module below it, each once, stopping at the
   * first that fails. Every top-level forward asks this (nn/library.ts `sealable`), so it walks the properties
   * directly, without the names and arrays `modules()` builds.
   */
  _everyModule(ok: (m: AnyModule, root: boolean) => boolean): boolean {
    const root = this as AnyModule;
    const seen = new Set<AnyModule>([root]);
    const stack: AnyModule[] = [root];
    if (!ok(root, true)) return false;
    while (stack.length > 0) {
      const m = stack.pop()!;
      for (const key of Object.keys(m)) {
        const value: unknown = Reflect.get(m, key);
        if (!(value instanceof Module) || seen.has(value as AnyModule)) continue;
        const child = value as AnyModule;
        seen.add(child);
        if (!ok(child, false)) return false;
        stack.push(child);
      }
    }
    return true;
  }

  /** This module and every module below it, depth first. @example new cr.nn.Sequential(new cr.nn.Linear(2, 3), new cr.nn.ReLU()).modules().length // 3 */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** This module's own parameters (not its children's), in assignment order. */
  #ownParameters(): [string, Parameter][] {
    return this.#ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /**
   * The parameters with PyTorch's dotted names (`layers.0.weight`), each tensor once (a shared
   * weight under its first name). With `recurse: false`, only this module's own.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const mods: [string, AnyModule][] = opts.recurse === false ? [[opts.prefix ?? "", this as AnyModule]] : this.namedModules(opts.prefix ?? "");
    for (const [prefix, m] of mods) {
      for (const [name, p] of m.#ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix === "" ? name : `${prefix}.${name}`, p]);
      }
    }
    return out;
  }

  /** The parameters, each once; pass them to an optimizer. @example const params = model.parameters(); */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }

  /** The (non-null) buffers with dotted names, each tensor once. @example new cr.nn.BatchNorm1d(2).namedBuffers().map(([name]) => name) // ["running_mean", "running_var", "num_batches_tracked"] */
  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, AnyModule][] = opts.recurse === false ? [[opts.prefix ?? "", this as AnyModule]] : this.namedModules(opts.prefix ?? "");
    for (const [prefix, m] of mods) {
      for (const [name, { tensor }] of m.#buffers) {
        if (tensor === null || seen.has(tensor)) continue;
        seen.add(tensor);
        out.push([prefix === "" ? name : `${prefix}.${name}`, tensor]);
      }
    }
    return out;
  }

  /** The (non-null) buffers, each once. @example new cr.nn.BatchNorm1d(3).buffers().length // 3 */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /** The sub-module at a dotted path (`"layers.0"`); "" is this module. @example new cr.nn.Sequential(new cr.nn.Linear(2, 3)).getSubmodule("0").moduleName // "Linear" */
  getSubmodule(target: string): AnyModule {
    let m: AnyModule = this as AnyModule;
    if (target === "") return m;
    for (const part of target.split(".")) {
      const next: unknown = Reflect.get(m, part);
      if (!(next instanceof Module) || !Object.prototype.hasOwnProperty.call(m, part)) {
        throw new ArgumentError(`getSubmodule: ${m.moduleName} has no sub-module "${part}" (in "${target}")`);
      }
      m = next as AnyModule;
    }
    return m;
  }

  /** The parameter at a dotted path (`"layers.0.weight"`). @example new cr.nn.Sequential(new cr.nn.Linear(2, 3)).getParameter("0.weight").shape // [3, 2] */
  getParameter(target: string): Parameter {
    const dot = target.lastIndexOf(".");
    const owner = this.getSubmodule(dot < 0 ? "" : target.slice(0, dot));
    const name = target.slice(dot + 1);
    const p = owner.#ownParameters().find(([n]) => n === name);
    if (p === undefined) throw new ArgumentError(`getParameter: ${owner.moduleName} has no parameter "${name}" (in "${target}")`);
    return p[1];
  }

  /** The buffer at a dotted path (`"bn.running_mean"`), or null when registered as null. @example new cr.nn.BatchNorm1d(2).getBuffer("running_mean") // [0, 0] */
  getBuffer(target: string): Tensor | null {
    const dot = target.lastIndexOf(".");
    const owner = this.getSubmodule(dot < 0 ? "" : target.slice(0, dot));
    const name = target.slice(dot + 1);
    const b = owner.#buffers.get(name);
    if (b === undefined) throw new ArgumentError(`getBuffer: ${owner.moduleName} has no buffer "${name}" (in "${target}")`);
    return b.tensor;
  }

  // ---- modes and gradients ---------------------------------------------------------------------

  /**
   * Sets training mode (true) or evaluation mode (false) on this module and every module below it;
   * Dropout and BatchNorm behave differently in each. Returns this module.
   * @example model.train(); … model.eval();
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode for the whole tree: `train(false)`. @example new cr.nn.Dropout().eval().training // false */
  eval(): this {
    return this.train(false);
  }

  /** Sets `requiresGrad` on every parameter (freezing with false); returns this module. @example new cr.nn.Linear(2, 2).requiresGrad_(false).weight.requiresGrad // false */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * Clears the gradients of all parameters: to null by default (PyTorch 2's `set_to_none=True`,
   * which also lets an optimizer skip parameters that got no gradient), or with `setToNone: false`
   * to zeros in place.
   * @example model.zeroGrad(); loss.backward();
   */
  zeroGrad(opts: ZeroGradOptions = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const p of this.parameters()) {
      const grad = p._gradPeek();
      if (grad === null) continue;
      if (setToNone) p._clearGrad();
      else {
        // As PyTorch: cut a createGraph gradient off its history before zeroing it in place.
        const g = grad.isLeaf ? grad : grad.detach();
        noGrad(() => g.zero_());
        p.grad = g;
      }
    }
  }

  /** Calls `fn` on every sub-module (children first) and then on this one; returns this module. @example model.apply(initWeights) */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this as AnyModule);
    return this;
  }

  /**
   * Converts floating-point parameters and buffers to `dtype`. Chainrule's tensors cannot change
   * dtype in place, so converted parameters are new `Parameter` objects (without `.grad`): build
   * optimizers after converting. Returns this module.
   * @example const model = new Net().to("float64");
   */
  to(dtype: DType): this;
  /**
   * Moves the parameters (the same Parameter objects, with their gradients) and buffers to backend `device`
   * ("webgpu", "cpu", …), as PyTorch's `module.to(device)`: optimizers built before keep working; move the model
   * before an optimizer's first step (its state stays where it was made). Returns this module.
   * @example await cr.backends.webgpu.init(); const model = new Net().to("webgpu");
   */
  to(device: string): this;
  to(target: string): this {
    if (!isDType(target)) {
      moveModules(this.#tensorsByModule(), target);
      return this;
    }
    const dtype = target;
    if (!isFloating(dtype)) throw new ArgumentError(`${this.moduleName}.to: dtype must be a floating dtype (float32, float64, float16 or bfloat16), got ${dtype}`);
    const converted = new Map<Parameter, Parameter>();
    for (const m of this.modules()) {
      for (const [name, p] of m.#ownParameters()) {
        if (p.dtype === dtype) continue;
        let q = converted.get(p);
        if (q === undefined) {
          q = new Parameter(p.detach().to(dtype), p.requiresGrad);
          converted.set(p, q);
        }
        Reflect.set(m, name, q);
      }
      for (const b of m.#buffers.values()) {
        if (b.tensor !== null && isFloating(b.tensor.dtype) && b.tensor.dtype !== dtype) b.tensor = markKept(b.tensor.to(dtype), "user");
      }
    }
    return this;
  }

  /** `to(device)` from any backend, a GPU's included (its tensors are read asynchronously). @example await model.toAsync("cpu"); */
  async toAsync(device: string): Promise<this> {
    await moveModulesAsync(this.#tensorsByModule(), device);
    return this;
  }

  #tensorsByModule(): ModuleTensors[] {
    return [...this.modules()].map((m) => ({ parameters: m.#ownParameters().map(([, p]) => p), buffers: [...m.#buffers.values()].map((b) => b.tensor) }));
  }

  /** `to("float64")`. @example new cr.nn.Linear(2, 2).double().weight.dtype // "float64" */
  double(): this {
    return this.to("float64");
  }

  /** `to("float32")`. @example new cr.nn.Linear(2, 2).double().float().weight.dtype // "float32" */
  float(): this {
    return this.to("float32");
  }

  /** `to("float16")`: parameters and floating buffers stored as halves. @example new cr.nn.Linear(2, 2).half().weight.dtype // "float16" */
  half(): this {
    return this.to("float16");
  }

  /** `to("bfloat16")`. @example new cr.nn.Linear(2, 2).bfloat16().weight.dtype // "bfloat16" */
  bfloat16(): this {
    return this.to("bfloat16");
  }

  // ---- state dicts -----------------------------------------------------------------------------

  #collectState(prefix: string, out: Map<string, Tensor>, path: Set<AnyModule>): void {
    if (path.has(this as AnyModule)) throw new ArgumentError(`stateDict: ${this.moduleName} contains itself (at "${prefix}")`);
    path.add(this as AnyModule);
    for (const [name, p] of this.#ownParameters()) out.set(prefix + name, p);
    for (const [name, b] of this.#buffers) if (b.tensor !== null && b.persistent) out.set(prefix + name, b.tensor);
    // Unlike namedChildren, a module shared under two names is saved under both, as PyTorch does.
    for (const [name, value] of this.#ownEntries()) if (value instanceof Module) value.#collectState(`${prefix}${name}.`, out, path);
    path.delete(this as AnyModule);
  }

  /**
   * Parameters and persistent buffers by PyTorch's dotted names (`0.weight`, `bn.running_mean`),
   * detached: the tensors share memory with the module (clone them for a snapshot).
   * @example const sd = model.stateDict(); other.loadStateDict(sd);
   */
  stateDict(): Record<string, Tensor> {
    const state = new Map<string, Tensor>();
    this.#collectState("", state, new Set());
    const out: Record<string, Tensor> = {};
    for (const [k, t] of state) out[k] = t.detach();
    return out;
  }

  /**
   * Copies tensors from `stateDict` into this module's parameters and buffers (converting dtype).
   * Everything is checked first: a missing or unexpected key (with `strict`, the default) or a
   * shape mismatch throws a StateDictError listing them all, and nothing is changed.
   * @example const { missingKeys } = model.loadStateDict(pretrained.stateDict(), { strict: false });
   */
  loadStateDict(stateDict: Readonly<Record<string, Tensor>>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const own = new Map<string, Tensor>();
    this.#collectState("", own, new Set());
    const given = Object.keys(stateDict);
    const missingKeys = [...own.keys()].filter((k) => !Object.prototype.hasOwnProperty.call(stateDict, k));
    const unexpectedKeys = given.filter((k) => !own.has(k));
    const sizeMismatches: { key: string; stateDictShape: readonly number[]; modelShape: readonly number[] }[] = [];
    const problems: string[] = [];
    for (const [key, target] of own) {
      if (!Object.prototype.hasOwnProperty.call(stateDict, key)) continue;
      const src: unknown = stateDict[key];
      if (!(src instanceof Tensor)) {
        problems.push(`${key} is not a Tensor`);
        continue;
      }
      if (!shapesEqual(src.shape, target.shape)) {
        sizeMismatches.push({ key, stateDictShape: src.shape, modelShape: target.shape });
        problems.push(`size mismatch for ${key}: copying a tensor of shape ${fmt(src.shape)} from the state dict, the shape in the model is ${fmt(target.shape)}`);
      }
    }
    if (strict && unexpectedKeys.length > 0) problems.unshift(`Unexpected key(s): ${unexpectedKeys.map((k) => JSON.stringify(k)).join(", ")}`);
    if (strict && missingKeys.length > 0) problems.unshift(`Missing key(s): ${missingKeys.map((k) => JSON.stringify(k)).join(", ")}`);
    if (problems.length > 0) {
      throw new StateDictError(
        `loadStateDict: Error(s) in loading the state dict for ${this.moduleName}; nothing was changed:\n  ${problems.join("\n  ")}`,
        missingKeys,
        unexpectedKeys,
        sizeMismatches,
      );
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const src = stateDict[key];
        if (src !== undefined) target.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing --------------------------------------------------------------------------------

  /** The constructor arguments shown inside the parentheses by `toString()`; subclasses override it. @example new cr.nn.Linear(2, 3).extraRepr() // "inFeatures=2, outFeatures=3, bias=true" */
  extraRepr(): string {
    return "";
  }

  /**
   * PyTorch's module printout: the class, its settings and its children, indented.
   * @example console.log(String(model)); // Sequential(\n  (0): Linear(inFeatures=2, outFeatures=8, bias=true) …
   */
  toString(): string {
    const children = this.namedChildren();
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.moduleName}(${extra})`;
    const lines = extra === "" ? [] : extra.split("\n");
    for (const [name, m] of children) lines.push(`(${name}): ${String(m).split("\n").join("\n  ")}`);
    return `${this.moduleName}(\n  ${lines.join("\n  ")}\n)`;
  }
}
