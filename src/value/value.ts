// The scalar autograd engine: `Value` holds one number and its gradient (micrograd's idea), with a fast iterative backward pass.

/**
 * Op codes stored on every node. Backward switches on the code and does the local-derivative math
 * inline, instead of keeping a closure per node: no per-node closure allocation, and one
 * monomorphic loop over the graph.
 */
const enum Op {
  Leaf = 0,
  Add,
  Sub,
  Mul,
  Div,
  /** `a ** b` where both are differentiable Values. */
  Pow,
  /** `a ** k` where `k` was given as a plain number: no gradient flows to the exponent. */
  PowConst,
  Neg,
  Exp,
  Log,
  Tanh,
  Sigmoid,
  Relu,
  Sin,
  Cos,
}

/** The public `op` name of each op code (indexed by `Op`). */
const OP_NAMES: readonly string[] = [
  "",
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "pow",
  "neg",
  "exp",
  "log",
  "tanh",
  "sigmoid",
  "relu",
  "sin",
  "cos",
];

/** Anything a binary `Value` method accepts as its other operand; plain numbers become constant leaves. */
export type ValueLike = number | Value;

/** Options for `new Value(data, opts)`. */
export interface ValueOptions {
  /** A name for the node, e.g. for printing or drawing the graph. */
  label?: string;
}

/**
 * Traversal counter: each graph walk takes a fresh epoch and marks the nodes it reaches with it, so
 * "visited?" is one integer compare instead of a `Set` lookup, and no marks need clearing afterwards.
 */
let epoch = 0;

/** Names the kind of a bad argument for a TypeError message. */
function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "string") return `string ${JSON.stringify(x)}`;
  if (typeof x === "object") {
    const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" && name !== "Object" ? `a ${name}` : "an object";
  }
  return typeof x;
}

/**
 * A scalar that remembers how it was computed, so gradients can flow back through it.
 *
 * Every op returns a new `Value` whose `op` names the op and whose `children` are its inputs (plain
 * numbers become constant leaf Values). `backward()` then fills `grad` on every node of the graph with
 * d(this)/d(node), adding to what is already there, as PyTorch does: call `zeroGrad()` (or set
 * `.grad = 0` on the nodes you care about) before reusing a graph.
 *
 * The graph walk is iterative, so million-node chains backpropagate without stack overflow.
 *
 * @example
 * ```ts
 * const x = new Value(-2, { label: "x" });
 * const y = new Value(5, { label: "y" });
 * const z = new Value(-4, { label: "z" });
 * const f = x.add(y).mul(z); // f = (x + y) * z = -12
 * f.backward();
 * x.grad; // -4  (df/dx = z)
 * y.grad; // -4  (df/dy = z)
 * z.grad; //  3  (df/dz = x + y)
 * f.toString(); // "Value(data=-12, grad=1)"
 * ```
 */
export class Value {
  /** The number this node holds. */
  data: number;
  /** d(root)/d(this), accumulated over every `backward()` call since it was last zeroed. Starts at 0. */
  grad = 0;
  /** An optional name for the node. */
  label?: string;

  /** Which op produced this node (`Op.Leaf` for leaves). */
  private _op: Op = Op.Leaf;
  /** First input, or null for leaves. */
  private _a: Value | null = null;
  /** Second input, or null for leaves and unary ops. */
  private _b: Value | null = null;
  /** The gradient flowing into this node during the current backward pass only. */
  private _g = 0;
  /** Epoch of the last walk that reached this node. */
  private _visit = 0;
  /** Epoch of the last topological sort that emitted this node. */
  private _done = 0;

  static {
    // Warm-up: V8 first types a field holding 0 or 1 as a small integer, and the first fractional value
    // written to it then deprecates the layout of every Value already built, so each of them takes a
    // slow migration path on its next access (seconds on a million-node graph). Writing fractions to
    // the number fields of one throwaway Value here settles them as doubles before any real node exists.
    const w = new Value(0.5);
    w.grad = 0.5;
    w._g = 0.5;
  }

  constructor(data: number, opts?: ValueOptions) {
    if (typeof data !== "number") {
      throw new TypeError(`Value: data must be a number, got ${describe(data)}`);
    }
    this.data = data;
    if (opts?.label !== undefined) this.label = opts.label;
  }

  /** Name of the op that produced this node: `""` for leaves, else `"add"`, `"mul"`, `"pow"`, `"tanh"`, … */
  get op(): string {
    return OP_NAMES[this._op] as string;
  }

  /** The inputs of the op that produced this node (empty for leaves). A fresh array on each access. */
  get children(): readonly Value[] {
    const a = this._a;
    const b = this._b;
    if (a === null) return [];
    return b === null ? [a] : [a, b];
  }

  /** micrograd's name for `children`. */
  get prev(): readonly Value[] {
    return this.children;
  }

  // ---- binary ops -----------------------------------------------------------------------------

  /**
   * `this + other`.
   * @example new cr.Value(2).add(3).data // 5
   */
  add(other: ValueLike): Value {
    const o = toValue(other, "add");
    return Value.node(this.data + o.data, Op.Add, this, o);
  }

  /**
   * `this - other`.
   * @example new cr.Value(5).sub(2).data // 3
   */
  sub(other: ValueLike): Value {
    const o = toValue(other, "sub");
    return Value.node(this.data - o.data, Op.Sub, this, o);
  }

  /**
   * `this * other`.
   * @example new cr.Value(2).mul(new cr.Value(3)).data // 6
   */
  mul(other: ValueLike): Value {
    const o = toValue(other, "mul");
    return Value.node(this.data * o.data, Op.Mul, this, o);
  }

  /**
   * `this / other`.
   * @example new cr.Value(3).div(4).data // 0.75
   */
  div(other: ValueLike): Value {
    const o = toValue(other, "div");
    return Value.node(this.data / o.data, Op.Div, this, o);
  }

  /**
   * `this ** exponent`. A `Value` exponent receives a gradient too; a plain-number exponent is a
   * constant (it still appears in `children`, as a leaf, but no gradient flows to it).
   * @example new cr.Value(2).pow(3).data // 8
   */
  pow(exponent: ValueLike): Value {
    if (typeof exponent === "number") {
      return Value.node(Math.pow(this.data, exponent), Op.PowConst, this, new Value(exponent));
    }
    const o = toValue(exponent, "pow");
    return Value.node(Math.pow(this.data, o.data), Op.Pow, this, o);
  }

  // ---- unary ops ------------------------------------------------------------------------------

  /**
   * `-this`.
   * @example new cr.Value(2).neg().data // -2
   */
  neg(): Value {
    return Value.node(-this.data, Op.Neg, this, null);
  }

  /**
   * `e ** this`.
   * @example new cr.Value(1).exp().data // 2.7183
   */
  exp(): Value {
    return Value.node(Math.exp(this.data), Op.Exp, this, null);
  }

  /**
   * Natural logarithm.
   * @example new cr.Value(Math.E).log().data // 1
   */
  log(): Value {
    return Value.node(Math.log(this.data), Op.Log, this, null);
  }

  /**
   * Hyperbolic tangent.
   * @example new cr.Value(1).tanh().data // 0.76159
   */
  tanh(): Value {
    return Value.node(Math.tanh(this.data), Op.Tanh, this, null);
  }

  /**
   * Logistic sigmoid `1 / (1 + e^-x)`, computed without overflow for large `|x|`.
   * @example new cr.Value(0).sigmoid().data // 0.5
   */
  sigmoid(): Value {
    const x = this.data;
    let s: number;
    if (x >= 0) {
      s = 1 / (1 + Math.exp(-x));
    } else {
      // e^x / (1 + e^x): e^x underflows to 0 for very negative x instead of e^-x overflowing.
      const e = Math.exp(x);
      s = e / (1 + e);
    }
    return Value.node(s, Op.Sigmoid, this, null);
  }

  /**
   * `max(this, 0)` (NaN stays NaN).
   * @example new cr.Value(-2).relu().data // 0
   */
  relu(): Value {
    return Value.node(Math.max(this.data, 0), Op.Relu, this, null);
  }

  /**
   * Sine.
   * @example new cr.Value(1).sin().data // 0.84147
   */
  sin(): Value {
    return Value.node(Math.sin(this.data), Op.Sin, this, null);
  }

  /**
   * Cosine.
   * @example new cr.Value(1).cos().data // 0.5403
   */
  cos(): Value {
    return Value.node(Math.cos(this.data), Op.Cos, this, null);
  }

  // ---- autograd -------------------------------------------------------------------------------

  /**
   * Backpropagates from this node: adds d(this)/d(node) to `grad` on every node of the graph below
   * it (this node included, which gets 1). A node reached along several paths gets the sum over
   * the paths. Grads are accumulated, not overwritten: calling `backward()` twice without zeroing
   * doubles them, as in PyTorch.
   * @example
   * ```ts
   * const x = new cr.Value(3);
   * x.mul(x).backward();
   * x.grad; // 6: d(x²)/dx at 3
   * ```
   */
  backward(): void {
    const order = this.topo();
    this._g = 1;
    // Reverse topological order: every node's incoming gradient is complete before it is passed on.
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i] as Value;
      const g = n._g;
      n.grad += g;
      switch (n._op) {
        case Op.Leaf:
          break;
        case Op.Add: {
          // d(a + b) = da + db
          (n._a as Value)._g += g;
          (n._b as Value)._g += g;
          break;
        }
        case Op.Sub: {
          // d(a - b) = da - db
          (n._a as Value)._g += g;
          (n._b as Value)._g -= g;
          break;
        }
        case Op.Mul: {
          // d(a·b) = b da + a db
          const a = n._a as Value;
          const b = n._b as Value;
          const ad = a.data;
          a._g += g * b.data;
          b._g += g * ad;
          break;
        }
        case Op.Div: {
          // d(a / b) = (1/b) da − (a/b²) db
          const a = n._a as Value;
          const b = n._b as Value;
          const bd = b.data;
          a._g += g / bd;
          b._g -= (g * a.data) / (bd * bd);
          break;
        }
        case Op.Pow: {
          // d(a^b) = b·a^(b−1) da + a^b·ln(a) db. As in PyTorch: the da term is 0 when b == 0 (not
          // 0·a^−1, which is NaN at a = 0), and the db term is 0 when a == 0 and b >= 0 (not 0·−∞).
          const a = n._a as Value;
          const b = n._b as Value;
          const ad = a.data;
          const bd = b.data;
          a._g += bd === 0 ? 0 : g * bd * Math.pow(ad, bd - 1);
          b._g += ad === 0 && bd >= 0 ? 0 : g * n.data * Math.log(ad);
          break;
        }
        case Op.PowConst: {
          // d(a^k) = k·a^(k−1) da for a constant k (0 when k == 0); the constant gets nothing.
          const a = n._a as Value;
          const k = (n._b as Value).data;
          a._g += k === 0 ? 0 : g * k * Math.pow(a.data, k - 1);
          break;
        }
        case Op.Neg: {
          // d(−a) = −da
          (n._a as Value)._g -= g;
          break;
        }
        case Op.Exp: {
          // d eˣ = eˣ dx
          (n._a as Value)._g += g * n.data;
          break;
        }
        case Op.Log: {
          // d ln x = dx / x
          const a = n._a as Value;
          a._g += g / a.data;
          break;
        }
        case Op.Tanh: {
          // d tanh x = (1 − tanh²x) dx
          const t = n.data;
          (n._a as Value)._g += g * (1 - t * t);
          break;
        }
        case Op.Sigmoid: {
          // d σ(x) = σ(x)(1 − σ(x)) dx
          const s = n.data;
          (n._a as Value)._g += g * s * (1 - s);
          break;
        }
        case Op.Relu: {
          // d relu x = [x > 0] dx
          const a = n._a as Value;
          if (a.data > 0) a._g += g;
          break;
        }
        case Op.Sin: {
          // d sin x = cos x dx
          const a = n._a as Value;
          a._g += g * Math.cos(a.data);
          break;
        }
        case Op.Cos: {
          // d cos x = −sin x dx
          const a = n._a as Value;
          a._g -= g * Math.sin(a.data);
          break;
        }
      }
    }
  }

  /**
   * Sets `grad` to 0 on this node and on every node of the graph below it.
   * @example
   * ```ts
   * const y = x.mul(x);
   * y.backward();
   * y.zeroGrad(); // x.grad is 0 again before the next backward()
   * ```
   */
  zeroGrad(): void {
    const ep = ++epoch;
    const stack: Value[] = [this];
    this._visit = ep;
    while (stack.length > 0) {
      const n = stack.pop() as Value;
      n.grad = 0;
      const a = n._a;
      if (a !== null && a._visit !== ep) {
        a._visit = ep;
        stack.push(a);
      }
      const b = n._b;
      if (b !== null && b._visit !== ep) {
        b._visit = ep;
        stack.push(b);
      }
    }
  }

  /**
   * `Value(data=1.5, grad=0)`.
   * @example new cr.Value(1.5).toString() // "Value(data=1.5, grad=0)"
   */
  toString(): string {
    return `Value(data=${this.data}, grad=${this.grad})`;
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Makes an op result node. */
  private static node(data: number, op: Op, a: Value, b: Value | null): Value {
    const v = new Value(data);
    v._op = op;
    v._a = a;
    v._b = b;
    return v;
  }

  /**
   * The nodes reachable from this one, children before parents (so the reverse is a valid order for
   * backward), each once. Resets every reached node's per-pass gradient `_g` to 0.
   *
   * Iterative depth-first search with an explicit stack: a node is expanded (its unvisited children
   * pushed above it) the first time it reaches the top, and emitted when it reaches the top again,
   * after everything above it — its whole subgraph — has been emitted. A node may be pushed twice
   * before it is expanded (by two parents); the later copy is skipped via the `_done` mark.
   */
  private topo(): Value[] {
    const ep = ++epoch;
    const order: Value[] = [];
    const stack: Value[] = [this];
    while (stack.length > 0) {
      const n = stack[stack.length - 1] as Value;
      if (n._visit !== ep) {
        n._visit = ep;
        n._g = 0;
        const a = n._a;
        if (a !== null) {
          if (a._op === Op.Leaf) {
            // A leaf has nothing below it, so it can be emitted right away (saves two stack trips).
            if (a._visit !== ep) {
              a._visit = ep;
              a._done = ep;
              a._g = 0;
              order.push(a);
            }
          } else if (a._visit !== ep) {
            stack.push(a);
          }
        }
        const b = n._b;
        if (b !== null) {
          if (b._op === Op.Leaf) {
            if (b._visit !== ep) {
              b._visit = ep;
              b._done = ep;
              b._g = 0;
              order.push(b);
            }
          } else if (b._visit !== ep) {
            stack.push(b);
          }
        }
      } else {
        stack.pop();
        if (n._done !== ep) {
          n._done = ep;
          order.push(n);
        }
      }
    }
    return order;
  }
}

/** Accepts a Value as is and wraps a number as a constant leaf; anything else is a TypeError naming the op. */
function toValue(x: unknown, op: string): Value {
  if (x instanceof Value) return x;
  if (typeof x === "number") return new Value(x);
  throw new TypeError(`Value.${op}: expected a number or a Value, got ${describe(x)}`);
}
