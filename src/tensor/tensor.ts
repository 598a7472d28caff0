// The Tensor class: data on a backend, autograd state (requiresGrad, grad, gradFn), and the method
// forms of every op, which delegate to the functional forms in the sibling files.
import { runBackward } from "../autograd/engine.js";
import { capturing } from "../backend/capture.js";
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { AccumulateGrad } from "../autograd/node.js";
import { applyElementwise } from "../autograd/primitives.js";
import { opProgram } from "../ops/program.js";
import type { Edge, GradHook, Node } from "../autograd/node.js";
import type { CompleteBackend, DataBuf, TensorData } from "../backend/backend.js";
import type { DType, TypedArray } from "../dtype.js";
import { isDType, isFloating } from "../dtype.js";
import type { ComputeDType } from "../dtype.js";
import { computeDType } from "../dtype.js";
import { AutogradError, DTypeError, DisposedError, ReadError, ShapeError } from "../errors.js";
import { fmt, shapesEqual, sizeOf } from "../shape.js";
import type { Shape } from "../shape.js";
import { toNested } from "./convert.js";
import { toDevice, toDeviceAsync } from "./device.js";
import type { NestedList } from "./convert.js";
import * as ew from "./elementwise.js";
import type { TensorLike } from "./elementwise.js";
import { formatTensor } from "./format.js";
import { installElementwiseMethods } from "./generated/elementwise.js";
import { installDivMethod } from "./div.js";
import { installExtraMethods } from "./extra-methods.js";
import { installDTypeMethods } from "./dtype-methods.js";
import { adoptDroppedGrad, disposeTracked, markKept, soleOwner, track } from "./lifetime.js";
import { applyInplace } from "./inplace.js";
import * as la from "./linalg.js";
import * as mv from "./movement.js";
import * as rd from "./reduce.js";
import type { Dims, VarOptions } from "./reduce.js";
import * as rx from "./reductions.js";
import * as sc from "./scan.js";
import * as so from "./sorting.js";
import * as vw from "./views.js";
import * as ra from "./rearrange.js";
import * as ix from "./indexing.js";
import * as st from "./scatter.js";
import * as pr from "./products.js";
import * as dec from "../linalg/decompositions.js";
import type { ViewLink } from "./view-geometry.js";

/** Shared by a tensor and the views of its memory; bumped by in-place ops so stale saved tensors are caught. */
export interface VersionCounter {
  value: number;
}

/** Options of `backward()`, as PyTorch's keyword arguments. */
export interface BackwardOptions {
  /** The gradient of some loss with respect to this tensor; required unless it holds one element. */
  gradient?: Tensor;
  /** Keep the graph's saved tensors so backward can run through it again (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

function shapeArg(args: readonly (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

/**
 * An n-dimensional array of numbers that records the operations applied to it, so `backward()`
 * can compute gradients by the chain rule. Create tensors with `cr.tensor`, `cr.zeros`, `cr.randn`, …
 * @example
 * const x = cr.tensor([2], { requiresGrad: true });
 * const y = x.pow(2).sin();     // y = sin(x²)
 * y.backward();
 * x.grad!.item();               // 2x·cos(x²) at x = 2
 */
export class Tensor {
  /** The sizes of the dims. */
  readonly shape: Shape;
  /** The element type. */
  readonly dtype: DType;
  /** @internal The dtype backends store and compute this tensor in (`computeDType`; `dtype` itself but for the storage dtypes). */
  readonly _computeDtype: ComputeDType;
  /** @internal The backend whose memory holds the data. */
  readonly _backend: CompleteBackend;
  /** @internal Backend memory, unchecked: read `_buf`, which refuses a disposed tensor. */
  readonly _storage: DataBuf;
  /** @internal Set by dispose() or the end of the scope that made it. */
  _disposed = false;
  /** @internal See Tracked in lifetime.ts. */
  _kept: "user" | "grad" | null = null;
  /** @internal Made inside a sealed call and saved for backward by this many nodes: disposed when they release it (sealed.ts). */
  _graphSaves = 0;
  /** @internal Shared with views of the same memory (a view op replaces a fresh result's with its root's). */
  _version: VersionCounter;
  /** @internal Which output of `gradFn` this is. */
  _outputNr = 0;
  private _requiresGrad = false;
  private _gradFn: Node | null = null;
  private _grad: Tensor | null = null;
  // Whether `.grad` was handed out (read through the getter, assigned by the user, or made with createGraph):
  // until it is, nobody but the library holds it, and clearing it may free its memory at once.
  private _gradShared = false;
  private _accumulator: AccumulateGrad | null = null;
  private _retainsGrad = false;
  /** @internal For a differentiable view (reshape), the tensor whose memory it shares; null otherwise. */
  _viewBase: Tensor | null = null;
  /** @internal The version at which the history (gradFn) was set: a view whose memory changed since gets a fresh one. */
  _historyVersion = 0;
  /** @internal For a view with a buffer of its own (narrow, transpose, …): its root and where it lies there (view-geometry.ts). */
  _viewOf: ViewLink | null = null;
  /** @internal The version at which a view's own buffer was last filled from its root. */
  _dataVersion = 0;

  protected constructor(buf: DataBuf, shape: Shape, dtype: DType, backend: CompleteBackend, version: VersionCounter) {
    this._storage = buf;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this._computeDtype = computeDType(dtype);
    this._backend = backend;
    this._version = version;
    track(this);
  }

  /** @internal Backend memory; throws once the tensor is disposed, rather than read memory that may be reused. */
  get _buf(): DataBuf {
    if (this._disposed) {
      throw new DisposedError(
        `this tensor (shape ${fmt(this.shape)}, ${this.dtype}) was disposed, by dispose() or at the end of the scope that made it; ` +
          `return it from cr.tidy(), or cr.keep() it, to use it afterwards`,
      );
    }
    if (this._viewOf !== null && this._dataVersion !== this._version.value) this._refillView();
    return this._storage;
  }

  /** @internal The root's memory changed since this view's buffer was filled: read its elements again. */
  private _refillView(): void {
    const { root, geometry } = this._viewOf!;
    this._dataVersion = this._version.value;
    if (root._disposed) return;
    const fresh = this._backend.strided(root._data(), { offset: geometry.offset, strides: geometry.strides }, this.shape);
    this._backend.assign(this._storage, { buf: fresh, shape: this.shape, dtype: this._computeDtype });
    this._backend.release?.(fresh);
  }

  /** Whether `dispose()` (or the end of the scope that made it) freed this tensor's memory. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Frees this tensor's memory now instead of when it is garbage-collected (views of the same memory
   * keep it until they are disposed too); using the tensor afterwards throws. Scopes (`cr.tidy`,
   * `using s = cr.scope()`) do this for every tensor made inside them.
   * @example x.dispose();
   */
  dispose(): void {
    disposeTracked(this);
  }

  /** `using t = …` disposes the tensor at the end of the block. */
  [Symbol.dispose](): void {
    disposeTracked(this);
  }

  /** @internal Wraps backend memory; user code creates tensors with the creation functions. */
  static _create(buf: DataBuf, shape: Shape, dtype: DType, backend: CompleteBackend, version?: VersionCounter): Tensor {
    return new Tensor(buf, shape, dtype, backend, version ?? { value: 0 });
  }

  /** @internal What a kernel needs to read this tensor. */
  _data(): TensorData {
    return { buf: this._buf, shape: this.shape, dtype: this._computeDtype };
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. @example cr.zeros([2, 3]).numel() // 6 */
  numel(): number {
    return sizeOf(this.shape);
  }
  /** The size of `dim`, or the whole shape without it. @example cr.zeros([2, 3]).size(1) // 3 */
  size(): Shape;
  size(dim: number): number;
  size(dim?: number): Shape | number {
    if (dim === undefined) return this.shape;
    const d = dim < 0 ? dim + this.ndim : dim;
    if (!Number.isInteger(d) || d < 0 || d >= this.ndim) throw new ShapeError(`size: dim ${dim} is out of range for shape ${fmt(this.shape)}`);
    return this.shape[d]!;
  }
  /** The name of the backend holding the data. */
  get device(): string {
    return this._backend.name;
  }

  /**
   * The single element as a number (bool gives 0 or 1). On a backend that reads asynchronously (a GPU), use
   * `await t.itemAsync()`.
   * @example cr.tensor([[5]]).item() // 5
   */
  item(): number {
    this._checkItem("item");
    return this._readSync("item", "itemAsync", 1)[0]!;
  }
  /** The elements as nested arrays, one level per dim (booleans for bool tensors); `tolistAsync` on a GPU. @example cr.tensor([[1, 2]]).tolist() // [[1, 2]] */
  tolist(): NestedList {
    return toNested(this._readSync("tolist", "tolistAsync", this.numel()), this.shape, this.dtype);
  }
  /**
   * A copy of the elements in row-major order, as Float32Array, Float64Array, Int32Array or Uint8Array (bool).
   * `await t.data()` gives the same on every backend, a GPU's included.
   * @example cr.tensor([1, 2]).toTypedArray() // [1, 2]
   */
  toTypedArray(): TypedArray {
    return this._readSync("toTypedArray", "data", this.numel());
  }
  /**
   * The elements, read asynchronously: a copy as `toTypedArray` gives, on every backend. GPUs can only be read
   * this way (as TensorFlow.js's `data()`); on `cpu` and `wasm` it resolves at once.
   * @example const values = await loss.data();
   */
  data(): Promise<TypedArray> {
    return this._backend.read(this._buf, this._computeDtype, this.numel());
  }
  /** `item()`, asynchronously: what works on every backend. @example const value = await loss.itemAsync(); */
  async itemAsync(): Promise<number> {
    this._checkItem("itemAsync");
    return (await this.data())[0]!;
  }
  /** `tolist()`, asynchronously: what works on every backend. @example const rows = await y.tolistAsync(); */
  async tolistAsync(): Promise<NestedList> {
    return toNested(await this.data(), this.shape, this.dtype);
  }
  /** Whether this tensor's elements can be read synchronously (`item()`, `tolist()`): every backend but a GPU's. */
  get readsSynchronously(): boolean {
    return this._backend.readSync !== undefined;
  }
  private _checkItem(op: string): void {
    if (this.numel() !== 1) {
      throw new ShapeError(`${op}: only a tensor with one element can be converted to a number, got shape ${fmt(this.shape)}`);
    }
  }
  /** @internal The elements, synchronously; a clear error naming the asynchronous method where the backend cannot. */
  _readSync(op: string, asyncMethod: string, size: number): TypedArray {
    const read = this._backend.readSync;
    if (read === undefined) {
      throw new ReadError(
        `${op}: tensors on the ${this._backend.name} backend are read asynchronously; use \`await t.${asyncMethod}()\`` +
          (asyncMethod === "data" ? "" : ` (or \`await t.data()\`)`),
      );
    }
    return read.call(this._backend, this._buf, this._computeDtype, size);
  }
  /**
   * Computes this tensor's elements now and returns it. The `wasm` backend defers large elementwise chains
   * and computes each in one pass when it is read (tinygrad's `realize`, JAX's `block_until_ready`): call
   * this to time work that is otherwise computed later. `cr.realize(a, b, …)` computes several together.
   * @example const y = x.exp().mul(2).realize();
   */
  realize(): this {
    this._backend.evaluate?.([this._buf]);
    return this;
  }
  /**
   * The elements without copying, where the backend can show them as a typed array (`cpu`, and `wasm`,
   * whose view is of the WebAssembly heap). Writing to it changes the tensor behind autograd's back, and
   * the view is valid only until the tensor is disposed (its memory may then hold another tensor):
   * prefer `toTypedArray`, which copies. Where worker threads share it (wasm's heap, a large cpu tensor in
   * Node), the view is of a SharedArrayBuffer, which some APIs (TextDecoder, crypto.getRandomValues) refuse.
   * @example const view = x.dataView();
   */
  dataView(): TypedArray {
    if (this._backend.view === undefined) throw new Error(`dataView: the ${this._backend.name} backend has no host view; use toTypedArray()`);
    return this._backend.view(this._buf);
  }
  /** The elements as PyTorch prints them. @example cr.tensor([1, 2]).toString() // "tensor([1., 2.])" */
  toString(): string {
    return formatTensor(this);
  }

  // ---- autograd state ------------------------------------------------------------------------

  /** Whether operations on this tensor are recorded for backward. Settable on leaves only. */
  get requiresGrad(): boolean {
    this._refreshView();
    return this._requiresGrad;
  }
  set requiresGrad(flag: boolean) {
    if (!this.isLeaf) {
      throw new AutogradError(
        `requiresGrad: only leaf tensors can change requiresGrad (this one was made by ${this._gradFn!.name}); use detach() for a leaf copy`,
      );
    }
    if (flag && !isFloating(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating-point tensors can require gradients, this one is ${this.dtype}`);
    }
    this._requiresGrad = flag;
    if (!flag) this._accumulator = null;
  }
  /** Sets `requiresGrad` in place and returns this tensor. @example cr.zeros([2]).requiresGrad_().requiresGrad // true */
  requiresGrad_(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }
  /** The node that made this tensor and will send its gradient on, or null for a leaf. */
  get gradFn(): Node | null {
    this._refreshView();
    return this._gradFn;
  }
  /** True for tensors the user made (or that need no gradient), false for results of recorded ops. */
  get isLeaf(): boolean {
    this._refreshView();
    return this._gradFn === null;
  }
  /** Whether backward stores this non-leaf tensor's gradient in `.grad` (see `retainGrad`). */
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }
  /**
   * The gradient accumulated by backward: filled on leaves that require grad (and on tensors that
   * called `retainGrad()`). It adds up over backward calls until set to null or zeroed.
   */
  get grad(): Tensor | null {
    if (this._grad !== null) this._gradShared = true;
    return this._grad;
  }
  /** @internal `.grad` for the library's own passing use (an optimizer's update, clipping): not handed out. */
  _gradPeek(): Tensor | null {
    return this._grad;
  }
  /** @internal Marks `.grad` as handed out: code the library does not control got it. */
  _shareGrad(): void {
    this._gradShared = true;
  }
  /**
   * @internal Sets `.grad` to null, as `zeroGrad()` does. A gradient nobody was handed is disposed (as
   * PyTorch frees one whose last reference goes); one that was is left to its holders and the collector.
   */
  _clearGrad(): void {
    const g = this._grad;
    if (g === null) return;
    this._grad = null;
    if (!this._gradShared && g._kept === "grad" && !capturing()) disposeTracked(g);
    else adoptDroppedGrad(g);
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new TypeError("grad: expected a Tensor or null");
      if (!shapesEqual(g.shape, this.shape)) throw new ShapeError(`grad: assigned gradient has shape ${fmt(g.shape)}, but the tensor has shape ${fmt(this.shape)}`);
      if (g.dtype !== this.dtype) throw new DTypeError(`grad: assigned gradient is ${g.dtype}, but the tensor is ${this.dtype}`);
      markKept(g, "user");
    }
    if (this._grad !== null && this._grad !== g) adoptDroppedGrad(this._grad);
    this._grad = g;
    this._gradShared = true;
  }
  /** Makes backward fill `.grad` on this non-leaf tensor too. @example const h = x.mul(2).retainGrad(); */
  retainGrad(): this {
    if (!this._requiresGrad) throw new AutogradError("retainGrad: cannot retain the gradient of a tensor that does not require grad");
    if (this.isLeaf || this._retainsGrad) return this;
    this._retainsGrad = true;
    this._gradFn!.retainGradHooks.set(this._outputNr, (g) => {
      this._accumulateGrad(g, false);
    });
    return this;
  }
  /**
   * Registers a hook called with this tensor's gradient during backward; it may return a
   * replacement (same shape and dtype). Hooks run once per backward with the gradient summed over
   * all paths, in registration order, each seeing the previous one's result; on a leaf they run
   * before the gradient is accumulated into `.grad`. Returns a handle whose `remove()` unregisters
   * it (a hook removed during a backward pass still runs in that pass).
   * @example
   * const h = y.registerHook((g) => g.clamp(-1, 1)); // clip the gradient flowing through y
   * loss.backward(); h.remove();
   */
  registerHook(hook: GradHook): { remove(): void } {
    if (!this._requiresGrad) throw new AutogradError("registerHook: cannot register a hook on a tensor that does not require grad");
    const edge = this._gradientEdge();
    return { remove: edge.node.addPreHook(edge.outputNr, hook) };
  }
  /** A tensor sharing this one's memory, cut off from the graph (no gradFn, no requiresGrad). @example cr.tensor([1, 2], { requiresGrad: true }).detach().requiresGrad // false */
  detach(): Tensor {
    const out = new Tensor(this._buf, this.shape, this.dtype, this._backend, this._version);
    if (this._viewOf !== null) {
      out._viewOf = { ...this._viewOf, multi: false, noGrad: false }; // still a view of the same memory, outside the graph
      out._dataVersion = this._dataVersion;
    }
    return out;
  }
  /** A copy with its own memory; gradients flow back to this tensor. @example cr.tensor([1, 2]).clone() // [1, 2] */
  clone(): Tensor {
    return applyElementwise(opProgram("cast"), [this], this.dtype);
  }

  /**
   * Backpropagates from this tensor: fills `.grad` of every leaf it depends on (adding to what is
   * there). A tensor with more than one element needs the `gradient` of the loss with respect to it.
   * @example loss.backward(); loss.backward({ retainGraph: true }); y.backward(cr.onesLike(y));
   */
  backward(arg?: Tensor | BackwardOptions): void {
    const opts: BackwardOptions = arg instanceof Tensor ? { gradient: arg } : (arg ?? {});
    let gradient = opts.gradient;
    if (!this._requiresGrad) {
      throw new AutogradError(
        "backward: this tensor does not require grad and has no gradFn; set requiresGrad: true on the inputs, " +
          "and do not compute it inside noGrad or from detached tensors",
      );
    }
    if (gradient === undefined) {
      if (this.numel() !== 1) {
        throw new AutogradError(
          `backward: a gradient can be created implicitly only for a tensor with one element, this one has shape ${fmt(this.shape)}; ` +
            `pass backward(gradient) with the gradient of the loss with respect to it`,
        );
      }
      gradient = ew.asTensor(1, this.dtype, this._backend).reshape(this.shape);
    } else if (!(gradient instanceof Tensor)) {
      throw new TypeError("backward: gradient must be a Tensor");
    }
    const createGraph = opts.createGraph ?? false;
    const implicit = opts.gradient === undefined ? gradient : null;
    runBackward([this], [gradient.dtype === this.dtype ? gradient : gradient.to(this.dtype)], {
      retainGraph: opts.retainGraph ?? createGraph,
      createGraph,
    });
    // The implicit gradient (a one) was the engine's alone; with createGraph a gradient's graph may read it.
    if (implicit !== null && !createGraph) {
      implicit.dispose();
      implicit._viewBase?.dispose();
    }
  }

  /** @internal The recorded history as it stands, without a view's refresh. */
  _gradFnUnchecked(): Node | null {
    return this._gradFn;
  }
  /** @internal */
  _setGradFn(node: Node): void {
    this._historyVersion = this._version.value;
    this._gradFn = node;
    this._requiresGrad = true;
  }
  /** @internal The edge by which a gradient for this tensor enters the graph. */
  _gradientEdge(): Edge {
    this._refreshView();
    if (this._gradFn !== null) return { node: this._gradFn, outputNr: this._outputNr };
    this._accumulator ??= new AccumulateGrad(this);
    return { node: this._accumulator, outputNr: 0 };
  }
  /** @internal After an in-place op: this tensor now holds `result`'s value and continues its history. */
  _rebase(result: Tensor): void {
    // retainGrad follows the tensor: `.grad` is the gradient of its new value, as in PyTorch.
    if (this._retainsGrad) this._gradFn?.retainGradHooks.delete(this._outputNr);
    this._historyVersion = this._version.value;
    this._gradFn = result._gradFn;
    this._outputNr = result._outputNr;
    if (this._retainsGrad) this._gradFn?.retainGradHooks.set(this._outputNr, (g) => this._accumulateGrad(g, false));
    this._requiresGrad = true;
    this._accumulator = null;
  }
  /** @internal After an in-place op through a view: this view's history is taken afresh from its base when next needed. */
  _staleHistory(): void {
    this._historyVersion = -1;
  }
  /**
   * @internal A view whose memory was changed in place through its base or a sibling view takes its
   * history afresh from the base (as PyTorch regenerates a view's grad_fn), so its gradient stays right.
   */
  private _refreshView(): void {
    const base = this._viewBase;
    if (base === null || this._historyVersion === this._version.value) return;
    this._historyVersion = this._version.value;
    if (!base.requiresGrad) return;
    const link = this._viewOf;
    const fresh = enableGrad(() =>
      link === null ? mv.reshape(base, this.shape) : mv.asStrided(base, link.geometry.shape, link.geometry.strides, link.geometry.offset),
    );
    this._gradFn = fresh._gradFn;
    this._outputNr = fresh._outputNr;
    this._requiresGrad = true;
    this._accumulator = null;
  }
  /**
   * @internal `grad += g`; recorded (differentiable) only with createGraph. `own`: the engine made `g` and
   * nothing else holds it, so a first gradient is kept as it is rather than copied.
   */
  _accumulateGrad(g: Tensor, createGraph: boolean, own = false): void {
    const old = this._grad;
    if (createGraph) {
      this._grad = old === null ? g : ew.add(old, g);
      this._gradShared = true; // part of a graph other tensors reach
    } else if (old === null) {
      this._gradShared = false;
      this._grad = own ? g : noGrad(() => g.clone());
    } else if (old._viewBase === null && soleOwner(old) && !capturing()) {
      // As PyTorch: without createGraph the sum goes into the existing gradient's memory, so a loop that
      // accumulates over several backward passes makes no new tensor, and `.grad` read earlier sees the sum.
      noGrad(() => old.add_(g));
      return;
    } else {
      this._grad = noGrad(() => ew.add(old, g));
      this._gradShared = false;
    }
    markKept(this._grad, "grad");
    if (old !== null && old !== this._grad) adoptDroppedGrad(old);
  }

  // ---- in place ------------------------------------------------------------------------------

  /** `this += other` in place (broadcasting `other`); returns this tensor. @example cr.tensor([1, 2]).add_(1) // [2, 3] */
  add_(other: TensorLike): this { return applyInplace(this, "add_", () => ew.add(this, other)) as this; }
  /** `this -= other` in place. @example cr.tensor([3, 4]).sub_(1) // [2, 3] */
  sub_(other: TensorLike): this { return applyInplace(this, "sub_", () => ew.sub(this, other)) as this; }
  /** `this *= other` in place. @example cr.tensor([1, 2]).mul_(3) // [3, 6] */
  mul_(other: TensorLike): this { return applyInplace(this, "mul_", () => ew.mul(this, other)) as this; }
  /** `this /= other` in place. @example cr.tensor([2, 4]).div_(2) // [1, 2] */
  div_(other: TensorLike): this { return applyInplace(this, "div_", () => ew.div(this, other)) as this; }
  /** Clamps in place to [min, max]. @example cr.tensor([-1, 2]).clamp_(0, 1) // [0, 1] */
  clamp_(min?: TensorLike | null, max?: TensorLike | null): this { return applyInplace(this, "clamp_", () => ew.clamp(this, min, max)) as this; }
  /** Fills with `value` in place. @example cr.zeros([2]).fill_(7) // [7, 7] */
  fill_(value: number | boolean): this { return applyInplace(this, "fill_", () => ew.asTensor(value, this.dtype, this._backend).expand(this.shape), true) as this; }
  /** Fills with zeros in place. @example cr.ones([2]).zero_() // [0, 0] */
  zero_(): this { return this.fill_(0); }
  /** Copies `src` (broadcast to this shape, converted to this dtype) into this tensor in place. @example cr.zeros([2]).copy_(cr.tensor([1, 2])) // [1, 2] */
  copy_(src: Tensor): this { return applyInplace(this, "copy_", () => mv.expand(src, this.shape).to(this.dtype), true) as this; }

  // ---- dtype ---------------------------------------------------------------------------------

  /** This tensor as `dtype` (itself when it already is); differentiable between float dtypes. */
  to(dtype: DType): Tensor;
  /**
   * This tensor on backend `device` ("cpu", "wasm", "webgpu"), as PyTorch's `.to(device)`; from a GPU, use
   * `await t.toAsync(device)`. The copy is a new leaf (requiring grad where this leaf does): moves are not recorded.
   * @example const x = cr.randn([64, 10]).to("webgpu");
   */
  to(device: string): Tensor;
  to(target: string): Tensor {
    return isDType(target) ? ew.asTensor(this, target, this._backend) : toDevice(this, target);
  }
  /** `to(device)` from any backend, a GPU's included. @example const back = await y.toAsync("cpu"); */
  toAsync(device: string): Promise<Tensor> {
    return toDeviceAsync(this, device);
  }
  /** As float32. @example cr.tensor([1], { dtype: "int32" }).float().dtype // "float32" */
  float(): Tensor {
    return this.to("float32");
  }
  /** As float64. @example cr.tensor([1]).double().dtype // "float64" */
  double(): Tensor {
    return this.to("float64");
  }
  /** As int32 (truncating toward zero). @example cr.tensor([1.7, -1.7]).int() // [1, -1] */
  int(): Tensor {
    return this.to("int32");
  }
  /** As bool (non-zero is true). @example cr.tensor([0, 2]).bool() // [false, true] */
  bool(): Tensor {
    return this.to("bool");
  }

  // ---- elementwise ---------------------------------------------------------------------------

  /** `x` where positive, `negativeSlope · x` elsewhere. @example cr.tensor([-1, 2]).leakyRelu(0.1) // [-0.1, 2] */
  leakyRelu(negativeSlope = 0.01): Tensor { return ew.leakyRelu(this, negativeSlope); }
  /** The Gaussian error linear unit `x · Φ(x)` (`"tanh"` for the tanh approximation). @example cr.tensor([0, 1]).gelu() // [0, 0.8413] */
  gelu(approximate: "none" | "tanh" = "none"): Tensor { return ew.gelu(this, approximate); }
  /** `x · sigmoid(x)` (swish). @example cr.tensor([0, 1]).silu() // [0, 0.7311] */
  silu(): Tensor { return ew.silu(this); }
  /** `log(1 + exp(beta · x)) / beta`, linear where `beta · x` exceeds `threshold`. @example cr.tensor([0, 30]).softplus() // [0.6931, 30] */
  softplus(beta = 1, threshold = 20): Tensor { return ew.softplus(this, beta, threshold); }
  /** Each element limited to [min, max] (either bound may be omitted or a tensor). @example cr.tensor([-2, 0.5, 3]).clamp(0, 1) // [0, 0.5, 1] */
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor { return ew.clamp(this, min, max); }

  // ---- reductions ----------------------------------------------------------------------------

  /** Sum over `dim` (all dims when omitted); `{ dtype }` converts first (as PyTorch's `sum(dtype=…)`). @example cr.tensor([[1, 2], [3, 4]]).sum(1) // [3, 7] */
  sum(dim?: Dims | rd.SumOptions, keepdim: boolean | rd.SumOptions = false, opts: rd.SumOptions = {}): Tensor { return rd.sum(this, dim, keepdim, opts); }
  /** The mean over `dim` (all dims when omitted). @example cr.tensor([[1, 2], [3, 4]]).mean(0) // [2, 3] */
  mean(dim?: Dims, keepdim = false): Tensor { return rd.mean(this, dim, keepdim); }
  /** The largest element, or the largest along `dim` (values; `argmax` gives indices). @example cr.tensor([[1, 5], [3, 2]]).max(1) // [5, 3] */
  max(dim?: number, keepdim = false): Tensor { return rd.max(this, dim, keepdim); }
  /** The smallest element, or the smallest along `dim` (values; `argmin` gives indices). @example cr.tensor([[1, 5], [3, 2]]).min(1) // [1, 2] */
  min(dim?: number, keepdim = false): Tensor { return rd.min(this, dim, keepdim); }
  /** The largest values over `dim` (one dim or several; all when omitted), without indices; ties share the gradient. @example cr.tensor([[1, 5], [3, 2]]).amax(1) // [5, 3] */
  amax(dim?: Dims, keepdim = false): Tensor { return rd.amax(this, dim, keepdim); }
  /** The smallest values over `dim` (one dim or several; all when omitted), without indices; ties share the gradient. @example cr.tensor([[1, 5], [3, 2]]).amin(0) // [1, 2] */
  amin(dim?: Dims, keepdim = false): Tensor { return rd.amin(this, dim, keepdim); }
  /** The index of the largest element (of the flattened tensor when `dim` is omitted), the first where tied. @example cr.tensor([[1, 5], [3, 2]]).argmax(1) // [1, 0] */
  argmax(dim?: number, keepdim = false): Tensor { return rd.argmax(this, dim, keepdim); }
  /** Whether every element is true (non-zero), over `dim` or all dims. @example cr.tensor([[1, 0], [1, 1]]).all(1) // [false, true] */
  all(dim?: Dims, keepdim = false): Tensor { return rd.all(this, dim, keepdim); }
  /** Whether any element is true (non-zero), over `dim` or all dims. @example cr.tensor([[0, 0], [0, 1]]).any(1) // [false, true] */
  any(dim?: Dims, keepdim = false): Tensor { return rd.any(this, dim, keepdim); }
  /** The index of the smallest element (of the flattened tensor when `dim` is omitted), the first where tied. @example cr.tensor([[1, 5], [3, 2]]).argmin(1) // [0, 1] */
  argmin(dim?: number, keepdim = false): Tensor { return rd.argmin(this, dim, keepdim); }
  /** `log(sum(exp(x)))` over `dim`, computed stably. @example cr.tensor([0, 0]).logsumexp(0) // 0.6931 */
  logsumexp(dim: Dims, keepdim = false): Tensor { return rd.logsumexp(this, dim, keepdim); }
  /** The variance over `dim` (all dims when omitted), unbiased unless `{ correction: 0 }`. @example cr.tensor([1, 2, 3, 4]).var() // 1.6667 */
  var(dim?: Dims, opts: VarOptions = {}): Tensor { return rd.variance(this, dim, opts); }
  /** The standard deviation over `dim` (all dims when omitted), unbiased unless `{ correction: 0 }`. @example cr.tensor([1, 2, 3, 4]).std() // 1.2910 */
  std(dim?: Dims, opts: VarOptions = {}): Tensor { return rd.std(this, dim, opts); }
  /** `exp(x)` normalized to sum to 1 along `dim`. @example cr.tensor([0, 0]).softmax(0) // [0.5, 0.5] */
  softmax(dim: number): Tensor { return rd.softmax(this, dim); }
  /** The logarithm of `softmax` along `dim`, computed stably. @example cr.tensor([0, 0]).logSoftmax(0) // [-0.6931, -0.6931] */
  logSoftmax(dim: number): Tensor { return rd.logSoftmax(this, dim); }

  // ---- linear algebra ------------------------------------------------------------------------

  /** The matrix product with broadcasting over batch dims; vectors act as a row or column. @example cr.tensor([[1, 2], [3, 4]]).matmul(cr.tensor([1, 1])) // [3, 7] */
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  /** The product of two matrices (2-D only; `matmul` broadcasts). @example cr.tensor([[1, 2]]).mm(cr.tensor([[3], [4]])) // [[11]] */
  mm(other: Tensor): Tensor { return la.mm(this, other); }
  /** The batched matrix product of [b, n, m] and [b, m, p] tensors. @example cr.ones([2, 1, 3]).bmm(cr.ones([2, 3, 1])) // [[[3]], [[3]]] */
  bmm(other: Tensor): Tensor { return la.bmm(this, other); }
  /** The inner product of two vectors. @example cr.tensor([1, 2]).dot(cr.tensor([3, 4])) // 11 */
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  /** `beta·this + alpha·(mat1 · mat2)` (`cr.addmm`). @example cr.zeros([1, 1]).addmm(cr.tensor([[1, 2]]), cr.tensor([[3], [4]])) // [[11]] */
  addmm(mat1: Tensor, mat2: Tensor, opts: la.AddmmOptions = {}): Tensor { return la.addmm(this, mat1, mat2, opts); }

  // ---- shape ---------------------------------------------------------------------------------

  /** The same elements in a new shape: `x.reshape([2, -1])` or `x.reshape(2, -1)`. @example cr.arange(6).reshape(2, 3) // [[0, 1, 2], [3, 4, 5]] */
  reshape(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, shapeArg(shape)); }
  /** Same as `reshape`: chainrule's tensors are contiguous, so every reshape is a view. @example cr.arange(6).view(3, -1) // [[0, 1], [2, 3], [4, 5]] */
  view(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, shapeArg(shape)); }
  /** Dims `startDim` to `endDim` merged into one. @example cr.zeros([2, 3, 4]).flatten(1).shape // [2, 12] */
  flatten(startDim = 0, endDim = -1): Tensor { return mv.flatten(this, startDim, endDim); }
  /** Reorders dims: `x.permute([2, 0, 1])` or `x.permute(2, 0, 1)`. @example cr.zeros([2, 3, 4]).permute(2, 0, 1).shape // [4, 2, 3] */
  permute(...dims: number[] | [readonly number[]]): Tensor { return mv.permute(this, shapeArg(dims)); }
  /** Dims `dim0` and `dim1` swapped (a view). @example cr.tensor([[1, 2], [3, 4]]).transpose(0, 1) // [[1, 3], [2, 4]] */
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** Transpose of a matrix (at most 2 dims). @example cr.tensor([[1, 2], [3, 4]]).t() // [[1, 3], [2, 4]] */
  t(): Tensor {
    if (this.ndim > 2) throw new ShapeError(`t: expects a tensor of at most 2 dims, got shape ${fmt(this.shape)}; use transpose or mT`);
    return mv.transpose(this, 0, -1);
  }
  /** The last two dims swapped (batched matrix transpose). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new ShapeError(`mT: needs at least 2 dims, got shape ${fmt(this.shape)}`);
    return mv.transpose(this, -2, -1);
  }
  /** Size-1 dims removed: all of them, or `dim` only if its size is 1. @example cr.zeros([1, 3, 1]).squeeze().shape // [3] */
  squeeze(dim?: number): Tensor { return mv.squeeze(this, dim); }
  /** A size-1 dim inserted at `dim`. @example cr.zeros([3]).unsqueeze(0).shape // [1, 3] */
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  /** Broadcasts to a shape: `x.expand([3, -1])` or `x.expand(3, -1)`. @example cr.tensor([1, 2]).expand(2, -1) // [[1, 2], [1, 2]] */
  expand(...shape: number[] | [readonly number[]]): Tensor { return mv.expand(this, shapeArg(shape)); }
  /** Broadcast to `other`'s shape. @example cr.tensor([1, 2]).expandAs(cr.zeros([2, 2])) // [[1, 2], [1, 2]] */
  expandAs(other: Tensor): Tensor { return mv.expand(this, other.shape); }
  /** `x[start:end:step]` along `dim` (a view; null bounds mean the ends). @example cr.arange(6).slice(0, 1, 5, 2) // [1, 3] */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor { return mv.slice(this, dim, start, end, step); }
  /** `length` elements along `dim` from `start` (a view). @example cr.arange(5).narrow(0, 1, 2) // [1, 2] */
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  /** The slice at `index` along `dim`, with that dim removed (a view). @example cr.tensor([[1, 2], [3, 4]]).select(1, 0) // [1, 3] */
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  /** `out[i][j] = x[i][index[i][j]]` for dim 1 (and likewise for other dims); `index` is int32. @example cr.tensor([[1, 2], [3, 4]]).gather(1, cr.tensor([[1], [0]], { dtype: "int32" })) // [[2], [3]] */
  gather(dim: number, index: Tensor): Tensor { return mv.gather(this, dim, index); }
  /** A copy with `src` added at `index` along `dim` (repeated indices add up); the inverse of `gather`. @example cr.zeros([3]).scatterAdd(0, cr.tensor([0, 0], { dtype: "int32" }), cr.tensor([1, 2])) // [3, 0, 0] */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return mv.scatterAdd(this, dim, index, src); }
  /** The entries at int32 `index` along `dim`. @example cr.tensor([[1, 2], [3, 4]]).indexSelect(0, cr.tensor([1], { dtype: "int32" })) // [[3, 4]] */
  indexSelect(dim: number, index: Tensor): Tensor { return mv.indexSelect(this, dim, index); }
  /** A copy with the slices of `src` added at int32 `index` along `dim` (repeated indices add up). @example cr.zeros([3]).indexAdd(0, cr.tensor([0, 0, 2], { dtype: "int32" }), cr.tensor([1, 2, 3])) // [3, 0, 3] */
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor { return mv.indexAdd(this, dim, index, src); }

  // ---- more reductions and scans ----------------------------------------------------------------

  /** Product of all elements, or along `dim`. @example cr.tensor([[1, 2], [3, 4]]).prod(1) // [2, 12] */
  prod(dim?: number, keepdim = false, opts: rx.ReduceDTypeOptions = {}): Tensor { return rx.prod(this, dim, keepdim, opts); }
  /** The running sum along `dim`. @example cr.tensor([1, 2, 3]).cumsum(0) // [1, 3, 6] */
  cumsum(dim: number, opts: sc.CumulativeOptions = {}): Tensor { return sc.cumsum(this, dim, opts); }
  /** The running product along `dim`. @example cr.tensor([1, 2, 3]).cumprod(0) // [1, 2, 6] */
  cumprod(dim: number, opts: sc.CumulativeOptions = {}): Tensor { return sc.cumprod(this, dim, opts); }
  /** The running `log(sum(exp(x)))` along `dim`, computed stably. @example cr.tensor([0, 0]).logcumsumexp(0) // [0, 0.6931] */
  logcumsumexp(dim: number): Tensor { return sc.logcumsumexp(this, dim); }
  /** The running maximum along `dim`, and where it was found. @example cr.tensor([1, 3, 2]).cummax(0) // { values: [1, 3, 3], indices: [0, 1, 1] } */
  cummax(dim: number): sc.ValuesIndices { return sc.cummax(this, dim); }
  /** The running minimum along `dim`, and where it was found. @example cr.tensor([3, 1, 2]).cummin(0) // { values: [3, 1, 1], indices: [0, 1, 1] } */
  cummin(dim: number): sc.ValuesIndices { return sc.cummin(this, dim); }
  /** How many elements are non-zero, over `dim` or all dims. @example cr.tensor([[0, 1], [2, 3]]).countNonzero(1) // [1, 2] */
  countNonzero(dim?: Dims): Tensor { return rx.countNonzero(this, dim); }
  /** The lower median of all elements, or the values and positions of the medians along `dim`. @example cr.tensor([1, 3, 2, 4]).median() // 2 */
  median(): Tensor;
  median(dim: number, keepdim?: boolean): sc.ValuesIndices;
  median(dim?: number, keepdim = false): Tensor | sc.ValuesIndices { return dim === undefined ? rx.median(this) : rx.median(this, dim, keepdim); }
  /** The smallest and largest values together, of all elements or along `opts.dim`. @example cr.tensor([3, 1, 2]).aminmax() // { min: 1, max: 3 } */
  aminmax(opts: { dim?: number; keepdim?: boolean } = {}): { min: Tensor; max: Tensor } { return rx.aminmax(this, opts); }
  /** `torch.norm`: the 2-norm ("fro", default) or the vector p-norm over `dim`. @example cr.tensor([3, 4]).norm() // 5 */
  norm(p: number | "fro" | "nuc" = "fro", dim?: Dims, keepdim = false, opts: rx.ReduceDTypeOptions = {}): Tensor { return rx.norm(this, p, dim, keepdim, opts); }

  // ---- sorting and selection --------------------------------------------------------------------

  /** The values sorted along a dim (the last by default), and their original indices; the sort is stable. @example cr.tensor([3, 1, 2]).sort() // { values: [1, 2, 3], indices: [1, 2, 0] } */
  sort(options?: number | so.SortOptions): sc.ValuesIndices { return so.sort(this, options); }
  /** The indices that sort along a dim (the last by default). @example cr.tensor([3, 1, 2]).argsort() // [1, 2, 0] */
  argsort(options?: number | so.SortOptions): Tensor { return so.argsort(this, options); }
  /** Sorted along dim 0. @example cr.tensor([[2, 1], [1, 3]]).msort() // [[1, 1], [2, 3]] */
  msort(): Tensor { return so.msort(this); }
  /** The `k` largest (or smallest) values along a dim and their indices, largest first. @example cr.tensor([1, 3, 2]).topk(2) // { values: [3, 2], indices: [1, 2] } */
  topk(k: number, opts: so.TopkOptions = {}): sc.ValuesIndices { return so.topk(this, k, opts); }
  /** The `k`-th smallest value along `dim` (counting from 1) and its index. @example cr.tensor([3, 1, 2]).kthvalue(2) // { values: 2, indices: 2 } */
  kthvalue(k: number, dim = -1, keepdim = false): sc.ValuesIndices { return so.kthvalue(this, k, dim, keepdim); }
  /** The distinct values, sorted (with inverse indices and counts on request). @example cr.tensor([2, 1, 2]).unique() // [1, 2] */
  unique<O extends so.UniqueOptions>(options?: O): so.UniqueResult<O> { return so.unique(this, options); }

  // ---- shape: views and rearrangements ----------------------------------------------------------

  /** Reverses the order along dims: `x.flip(0)`, `x.flip(0, 1)` or `x.flip([0, 1])`. @example cr.tensor([1, 2, 3]).flip(0) // [3, 2, 1] */
  flip(...dims: number[] | [readonly number[]]): Tensor { return vw.flip(this, shapeArg(dims)); }
  /** Reverses the order along dim 1 (left-right). @example cr.tensor([[1, 2], [3, 4]]).fliplr() // [[2, 1], [4, 3]] */
  fliplr(): Tensor { return vw.flip(this, 1); }
  /** Reverses the order along dim 0 (up-down). @example cr.tensor([[1, 2], [3, 4]]).flipud() // [[3, 4], [1, 2]] */
  flipud(): Tensor { return vw.flip(this, 0); }
  /** Elements shifted along `dims` with wraparound (of the flattened tensor when `dims` is omitted). @example cr.tensor([1, 2, 3]).roll(1) // [3, 1, 2] */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return ra.roll(this, shifts, dims); }
  /** Repeats along each dim: `x.repeat(2, 3)` or `x.repeat([2, 3])`. @example cr.tensor([1, 2]).repeat(2) // [1, 2, 1, 2] */
  repeat(...sizes: number[] | [readonly number[]]): Tensor { return ra.repeat(this, shapeArg(sizes)); }
  /** Repeated `dims[i]` times along each dim (`repeat` padding `dims` with leading 1s). @example cr.tensor([1, 2]).tile([2]) // [1, 2, 1, 2] */
  tile(dims: readonly number[]): Tensor { return ra.tile(this, dims); }
  /** Each element repeated `repeats` times in place (of the flattened tensor when `dim` is omitted). @example cr.tensor([1, 2]).repeatInterleave(2) // [1, 1, 2, 2] */
  repeatInterleave(repeats?: number | Tensor, dim?: number, opts: { outputSize?: number } = {}): Tensor { return ra.repeatInterleave(this, repeats, dim, opts); }
  /** The lower triangle (on and below `diagonal`), zeros above. @example cr.ones([2, 2]).tril() // [[1, 0], [1, 1]] */
  tril(diagonal = 0): Tensor { return ra.tril(this, diagonal); }
  /** The upper triangle (on and above `diagonal`), zeros below. @example cr.ones([2, 2]).triu() // [[1, 1], [0, 1]] */
  triu(diagonal = 0): Tensor { return ra.triu(this, diagonal); }
  /** A vector's diagonal matrix, or a matrix's diagonal as a vector. @example cr.tensor([1, 2]).diag() // [[1, 0], [0, 2]] */
  diag(diagonal = 0): Tensor { return ra.diag(this, diagonal); }
  /** The diagonal over dims `dim1` and `dim2` (0 and 1 by default) as the last dim (a view). @example cr.tensor([[1, 2], [3, 4]]).diagonal() // [1, 4] */
  diagonal(opts: vw.DiagonalOptions = {}): Tensor { return vw.diagonal(this, opts); }
  /** Matrices with the last dim on their diagonal (the inverse of `diagonal`). @example cr.tensor([[1, 2]]).diagEmbed() // [[[1, 0], [0, 2]]] */
  diagEmbed(opts: vw.DiagonalOptions = {}): Tensor { return ra.diagEmbed(this, opts); }
  /** Dim `dim` split into `sizes` (one may be -1). @example cr.zeros([6]).unflatten(0, [2, 3]).shape // [2, 3] */
  unflatten(dim: number, sizes: readonly number[]): Tensor { return vw.unflatten(this, dim, sizes); }
  /** Views of `splitSizeOrSections` elements each along `dim` (the last may be smaller), or of the given sizes. @example cr.arange(5).split(2) // [[0, 1], [2, 3], [4]] */
  split(splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] { return vw.split(this, splitSizeOrSections, dim); }
  /** `chunks` views along `dim`, of equal size but the last (there may be fewer). @example cr.arange(5).chunk(2) // [[0, 1, 2], [3, 4]] */
  chunk(chunks: number, dim = 0): Tensor[] { return vw.chunk(this, chunks, dim); }
  /** Views split at the given indices along `dim`, or into `n` parts as even as possible. @example cr.arange(5).tensorSplit([1, 3]) // [[0], [1, 2], [3, 4]] */
  tensorSplit(indicesOrSections: number | readonly number[], dim = 0): Tensor[] { return vw.tensorSplit(this, indicesOrSections, dim); }
  /** Dims moved from `source` to `destination`, the rest keeping their order. @example cr.zeros([2, 3, 4]).movedim(0, -1).shape // [3, 4, 2] */
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor { return vw.movedim(this, source, destination); }
  /** `movedim` under NumPy's name. @example cr.zeros([2, 3, 4]).moveaxis(0, -1).shape // [3, 4, 2] */
  moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor { return vw.movedim(this, source, destination); }
  /** `transpose` under NumPy's name. @example cr.zeros([2, 3]).swapaxes(0, 1).shape // [3, 2] */
  swapaxes(axis0: number, axis1: number): Tensor { return vw.swapaxes(this, axis0, axis1); }
  /** `transpose` under another of PyTorch's names. @example cr.zeros([2, 3]).swapdims(0, 1).shape // [3, 2] */
  swapdims(dim0: number, dim1: number): Tensor { return vw.swapaxes(this, dim0, dim1); }
  /** Windows of `size` elements, `step` apart, along `dim`, as a new last dim (PyTorch's `Tensor.unfold`). @example cr.arange(5).unfold(0, 2, 2) // [[0, 1], [2, 3]] */
  unfold(dim: number, size: number, step: number): Tensor { return vw.unfoldDim(this, dim, size, step); }
  /** The slices along `dim` with that dim removed, each a view. @example cr.tensor([[1, 2], [3, 4]]).unbind(1) // [[1, 3], [2, 4]] */
  unbind(dim = 0): Tensor[] { return vw.unbind(this, dim); }
  /** A view of this tensor's memory with the given sizes and strides (PyTorch's `as_strided`). @example cr.arange(4).asStrided([2, 2], [1, 1]) // [[0, 1], [1, 2]] */
  asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor { return vw.asStridedView(this, size, stride, storageOffset); }
  /** The elements at int32 `index` of the flattened tensor. @example cr.tensor([[1, 2], [3, 4]]).take(cr.tensor([0, 3], { dtype: "int32" })) // [1, 4] */
  take(index: Tensor): Tensor { return ra.take(this, index); }
  /** The elements at `indices` along `dim` (as `gather`, broadcasting; of the flattened tensor when `dim` is omitted). @example cr.tensor([[1, 2], [3, 4]]).takeAlongDim(cr.tensor([[1], [0]], { dtype: "int32" }), 1) // [[2], [3]] */
  takeAlongDim(indices: Tensor, dim?: number): Tensor { return ra.takeAlongDim(this, indices, dim); }

  // ---- indexing and scatter ---------------------------------------------------------------------

  /** `x[...items]`: integers, slices (`{ start, stop, step }`, ":"), null, "...", int32 tensors and bool masks. @example cr.tensor([[1, 2], [3, 4]]).index(":", 1) // [2, 4] */
  index(...items: ix.IndexItem[]): Tensor { return ix.index(this, ...items); }
  /** A copy with `values` written at `indices` (added with `{ accumulate: true }`). @example cr.zeros([3]).indexPut([cr.tensor([0, 2], { dtype: "int32" })], 1) // [1, 0, 1] */
  indexPut(indices: readonly ix.IndexItem[], values: Tensor | number | boolean, opts: ix.IndexPutOptions = {}): Tensor { return ix.indexPut(this, indices, values, opts); }
  /** `x[...indices] = values` in place (`+=` with accumulate). @example cr.zeros([3]).indexPut_([cr.tensor([1], { dtype: "int32" })], 5) // [0, 5, 0] */
  indexPut_(indices: readonly ix.IndexItem[], values: Tensor | number | boolean, opts: ix.IndexPutOptions = {}): this { return ix.indexPut_(this, indices, values, opts) as this; }
  /** A copy with `value` where the bool `mask` (broadcast) is true. @example cr.tensor([1, 2, 3]).maskedFill(cr.tensor([1, 0, 1]).bool(), 0) // [0, 2, 0] */
  maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor { return ix.maskedFill(this, mask, value); }
  /** `maskedFill` in place. @example cr.tensor([1, 2, 3]).maskedFill_(cr.tensor([1, 0, 1]).bool(), 0) // [0, 2, 0] */
  maskedFill_(mask: Tensor, value: number | boolean | Tensor): this { return ix.maskedFill_(this, mask, value) as this; }
  /** The elements where the bool `mask` (broadcast) is true, as a vector. @example cr.tensor([1, 2, 3]).maskedSelect(cr.tensor([1, 0, 1]).bool()) // [1, 3] */
  maskedSelect(mask: Tensor): Tensor { return ix.maskedSelect(this, mask); }
  /** A copy with `source`'s elements, in order, written where the bool `mask` is true. @example cr.zeros([3]).maskedScatter(cr.tensor([1, 0, 1]).bool(), cr.tensor([5, 6])) // [5, 0, 6] */
  maskedScatter(mask: Tensor, source: Tensor): Tensor { return ix.maskedScatter(this, mask, source); }
  /** `maskedScatter` in place. @example cr.zeros([3]).maskedScatter_(cr.tensor([1, 0, 1]).bool(), cr.tensor([5, 6])) // [5, 0, 6] */
  maskedScatter_(mask: Tensor, source: Tensor): this { return ix.maskedScatter_(this, mask, source) as this; }
  /** The indices of the non-zero elements, one row each (or one index tensor per dim with `{ asTuple: true }`). @example cr.tensor([0, 3, 0, 4]).nonzero() // [[1], [3]] */
  nonzero(): Tensor;
  nonzero(opts: { asTuple: true }): Tensor[];
  nonzero(opts: { asTuple?: boolean } = {}): Tensor | Tensor[] { return opts.asTuple === true ? ix.nonzero(this, { asTuple: true }) : ix.nonzero(this); }
  /** The indices of the non-zero elements, one row each (`nonzero`). @example cr.tensor([[0, 1], [1, 0]]).argwhere() // [[0, 1], [1, 0]] */
  argwhere(): Tensor { return ix.argwhere(this); }
  /** A copy with `src` (a tensor or a number) written at `index` along `dim` (combined by `reduce` when given). @example cr.zeros([3]).scatter(0, cr.tensor([2, 0], { dtype: "int32" }), cr.tensor([5, 6])) // [6, 0, 5] */
  scatter(dim: number, index: Tensor, src: Tensor | number, opts: st.ScatterOptions = {}): Tensor { return st.scatter(this, dim, index, src, opts); }
  /** `scatter` in place. @example cr.zeros([3]).scatter_(0, cr.tensor([2, 0], { dtype: "int32" }), 1) // [1, 0, 1] */
  scatter_(dim: number, index: Tensor, src: Tensor | number, opts: st.ScatterOptions = {}): this { return applyInplace(this, "scatter_", () => st.scatter(this, dim, index, src, opts)) as this; }
  /** `scatterAdd` in place. @example cr.zeros([3]).scatterAdd_(0, cr.tensor([0, 0], { dtype: "int32" }), cr.tensor([1, 2])) // [3, 0, 0] */
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { return applyInplace(this, "scatterAdd_", () => mv.scatterAdd(this, dim, index, src)) as this; }
  /** A copy with `src` combined at `index` along `dim` by `reduce` ("sum", "prod", "mean", "amax", "amin"), including the values already there unless `{ includeSelf: false }`. @example cr.ones([2]).scatterReduce(0, cr.tensor([0, 0], { dtype: "int32" }), cr.tensor([2, 3]), "prod") // [6, 1] */
  scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: st.ScatterReduction, opts: st.ScatterReduceOptions = {}): Tensor { return st.scatterReduce(this, dim, index, src, reduce, opts); }
  /** `scatterReduce` in place. @example cr.ones([2]).scatterReduce_(0, cr.tensor([0, 0], { dtype: "int32" }), cr.tensor([2, 3]), "amax") // [3, 1] */
  scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: st.ScatterReduction, opts: st.ScatterReduceOptions = {}): this {
    return applyInplace(this, "scatterReduce_", () => st.scatterReduce(this, dim, index, src, reduce, opts)) as this;
  }
  /** A copy with the slices of `source` written at int32 `index` along `dim`. @example cr.zeros([3]).indexCopy(0, cr.tensor([2, 0], { dtype: "int32" }), cr.tensor([5, 6])) // [6, 0, 5] */
  indexCopy(dim: number, index: Tensor, source: Tensor): Tensor { return st.indexCopy(this, dim, index, source); }
  /** `indexCopy` in place. @example cr.zeros([3]).indexCopy_(0, cr.tensor([2, 0], { dtype: "int32" }), cr.tensor([5, 6])) // [6, 0, 5] */
  indexCopy_(dim: number, index: Tensor, source: Tensor): this { return applyInplace(this, "indexCopy_", () => st.indexCopy(this, dim, index, source)) as this; }
  /** A copy with `value` written at int32 `index` along `dim`. @example cr.zeros([3]).indexFill(0, cr.tensor([1], { dtype: "int32" }), 7) // [0, 7, 0] */
  indexFill(dim: number, index: Tensor, value: number | Tensor): Tensor { return st.indexFill(this, dim, index, value); }
  /** `indexFill` in place. @example cr.zeros([3]).indexFill_(0, cr.tensor([1], { dtype: "int32" }), 7) // [0, 7, 0] */
  indexFill_(dim: number, index: Tensor, value: number | Tensor): this { return applyInplace(this, "indexFill_", () => st.indexFill(this, dim, index, value)) as this; }
  // ---- products and linear algebra (products.ts, linalg/) ----
  /** The outer product with another vector. @example a.outer(b) */
  outer(other: Tensor): Tensor { return pr.outer(this, other); }
  /** The Kronecker product. @example a.kron(b) */
  kron(other: Tensor): Tensor { return pr.kron(this, other); }
  /** The sum of the diagonal of a matrix. @example m.trace() */
  trace(): Tensor { return pr.trace(this); }
  /** The determinant of each square matrix (`cr.linalg.det`). @example m.det() */
  det(): Tensor { return dec.det(this); }
  /** The inverse of each square matrix (`cr.linalg.inv`). @example m.inverse() */
  inverse(): Tensor { return dec.inv(this); }
}

installElementwiseMethods(Tensor.prototype);
installDivMethod(Tensor.prototype);
installExtraMethods(Tensor.prototype);
installDTypeMethods(Tensor.prototype);
