// The Tensor class: data on a backend, autograd state (requiresGrad, grad, gradFn), and the method
// forms of every op, which delegate to the functional forms in the sibling files.
import { runBackward } from "../autograd/engine.js";
import { enableGrad } from "../autograd/grad-mode.js";
import { AccumulateGrad } from "../autograd/node.js";
import { applyElementwise } from "../autograd/primitives.js";
import { opProgram } from "../ops/program.js";
import type { Edge, GradHook, Node } from "../autograd/node.js";
import type { CompleteBackend, DataBuf, TensorData } from "../backend/backend.js";
import type { DType, TypedArray } from "../dtype.js";
import { isDType, isFloating } from "../dtype.js";
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
import { adoptDroppedGrad, disposeTracked, markKept, track } from "./lifetime.js";
import { applyInplace } from "./inplace.js";
import * as la from "./linalg.js";
import * as mv from "./movement.js";
import * as rd from "./reduce.js";
import type { Dims, VarOptions } from "./reduce.js";

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
  /** @internal The backend whose memory holds the data. */
  readonly _backend: CompleteBackend;
  /** @internal Backend memory, unchecked: read `_buf`, which refuses a disposed tensor. */
  readonly _storage: DataBuf;
  /** @internal Set by dispose() or the end of the scope that made it. */
  _disposed = false;
  /** @internal See Tracked in lifetime.ts. */
  _kept: "user" | "grad" | null = null;
  /** @internal Shared with views of the same memory. */
  readonly _version: VersionCounter;
  /** @internal Which output of `gradFn` this is. */
  _outputNr = 0;
  private _requiresGrad = false;
  private _gradFn: Node | null = null;
  private _grad: Tensor | null = null;
  private _accumulator: AccumulateGrad | null = null;
  private _retainsGrad = false;
  /** @internal For a differentiable view (reshape), the tensor whose memory it shares; null otherwise. */
  _viewBase: Tensor | null = null;
  /** @internal The version at which the history (gradFn) was set: a view whose memory changed since gets a fresh one. */
  _historyVersion = 0;

  protected constructor(buf: DataBuf, shape: Shape, dtype: DType, backend: CompleteBackend, version: VersionCounter) {
    this._storage = buf;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
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
    return this._storage;
  }

  /** Whether `dispose()` (or the end of the scope that made it) freed this tensor's memory. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Frees this tensor's memory now instead of when it is garbage-collected (views of the same memory
   * keep it until they are disposed too); using the tensor afterwards throws. Scopes (`cr.tidy`,
   * `using s = cr.scope()`) do this for every tensor made inside them.
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
    return { buf: this._buf, shape: this.shape, dtype: this.dtype };
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  numel(): number {
    return sizeOf(this.shape);
  }
  /** The size of `dim`, or the whole shape without it. */
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
   */
  item(): number {
    this._checkItem("item");
    return this._readSync("item", "itemAsync", 1)[0]!;
  }
  /** The elements as nested arrays, one level per dim (booleans for bool tensors); `tolistAsync` on a GPU. */
  tolist(): NestedList {
    return toNested(this._readSync("tolist", "tolistAsync", this.numel()), this.shape, this.dtype);
  }
  /**
   * A copy of the elements in row-major order, as Float32Array, Float64Array, Int32Array or Uint8Array (bool).
   * `await t.data()` gives the same on every backend, a GPU's included.
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
    return this._backend.read(this._buf, this.dtype, this.numel());
  }
  /** `item()`, asynchronously: what works on every backend. @example const value = await loss.itemAsync(); */
  async itemAsync(): Promise<number> {
    this._checkItem("itemAsync");
    return (await this.data())[0]!;
  }
  /** `tolist()`, asynchronously: what works on every backend. */
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
    return read.call(this._backend, this._buf, this.dtype, size);
  }
  /**
   * Computes this tensor's elements now and returns it. The `wasm` backend defers large elementwise chains
   * and computes each in one pass when it is read (tinygrad's `realize`, JAX's `block_until_ready`): call
   * this to time work that is otherwise computed later. `cr.realize(a, b, …)` computes several together.
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
   */
  dataView(): TypedArray {
    if (this._backend.view === undefined) throw new Error(`dataView: the ${this._backend.name} backend has no host view; use toTypedArray()`);
    return this._backend.view(this._buf);
  }
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
  /** Sets `requiresGrad` in place and returns this tensor. */
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
    return this._grad;
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
  }
  /** Makes backward fill `.grad` on this non-leaf tensor too. */
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
  /** A tensor sharing this one's memory, cut off from the graph (no gradFn, no requiresGrad). */
  detach(): Tensor {
    return new Tensor(this._buf, this.shape, this.dtype, this._backend, this._version);
  }
  /** A copy with its own memory; gradients flow back to this tensor. */
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
    runBackward([this], [gradient.dtype === this.dtype ? gradient : gradient.to(this.dtype)], {
      retainGraph: opts.retainGraph ?? createGraph,
      createGraph,
    });
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
  /**
   * @internal A view whose memory was changed in place through its base or a sibling view takes its
   * history afresh from the base (as PyTorch regenerates a view's grad_fn), so its gradient stays right.
   */
  private _refreshView(): void {
    const base = this._viewBase;
    if (base === null || this._historyVersion === this._version.value) return;
    this._historyVersion = this._version.value;
    if (!base.requiresGrad) return;
    const fresh = enableGrad(() => mv.reshape(base, this.shape));
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
    const incoming = createGraph || own ? g : g.detach();
    const old = this._grad;
    if (old === null) this._grad = createGraph || own ? incoming : incoming.clone();
    else this._grad = createGraph ? ew.add(old, incoming) : ew.add(old.detach(), incoming);
    markKept(this._grad, "grad");
    if (old !== null) adoptDroppedGrad(old);
  }

  // ---- in place ------------------------------------------------------------------------------

  /** `this += other` in place (broadcasting `other`); returns this tensor. */
  add_(other: TensorLike): this { return applyInplace(this, "add_", () => ew.add(this, other)) as this; }
  /** `this -= other` in place. */
  sub_(other: TensorLike): this { return applyInplace(this, "sub_", () => ew.sub(this, other)) as this; }
  /** `this *= other` in place. */
  mul_(other: TensorLike): this { return applyInplace(this, "mul_", () => ew.mul(this, other)) as this; }
  /** `this /= other` in place. */
  div_(other: TensorLike): this { return applyInplace(this, "div_", () => ew.div(this, other)) as this; }
  /** Clamps in place to [min, max]. */
  clamp_(min?: TensorLike | null, max?: TensorLike | null): this { return applyInplace(this, "clamp_", () => ew.clamp(this, min, max)) as this; }
  /** Fills with `value` in place. */
  fill_(value: number | boolean): this { return applyInplace(this, "fill_", () => ew.asTensor(value, this.dtype, this._backend).expand(this.shape), true) as this; }
  /** Fills with zeros in place. */
  zero_(): this { return this.fill_(0); }
  /** Copies `src` (broadcast to this shape, converted to this dtype) into this tensor in place. */
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
  /** As float32. */
  float(): Tensor {
    return this.to("float32");
  }
  /** As float64. */
  double(): Tensor {
    return this.to("float64");
  }
  /** As int32 (truncating toward zero). */
  int(): Tensor {
    return this.to("int32");
  }
  /** As bool (non-zero is true). */
  bool(): Tensor {
    return this.to("bool");
  }

  // ---- elementwise ---------------------------------------------------------------------------

  rsqrt(): Tensor { return ew.rsqrt(this); }
  square(): Tensor { return ew.square(this); }
  reciprocal(): Tensor { return ew.reciprocal(this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return ew.leakyRelu(this, negativeSlope); }
  gelu(approximate: "none" | "tanh" = "none"): Tensor { return ew.gelu(this, approximate); }
  silu(): Tensor { return ew.silu(this); }
  softplus(beta = 1, threshold = 20): Tensor { return ew.softplus(this, beta, threshold); }
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor { return ew.clamp(this, min, max); }

  // ---- reductions ----------------------------------------------------------------------------

  sum(dim?: Dims, keepdim = false): Tensor { return rd.sum(this, dim, keepdim); }
  mean(dim?: Dims, keepdim = false): Tensor { return rd.mean(this, dim, keepdim); }
  /** The largest element, or the largest along `dim` (values; `argmax` gives indices). */
  max(dim?: number, keepdim = false): Tensor { return rd.max(this, dim, keepdim); }
  /** The smallest element, or the smallest along `dim` (values; `argmin` gives indices). */
  min(dim?: number, keepdim = false): Tensor { return rd.min(this, dim, keepdim); }
  amax(dim?: Dims, keepdim = false): Tensor { return rd.amax(this, dim, keepdim); }
  amin(dim?: Dims, keepdim = false): Tensor { return rd.amin(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return rd.argmax(this, dim, keepdim); }
  all(dim?: Dims, keepdim = false): Tensor { return rd.all(this, dim, keepdim); }
  any(dim?: Dims, keepdim = false): Tensor { return rd.any(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return rd.argmin(this, dim, keepdim); }
  logsumexp(dim: Dims, keepdim = false): Tensor { return rd.logsumexp(this, dim, keepdim); }
  var(dim?: Dims, opts: VarOptions = {}): Tensor { return rd.variance(this, dim, opts); }
  std(dim?: Dims, opts: VarOptions = {}): Tensor { return rd.std(this, dim, opts); }
  softmax(dim: number): Tensor { return rd.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return rd.logSoftmax(this, dim); }

  // ---- linear algebra ------------------------------------------------------------------------

  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  mm(other: Tensor): Tensor { return la.mm(this, other); }
  bmm(other: Tensor): Tensor { return la.bmm(this, other); }
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  /** `beta·this + alpha·(mat1 · mat2)` (`cr.addmm`). */
  addmm(mat1: Tensor, mat2: Tensor, opts: la.AddmmOptions = {}): Tensor { return la.addmm(this, mat1, mat2, opts); }

  // ---- shape ---------------------------------------------------------------------------------

  /** The same elements in a new shape: `x.reshape([2, -1])` or `x.reshape(2, -1)`. */
  reshape(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, shapeArg(shape)); }
  /** Same as `reshape`: chainrule's tensors are contiguous, so every reshape is a view. */
  view(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, shapeArg(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return mv.flatten(this, startDim, endDim); }
  /** Reorders dims: `x.permute([2, 0, 1])` or `x.permute(2, 0, 1)`. */
  permute(...dims: number[] | [readonly number[]]): Tensor { return mv.permute(this, shapeArg(dims)); }
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** Transpose of a matrix (at most 2 dims). */
  t(): Tensor {
    if (this.ndim > 2) throw new ShapeError(`t: expects a tensor of at most 2 dims, got shape ${fmt(this.shape)}; use transpose or mT`);
    return mv.transpose(this, 0, -1);
  }
  /** The last two dims swapped (batched matrix transpose). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new ShapeError(`mT: needs at least 2 dims, got shape ${fmt(this.shape)}`);
    return mv.transpose(this, -2, -1);
  }
  squeeze(dim?: number): Tensor { return mv.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  /** Broadcasts to a shape: `x.expand([3, -1])` or `x.expand(3, -1)`. */
  expand(...shape: number[] | [readonly number[]]): Tensor { return mv.expand(this, shapeArg(shape)); }
  expandAs(other: Tensor): Tensor { return mv.expand(this, other.shape); }
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor { return mv.slice(this, dim, start, end, step); }
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return mv.gather(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return mv.scatterAdd(this, dim, index, src); }
  indexSelect(dim: number, index: Tensor): Tensor { return mv.indexSelect(this, dim, index); }
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor { return mv.indexAdd(this, dim, index, src); }
}

installElementwiseMethods(Tensor.prototype);
