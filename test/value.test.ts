// Tests for the scalar `Value` engine: lesson examples, every op against finite differences, deep graphs, errors, an MLP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Value } from "chainrule";

/** Asserts |actual − expected| ≤ tol·max(1, |expected|): relative for large values, absolute near 0. */
function assertClose(actual: number, expected: number, tol = 1e-6, what = ""): void {
  const err = Math.abs(actual - expected);
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(
    err <= tol * scale,
    `${what} expected ${expected}, got ${actual} (error ${err}, allowed ${tol * scale})`,
  );
}

/** Central finite difference of f at x, float64, step eps. */
function centralDiff(f: (x: number) => number, x: number, eps = 1e-6): number {
  return (f(x + eps) - f(x - eps)) / (2 * eps);
}

/** Every node reachable from `root` (iterative, so it works on deep graphs). */
function collectNodes(root: Value): Set<Value> {
  const seen = new Set<Value>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop() as Value;
    for (const c of n.children) {
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  return seen;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- lesson examples --------------------------------------------------------------------------

test("y = sin(x²) gives dy/dx = 2x·cos(x²)", () => {
  for (const xv of [-2.5, -1, -0.3, 0, 0.7, 1.3, 3]) {
    const x = new Value(xv);
    const y = x.mul(x).sin();
    y.backward();
    assertClose(y.data, Math.sin(xv * xv), 1e-15, "y");
    assertClose(x.grad, 2 * xv * Math.cos(xv * xv), 1e-12, `dy/dx at ${xv}`);
    // Same thing through pow with a constant exponent.
    const x2 = new Value(xv);
    x2.pow(2).sin().backward();
    assertClose(x2.grad, 2 * xv * Math.cos(xv * xv), 1e-12, `dy/dx (pow) at ${xv}`);
  }
});

test("f = (x + y)·z at x=-2, y=5, z=-4", () => {
  const x = new Value(-2, { label: "x" });
  const y = new Value(5, { label: "y" });
  const z = new Value(-4, { label: "z" });
  const q = x.add(y);
  const f = q.mul(z);
  f.backward();
  assert.equal(f.data, -12);
  assert.equal(f.grad, 1);
  assert.equal(q.grad, -4);
  assert.equal(x.grad, -4);
  assert.equal(y.grad, -4);
  assert.equal(z.grad, 3);
  assert.equal(x.label, "x");
  assert.equal(f.label, undefined);
});

test("a value used on two paths sums its gradients", () => {
  // a·a: both inputs of the mul are the same node.
  const a = new Value(3);
  const sq = a.mul(a);
  sq.backward();
  assert.equal(sq.data, 9);
  assert.equal(a.grad, 6);

  // b = a + a
  const a2 = new Value(-1.5);
  const b = a2.add(a2);
  b.backward();
  assert.equal(a2.grad, 2);

  // A diamond: a feeds d and e, both feed f.
  const x = new Value(2);
  const d = x.mul(3);
  const e = x.exp();
  const f = d.mul(e);
  f.backward();
  // f = 3x·eˣ → df/dx = 3eˣ + 3x·eˣ
  assertClose(x.grad, 3 * Math.exp(2) + 6 * Math.exp(2), 1e-12, "diamond");
});

test("forgetting to zero accumulates: two backward calls double every grad; zeroGrad resets", () => {
  const x = new Value(0.5);
  const y = new Value(-1.25);
  const h = x.mul(y).tanh(); // an intermediate node
  const out = h.add(x.pow(3)).mul(y);
  out.backward();
  const once = { x: x.grad, y: y.grad, h: h.grad, out: out.grad };
  assert.equal(once.out, 1);
  out.backward();
  assert.equal(out.grad, 2 * once.out);
  assertClose(x.grad, 2 * once.x, 1e-15, "x");
  assertClose(y.grad, 2 * once.y, 1e-15, "y");
  assertClose(h.grad, 2 * once.h, 1e-15, "h (intermediate)");

  out.zeroGrad();
  for (const n of collectNodes(out)) assert.equal(n.grad, 0);
  out.backward();
  assert.equal(x.grad, once.x);
  assert.equal(y.grad, once.y);
  assert.equal(h.grad, once.h);
});

test("backward on a leaf gives it grad 1; graphs sharing nodes accumulate across roots", () => {
  const x = new Value(4);
  x.backward();
  assert.equal(x.grad, 1);

  const a = new Value(2);
  const r1 = a.mul(3);
  const r2 = a.mul(a);
  r1.backward();
  assert.equal(a.grad, 3);
  r2.backward();
  assert.equal(a.grad, 3 + 4);
  assert.equal(r1.grad, 1); // r2's pass does not reach r1
  assert.equal(r2.grad, 1);
});

test("zeroGrad only touches the graph below the node", () => {
  const a = new Value(1);
  const b = new Value(2);
  const other = new Value(7);
  other.grad = 5;
  const c = a.mul(b);
  c.backward();
  c.zeroGrad();
  assert.equal(a.grad, 0);
  assert.equal(b.grad, 0);
  assert.equal(c.grad, 0);
  assert.equal(other.grad, 5);
});

test("the sigmoid derivative never exceeds 0.25, and ten stacked sigmoids shrink the gradient below 0.25^10", () => {
  let max = 0;
  for (let i = -1000; i <= 1000; i++) {
    const x = new Value(i / 100); // grid on [-10, 10], step 0.01
    x.sigmoid().backward();
    assert.ok(x.grad <= 0.25, `σ'(${i / 100}) = ${x.grad} > 0.25`);
    assert.ok(x.grad > 0);
    max = Math.max(max, x.grad);
  }
  assert.equal(max, 0.25); // attained at x = 0

  for (const xv of [-3, -0.5, 0, 0.5, 3]) {
    const x = new Value(xv);
    let v = x;
    for (let k = 0; k < 10; k++) v = v.sigmoid();
    v.backward();
    assert.ok(x.grad > 0);
    assert.ok(x.grad < 0.25 ** 10, `gradient ${x.grad} through 10 sigmoids at ${xv} is not below 0.25^10`);
  }
});

test("sigmoid is numerically stable for large |x|", () => {
  for (const xv of [-1e6, -1000, -745, -50, 50, 745, 1000, 1e6]) {
    const x = new Value(xv);
    const s = x.sigmoid();
    s.backward();
    assert.ok(Number.isFinite(s.data), `σ(${xv}) = ${s.data}`);
    assert.ok(s.data >= 0 && s.data <= 1);
    assert.ok(Number.isFinite(x.grad), `σ'(${xv}) = ${x.grad}`);
  }
  assert.equal(new Value(-1000).sigmoid().data, 0);
  assert.equal(new Value(1000).sigmoid().data, 1);
  assertClose(new Value(-30).sigmoid().data, Math.exp(-30) / (1 + Math.exp(-30)), 1e-15);
  assert.ok(new Value(-30).sigmoid().data > 0); // no catastrophic 1 − 1 cancellation
});

// ---- every op against finite differences ------------------------------------------------------

interface UnaryCase {
  name: string;
  f: (v: Value) => Value;
  ref: (x: number) => number;
  points: number[];
}

const unaryCases: UnaryCase[] = [
  { name: "neg", f: (v) => v.neg(), ref: (x) => -x, points: [-2, 0, 1.5] },
  { name: "exp", f: (v) => v.exp(), ref: Math.exp, points: [-3, -0.2, 0, 1.1, 4] },
  { name: "log", f: (v) => v.log(), ref: Math.log, points: [0.05, 0.5, 1, 2.7, 40] },
  { name: "tanh", f: (v) => v.tanh(), ref: Math.tanh, points: [-4, -0.6, 0, 0.3, 2] },
  { name: "sigmoid", f: (v) => v.sigmoid(), ref: (x) => 1 / (1 + Math.exp(-x)), points: [-6, -1, 0, 0.8, 5] },
  { name: "relu", f: (v) => v.relu(), ref: (x) => Math.max(x, 0), points: [-3, -0.1, 0.1, 2.5] },
  { name: "sin", f: (v) => v.sin(), ref: Math.sin, points: [-3, -1, 0, 0.5, 2, 10] },
  { name: "cos", f: (v) => v.cos(), ref: Math.cos, points: [-3, -1, 0, 0.5, 2, 10] },
  { name: "pow", f: (v) => v.pow(3), ref: (x) => x ** 3, points: [-2, -0.5, 0, 1.2, 3] },
  { name: "pow", f: (v) => v.pow(-1.5), ref: (x) => x ** -1.5, points: [0.3, 1, 2.2] },
  { name: "pow", f: (v) => v.pow(0.5), ref: Math.sqrt, points: [0.1, 1, 9] },
  { name: "add", f: (v) => v.add(2.5), ref: (x) => x + 2.5, points: [-1, 0, 3] },
  { name: "sub", f: (v) => v.sub(2.5), ref: (x) => x - 2.5, points: [-1, 0, 3] },
  { name: "mul", f: (v) => v.mul(-1.75), ref: (x) => x * -1.75, points: [-1, 0, 3] },
  { name: "div", f: (v) => v.div(-1.75), ref: (x) => x / -1.75, points: [-1, 0, 3] },
];

for (const { name, f, ref, points } of unaryCases) {
  test(`${name}: forward matches Math and gradient matches central differences`, () => {
    for (const xv of points) {
      const x = new Value(xv);
      const y = f(x);
      assert.equal(y.op, name);
      assertClose(y.data, ref(xv), 1e-14, `${name}(${xv})`);
      y.backward();
      const numeric = centralDiff((t) => f(new Value(t)).data, xv);
      assertClose(x.grad, numeric, 1e-6, `d${name}/dx at ${xv}`);
    }
  });
}

interface BinaryCase {
  name: string;
  f: (a: Value, b: Value) => Value;
  ref: (a: number, b: number) => number;
  points: [number, number][];
}

const binaryCases: BinaryCase[] = [
  { name: "add", f: (a, b) => a.add(b), ref: (a, b) => a + b, points: [[1.5, -2], [0, 0], [-3, 7]] },
  { name: "sub", f: (a, b) => a.sub(b), ref: (a, b) => a - b, points: [[1.5, -2], [0, 0], [-3, 7]] },
  { name: "mul", f: (a, b) => a.mul(b), ref: (a, b) => a * b, points: [[1.5, -2], [0, 3], [-3, 7]] },
  { name: "div", f: (a, b) => a.div(b), ref: (a, b) => a / b, points: [[1.5, -2], [0, 3], [-3, 0.7]] },
  {
    name: "pow",
    f: (a, b) => a.pow(b),
    ref: (a, b) => a ** b,
    points: [[1.7, 2.3], [0.4, -1.2], [3, 0.5], [2, 0], [0.9, 4]],
  },
];

for (const { name, f, ref, points } of binaryCases) {
  test(`${name}: d/da and d/db match central differences`, () => {
    for (const [av, bv] of points) {
      const a = new Value(av);
      const b = new Value(bv);
      const y = f(a, b);
      assert.equal(y.op, name);
      assertClose(y.data, ref(av, bv), 1e-14, `${name}(${av}, ${bv})`);
      y.backward();
      const da = centralDiff((t) => f(new Value(t), new Value(bv)).data, av);
      const db = centralDiff((t) => f(new Value(av), new Value(t)).data, bv);
      assertClose(a.grad, da, 1e-6, `d${name}/da at (${av}, ${bv})`);
      assertClose(b.grad, db, 1e-6, `d${name}/db at (${av}, ${bv})`);
    }
  });
}

test("a composite expression matches central differences in every input", () => {
  // f(x, y, z) = tanh(x·y + sin x) / (1 + e^y) + relu(z − x)² · σ(z) + log(x² + 1) ^ y
  const f = (x: Value, y: Value, z: Value): Value =>
    x
      .mul(y)
      .add(x.sin())
      .tanh()
      .div(y.exp().add(1))
      .add(z.sub(x).relu().pow(2).mul(z.sigmoid()))
      .add(x.pow(2).add(1).log().pow(y))
      .sub(x.cos().neg());
  const at = [0.7, -0.4, 1.9];
  const vars = at.map((v) => new Value(v));
  const out = f(vars[0] as Value, vars[1] as Value, vars[2] as Value);
  out.backward();
  for (let i = 0; i < 3; i++) {
    const numeric = centralDiff((t) => {
      const p = at.map((v, j) => new Value(j === i ? t : v));
      return f(p[0] as Value, p[1] as Value, p[2] as Value).data;
    }, at[i] as number);
    assertClose((vars[i] as Value).grad, numeric, 1e-6, `df/dx${i}`);
  }
});

test("pow follows PyTorch at a zero base and a zero exponent", () => {
  // Exponent gradient a^b·ln(a) is 0 (not NaN) when a == 0 and b >= 0.
  for (const bv of [0, 0.5, 2, 3]) {
    const a = new Value(0);
    const b = new Value(bv);
    a.pow(b).backward();
    assert.equal(b.grad, 0, `d(0^${bv})/db`);
    assert.ok(!Number.isNaN(a.grad), `d(0^${bv})/da is NaN`);
  }
  // Base gradient b·a^(b−1) is 0 (not 0·∞ = NaN) when b == 0, also at a == 0.
  const a = new Value(0);
  const y = a.pow(0);
  assert.equal(y.data, 1);
  y.backward();
  assert.equal(a.grad, 0);
  // d(a^2)/da at 0 is 0; d(a^1)/da is 1.
  const a2 = new Value(0);
  a2.pow(new Value(2)).backward();
  assert.equal(a2.grad, 0);
  const a1 = new Value(0);
  a1.pow(1).backward();
  assert.equal(a1.grad, 1);
  // A numeric exponent is a constant: it shows up as a child leaf but gets no gradient.
  const x = new Value(-2);
  const p = x.pow(3);
  assert.equal(p.children.length, 2);
  assert.equal(p.children[1]?.data, 3);
  p.backward();
  assert.equal(x.grad, 12);
  assert.equal(p.children[1]?.grad, 0);
});

test("relu gradient is 0 for negative inputs and at 0, 1 for positive", () => {
  for (const [xv, g] of [[-2, 0], [0, 0], [1e-9, 1], [4, 1]] as const) {
    const x = new Value(xv);
    const r = x.relu();
    r.backward();
    assert.equal(x.grad, g, `relu'(${xv})`);
  }
  assert.ok(Number.isNaN(new Value(NaN).relu().data));
});

// ---- op names, children, printing -------------------------------------------------------------

test("op names and children are kept on nodes", () => {
  const a = new Value(2, { label: "a" });
  const b = new Value(3);
  assert.equal(a.op, "");
  assert.deepEqual(a.children, []);
  assert.deepEqual(a.prev, []);

  const binaries: [string, Value][] = [
    ["add", a.add(b)],
    ["sub", a.sub(b)],
    ["mul", a.mul(b)],
    ["div", a.div(b)],
    ["pow", a.pow(b)],
  ];
  for (const [name, v] of binaries) {
    assert.equal(v.op, name);
    assert.equal(v.children.length, 2);
    assert.equal(v.children[0], a);
    assert.equal(v.children[1], b);
    assert.equal(v.prev[0], a);
  }
  const unaries: [string, Value][] = [
    ["neg", a.neg()],
    ["exp", a.exp()],
    ["log", a.log()],
    ["tanh", a.tanh()],
    ["sigmoid", a.sigmoid()],
    ["relu", a.relu()],
    ["sin", a.sin()],
    ["cos", a.cos()],
  ];
  for (const [name, v] of unaries) {
    assert.equal(v.op, name);
    assert.equal(v.children.length, 1);
    assert.equal(v.children[0], a);
  }
  // A number operand becomes a constant leaf child.
  const c = a.mul(4);
  assert.equal(c.op, "mul");
  assert.equal(c.children[0], a);
  assert.equal(c.children[1]?.op, "");
  assert.equal(c.children[1]?.data, 4);
  assert.equal(a.pow(2).op, "pow");
});

test("toString prints data and grad", () => {
  const x = new Value(1.5);
  assert.equal(x.toString(), "Value(data=1.5, grad=0)");
  assert.equal(`${x}`, "Value(data=1.5, grad=0)");
  const y = x.mul(2);
  y.backward();
  assert.equal(x.toString(), "Value(data=1.5, grad=2)");
  assert.equal(y.toString(), "Value(data=3, grad=1)");
});

// ---- bad input --------------------------------------------------------------------------------

test("non-finite data is allowed", () => {
  assert.ok(Number.isNaN(new Value(NaN).data));
  assert.equal(new Value(Infinity).data, Infinity);
  const x = new Value(-Infinity);
  const y = x.exp();
  assert.equal(y.data, 0);
  assert.ok(Number.isNaN(new Value(0).div(0).data));
});

test("a non-number, non-Value argument is a TypeError naming the op", () => {
  const x = new Value(1);
  const bad: unknown[] = ["2", null, undefined, {}, [1], 3n, true, new Date(0)];
  const ops = ["add", "sub", "mul", "div", "pow"] as const;
  for (const op of ops) {
    for (const arg of bad) {
      assert.throws(
        () => (x[op] as (o: unknown) => Value)(arg),
        (e: unknown) => {
          assert.ok(e instanceof TypeError, `${op}(${String(arg)}) threw ${String(e)}`);
          assert.match(e.message, new RegExp(`^Value\\.${op}: expected a number or a Value, got `));
          return true;
        },
      );
    }
  }
  assert.throws(() => x.add("2" as unknown as number), {
    name: "TypeError",
    message: 'Value.add: expected a number or a Value, got string "2"',
  });
  assert.throws(() => x.mul(null as unknown as number), {
    name: "TypeError",
    message: "Value.mul: expected a number or a Value, got null",
  });
  assert.throws(() => x.pow({} as unknown as number), {
    name: "TypeError",
    message: "Value.pow: expected a number or a Value, got an object",
  });
  assert.throws(() => new Value("1" as unknown as number), {
    name: "TypeError",
    message: 'Value: data must be a number, got string "1"',
  });
  assert.throws(() => new Value(undefined as unknown as number), TypeError);
});

// ---- a micrograd-style MLP --------------------------------------------------------------------

class Neuron {
  readonly w: Value[];
  readonly b: Value;
  constructor(
    nin: number,
    rand: () => number,
    readonly nonlin: boolean,
  ) {
    this.w = Array.from({ length: nin }, () => new Value(rand() * 2 - 1));
    this.b = new Value(0);
  }
  call(x: readonly Value[]): Value {
    // micrograd: sum((wi*xi for wi, xi in zip(w, x)), b)
    let act = this.b;
    for (let i = 0; i < this.w.length; i++) act = act.add((this.w[i] as Value).mul(x[i] as Value));
    return this.nonlin ? act.relu() : act;
  }
  parameters(): Value[] {
    return [...this.w, this.b];
  }
}

class MLP {
  readonly layers: Neuron[][];
  constructor(nin: number, nouts: number[], rand: () => number) {
    const sizes = [nin, ...nouts];
    this.layers = nouts.map((nout, i) =>
      Array.from({ length: nout }, () => new Neuron(sizes[i] as number, rand, i !== nouts.length - 1)),
    );
  }
  call(x: readonly Value[]): Value {
    let h = x;
    for (const layer of this.layers) h = layer.map((n) => n.call(h));
    return h[0] as Value;
  }
  parameters(): Value[] {
    return this.layers.flatMap((l) => l.flatMap((n) => n.parameters()));
  }
}

test("a 2-16-16-1 MLP with a hinge loss over 32 points: ~21k nodes, finite and correct gradients", () => {
  const rand = mulberry32(1337);
  const model = new MLP(2, [16, 16, 1], rand);
  const params = model.parameters();
  assert.equal(params.length, 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1); // 337

  // 32 points in [-1, 1]², labelled by the sign of x·y (an XOR-like pattern).
  const X: [number, number][] = [];
  const Y: number[] = [];
  for (let i = 0; i < 32; i++) {
    const p: [number, number] = [rand() * 2 - 1, rand() * 2 - 1];
    X.push(p);
    Y.push(p[0] * p[1] > 0 ? 1 : -1);
  }

  const lossFn = (): Value => {
    let total: Value | null = null;
    for (let i = 0; i < X.length; i++) {
      const [x0, x1] = X[i] as [number, number];
      const score = model.call([new Value(x0), new Value(x1)]);
      const li = new Value(1).sub(score.mul(Y[i] as number)).relu(); // relu(1 − y·score)
      total = total === null ? li : total.add(li);
    }
    return total as Value;
  };

  const loss = lossFn();
  const nodes = collectNodes(loss);
  // 337 params + 64 inputs + 32 × 640 network nodes (16·5 + 16·33 + 32, the output is linear)
  // + 32 × 5 loss nodes (two constants, mul, sub, relu) + 31 sums = 21,072.
  console.log(`# MLP graph: ${nodes.size} nodes, loss ${loss.data.toFixed(6)}`);
  assert.ok(nodes.size > 20_000 && nodes.size < 22_500, `node count ${nodes.size}`);
  for (const p of params) assert.ok(nodes.has(p));

  loss.backward();
  for (const n of nodes) assert.ok(Number.isFinite(n.grad), `non-finite grad on ${n.op} node`);
  assert.ok(params.some((p) => p.grad !== 0), "all parameter gradients are zero");

  // Spot-check a few parameter gradients against central differences.
  for (const idx of [0, 5, 40, 100, 200, 300, 336]) {
    const p = params[idx] as Value;
    const saved = p.data;
    const numeric = centralDiff((t) => {
      p.data = t;
      return lossFn().data;
    }, saved);
    p.data = saved;
    assertClose(p.grad, numeric, 1e-5, `dloss/dparam[${idx}]`);
  }

  // Timing (printed, never asserted): forward + backward, after a warm-up.
  const times: number[] = [];
  for (let rep = 0; rep < 40; rep++) {
    for (const p of params) p.grad = 0;
    const t0 = performance.now();
    const l = lossFn();
    l.backward();
    times.push(performance.now() - t0);
  }
  const warm = times.slice(10).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)] as number;
  console.log(
    `# MLP forward+backward (~${nodes.size} nodes): median ${median.toFixed(2)} ms, ` +
      `min ${(warm[0] as number).toFixed(2)} ms, first (cold) ${(times[0] as number).toFixed(2)} ms ` +
      `over ${warm.length} warm reps (CPython micrograd: ~411 ms)`,
  );
});

// ---- deep graphs ------------------------------------------------------------------------------

test("a one-million-node chain backpropagates without stack overflow", () => {
  const n = 1_000_000;

  let t0 = performance.now();
  const x = new Value(1);
  let v = x;
  for (let i = 0; i < n; i++) v = v.mul(1.000001);
  const tBuild = performance.now() - t0;
  t0 = performance.now();
  v.backward();
  const tBackward = performance.now() - t0;
  // d/dx (x·c^n) = c^n; the chain multiplies n rounded factors, so allow ~n ulps.
  assertClose(x.grad, Math.pow(1.000001, n), 1e-9, "mul chain");
  assertClose(v.data, Math.pow(1.000001, n), 1e-9, "mul chain forward");
  console.log(
    `# 1e6-step mul chain (${2 * n + 1} nodes): build ${tBuild.toFixed(1)} ms, backward ${tBackward.toFixed(1)} ms`,
  );

  t0 = performance.now();
  const y = new Value(1);
  let w = y;
  for (let i = 0; i < n; i++) w = w.add(1);
  w.backward();
  assert.equal(y.grad, 1);
  assert.equal(w.data, n + 1);
  w.zeroGrad();
  assert.equal(y.grad, 0);
  console.log(`# 1e6-step add chain: build + backward + zeroGrad ${(performance.now() - t0).toFixed(1)} ms`);

  // A chain through a unary op only (no constant leaves): −(−(…−z)), depth 1e6.
  const z = new Value(0.5);
  let u = z;
  for (let i = 0; i < n; i++) u = u.neg();
  u.backward();
  assert.equal(z.grad, 1); // an even number of negations
});
