// chainrule's side of W1–W4, one function per workload, written with the public API only (also used by test/bench.test.ts).
import * as cr from "chainrule";
import { W2, w1Problem, w2Problem, w4Problem } from "../lib/data.mjs";

export { CANDIDATE_BACKENDS } from "../lib/data.mjs";

/**
 * Selects `name` if chainrule registers it; returns an error message otherwise. A backend that
 * needs asynchronous start-up may expose `cr.ready()` / `cr.initBackend()`: awaited when present.
 */
export async function useBackend(name) {
  try {
    const init = cr.initBackend ?? cr.ready;
    if (typeof init === "function" && name !== "cpu") await init(name);
    cr.setBackend(name);
    return null;
  } catch (e) {
    return String(e?.message ?? e);
  }
}

/** W1: `C = A @ B` for N×N float32 matrices, C read back to a Float32Array. */
export function matmulWorkload(n) {
  const { a, b } = w1Problem(n);
  const A = cr.tensor(a).reshape([n, n]);
  const B = cr.tensor(b).reshape([n, n]);
  // In a scope, as a loop of products should be: outside one, each 4 MiB result waits for the garbage collector,
  // and a long enough run fills the wasm heap (then every later tensor lands in JavaScript memory).
  return () => cr.tidy(() => cr.matmul(A, B).toTypedArray());
}

/**
 * Copies an [in, out] (x·W) weight into a Linear's [out, in] weight without recording a graph. In a scope,
 * as the steps are: the weight's temporary copies are freed when it ends, not when the GC gets to them.
 */
function loadLinear(layer, w, fanIn, fanOut) {
  cr.tidy(() =>
    cr.noGrad(() => {
      layer.weight.copy_(cr.tensor(w).reshape([fanIn, fanOut]).t());
      layer.bias.zero_();
    }),
  );
}

/** W2: one Adam step of the 784-256-256-10 ReLU MLP on one batch; `step()` returns the loss read back. */
export function mlpWorkload({ graph = false } = {}) {
  const { inputs, hidden, classes, batch, lr, betas, eps } = W2;
  const { weights, x, y } = w2Problem();
  const l1 = new cr.nn.Linear(inputs, hidden);
  const l2 = new cr.nn.Linear(hidden, hidden);
  const l3 = new cr.nn.Linear(hidden, classes);
  loadLinear(l1, weights.W1, inputs, hidden);
  loadLinear(l2, weights.W2, hidden, hidden);
  loadLinear(l3, weights.W3, hidden, classes);
  const model = new cr.nn.Sequential(l1, new cr.nn.ReLU(), l2, new cr.nn.ReLU(), l3);
  const optimizer = new cr.optim.Adam(model.parameters(), { lr, betas, eps });
  const X = cr.keep(cr.tensor(x).reshape([batch, inputs]));
  const Y = cr.keep(cr.tensor(y));
  const body = () => {
    optimizer.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(X), Y);
    loss.backward();
    optimizer.step();
    return loss;
  };
  if (graph) {
    // The step recorded once by cr.captureGraph (its first call) and replayed after: the kernels alone, as
    // jax-js's jit runs a traced step. Same numbers as the eager step, to the bit.
    let captured;
    return {
      step: () => {
        if (captured === undefined) captured = cr.captureGraph(body);
        else captured.replay();
        return captured.output.item();
      },
      /** The captured graph, once the first step has recorded it (tools/replay-profile.ts reads it). */
      get graph() {
        return captured;
      },
    };
  }
  // A scope per step (cr.tidy), as a training loop is written: the step's tensors are freed when it ends.
  return { step: () => cr.tidy(() => body().item()) };
}

/** A micrograd-style neuron: `relu(b + Σ wᵢxᵢ)`, or linear for the output layer. */
function neuron(fanIn, linear, next) {
  const w = Array.from({ length: fanIn }, () => new cr.Value(next() * 2 - 1));
  const b = new cr.Value(0);
  return {
    params: [...w, b],
    call(xs) {
      let act = b; // micrograd's sum(..., self.b) starts from the bias
      for (let i = 0; i < fanIn; i++) act = act.add(w[i].mul(xs[i]));
      return linear ? act : act.relu();
    },
  };
}

/**
 * W3: a 2-16-16-1 MLP of `cr.Value`s over 32 points and the summed hinge loss
 * `Σ relu(1 − y·score)`, built the way micrograd's demo builds it (so the graph has 21,074 nodes).
 * `run()` builds the graph and backpropagates, returning the loss node.
 */
export function scalarWorkload() {
  let seed = 7;
  const next = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const sizes = [2, 16, 16, 1];
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    layers.push(Array.from({ length: sizes[l + 1] }, () => neuron(sizes[l], l + 2 === sizes.length, next)));
  }
  const params = layers.flat().flatMap((n) => n.params);
  const points = Array.from({ length: 32 }, () => [next() * 2 - 1, next() * 2 - 1]);
  const targets = points.map(([p, q]) => (p * q > 0 ? 1 : -1));
  const forward = () => {
    let total = new cr.Value(0); // Python's sum() starts from 0
    for (let i = 0; i < points.length; i++) {
      let h = points[i].map((v) => new cr.Value(v));
      for (const layer of layers) h = layer.map((n) => n.call(h));
      const margin = new cr.Value(1).add(h[0].mul(-targets[i])); // micrograd's 1 + -yᵢ·scoreᵢ
      total = total.add(margin.relu());
    }
    return total;
  };
  return {
    params,
    run() {
      for (const p of params) p.grad = 0;
      const loss = forward();
      loss.backward();
      return loss;
    },
  };
}

/** The number of distinct nodes reachable from `root` (iterative: the graph is 21k nodes deep in places). */
export function countNodes(root) {
  const seen = new Set([root]);
  const stack = [root];
  while (stack.length > 0) {
    for (const child of stack.pop().children) {
      if (!seen.has(child)) {
        seen.add(child);
        stack.push(child);
      }
    }
  }
  return seen.size;
}

/**
 * W4: `sum(relu(x·w + b))` and its backward for x, w (10⁶ each) and scalar b, as PyTorch's side times it:
 * `run()` leaves the gradients computed in `.grad` (`cr.realize`: the wasm backend defers large elementwise
 * chains until read, and computes the two gradients in one loop); `grads()` reads them back, outside the timing. The JavaScript peers read theirs back
 * inside it, since reading is what makes them compute.
 */
export function elementwiseWorkload(length) {
  const problem = w4Problem(length);
  const x = cr.tensor(problem.x, { requiresGrad: true });
  const w = cr.tensor(problem.w, { requiresGrad: true });
  const b = cr.tensor(problem.b, { requiresGrad: true });
  return {
    problem,
    run: () => cr.tidy(() => {
      x.grad = null;
      w.grad = null;
      b.grad = null;
      cr.relu(x.mul(w).add(b)).sum().backward();
      cr.realize(x.grad, w.grad, b.grad);
    }),
    grads: () => ({ gx: x.grad.toTypedArray(), gw: w.grad.toTypedArray(), gb: b.grad.item() }),
  };
}
