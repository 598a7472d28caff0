// Tensor hooks (registerHook) and module hooks (forward pre-hooks, forward hooks, full backward hooks): order and effects.
// Expected values were checked against torch 1.13 (/usr/bin/python3) unless a comment says otherwise.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";

const list = (t: cr.Tensor | null | undefined) => (t === null || t === undefined ? null : t.tolist());

test("registerHook: hooks run in registration order, each sees the previous one's result", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const log: [string, unknown][] = [];
  y.registerHook((g) => {
    log.push(["a", g.tolist()]);
    return g.add(1);
  });
  y.registerHook((g) => {
    log.push(["b", g.tolist()]);
    return g.mul(2);
  });
  y.sum().backward();
  assert.deepEqual(log, [["a", [1, 1]], ["b", [2, 2]]]);
  assert.deepEqual(x.grad!.tolist(), [8, 8]);
});

test("registerHook on a leaf: runs before accumulation; remove() stops it", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const h = x.registerHook((g) => g.mul(3));
  x.mul(2).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [6, 6]);
  h.remove();
  h.remove(); // twice is harmless
  x.grad = null;
  x.mul(2).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [2, 2]);
});

test("registerHook: a tensor used on several paths is hooked once, with the summed gradient", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  let calls = 0;
  x.registerHook(() => void calls++);
  x.mul(2).add(x.mul(3)).sum().backward();
  assert.equal(calls, 1);
  assert.deepEqual(x.grad!.tolist(), [5, 5]);
});

test("registerHook: a hook removed during backward still runs in that pass, not in the next", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const handles: { remove(): void }[] = [];
  handles.push(y.registerHook((g) => {
    handles[1]!.remove();
    return g.mul(2);
  }));
  handles.push(y.registerHook((g) => g.mul(100)));
  y.sum().backward({ retainGraph: true });
  assert.deepEqual(x.grad!.tolist(), [400, 400]);
  x.grad = null;
  y.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [4, 4]);
});

test("registerHook: retainGrad stores the gradient after every hook, whatever the order (PyTorch 2; 1.13 followed registration order)", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  y.retainGrad();
  y.registerHook((g) => g.mul(10));
  y.sum().backward();
  assert.deepEqual(y.grad!.tolist(), [10, 10]);
  assert.deepEqual(x.grad!.tolist(), [20, 20]);
});

test("registerHook: a hook changing the gradient's shape is an error naming the node; no hook on tensors without grad", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  y.registerHook((g) => g.sum());
  assert.throws(() => y.sum().backward(), (e: Error) => e instanceof cr.ShapeError && /MulBackward.*changed its shape from \[2\] to \[\]/.test(e.message));
  assert.throws(() => cr.tensor([1]).registerHook((g) => g), /registerHook: cannot register a hook on a tensor that does not require grad/);
});

test("module forward pre-hook and forward hook: order, replacement, removal", () => {
  const lin = new cr.nn.Linear(2, 1);
  const log: string[] = [];
  const pre = lin.registerForwardPreHook((_m, [x]) => {
    log.push("pre");
    return x.mul(0);
  });
  const post = lin.registerForwardHook((_m, _args, out) => {
    log.push("post");
    return out.add(100);
  });
  const out = lin.forward(cr.ones([1, 2]));
  assert.deepEqual(log, ["pre", "post"]);
  assert.ok(Math.abs(out.item() - (lin.bias!.item() + 100)) < 1e-5);
  pre.remove();
  post.remove();
  log.length = 0;
  lin.forward(cr.ones([1, 2]));
  assert.deepEqual(log, []);
});

// forward(a, k, b) = (a·k + b, a·b): several inputs (one a number), several outputs
class Two extends cr.nn.Module<[cr.Tensor, number, cr.Tensor], [cr.Tensor, cr.Tensor]> {
  forward(a: cr.Tensor, k: number, b: cr.Tensor): [cr.Tensor, cr.Tensor] {
    return [a.mul(k).add(b), a.mul(b)];
  }
}

test("full backward hook: gradInput and gradOutput for several inputs and outputs, null where none", () => {
  const m = new Two();
  const log: [unknown[], unknown[]][] = [];
  m.registerFullBackwardHook((_m, gi, go) => void log.push([gi.map(list), go.map(list)]));
  const a = cr.tensor([1, 2], { requiresGrad: true });
  const b = cr.tensor([3, 4]);
  let [s, p] = m.forward(a, 2, b);
  s.sum().add(p.mul(10).sum()).backward();
  // torch 1.13 passes zeros for b (an input that does not require grad); chainrule passes null, as the issue asks
  assert.deepEqual(log, [[[[32, 42], null, null], [[1, 1], [10, 10]]]]);
  assert.deepEqual(a.grad!.tolist(), [32, 42]);
  // only the first output used: gradOutput[1] is null
  log.length = 0;
  a.grad = null;
  [s, p] = m.forward(a, 2, b);
  s.sum().backward();
  assert.deepEqual(log, [[[[2, 2], null, null], [[1, 1], null]]]);
});

test("full backward hook: a returned gradInput replaces the gradient; hooks chain in registration order", () => {
  const m = new Two();
  const order: [string, unknown][] = [];
  m.registerFullBackwardHook((_m, gi) => {
    order.push(["h1", list(gi[0])]);
    return [gi[0]!.mul(2), null, null];
  });
  m.registerFullBackwardHook((_m, gi) => void order.push(["h2", list(gi[0])]));
  const a = cr.tensor([1, 2], { requiresGrad: true });
  m.forward(a, 2, cr.tensor([3, 4]))[0].sum().backward();
  assert.deepEqual(order, [["h1", [2, 2]], ["h2", [4, 4]]]);
  assert.deepEqual(a.grad!.tolist(), [4, 4]);
});

test("full backward hook: fires once per backward per call; inputs without grad give gradInput [null]; layers fire last to first", () => {
  const seq = new cr.nn.Sequential(new cr.nn.Linear(2, 2), new cr.nn.Tanh(), new cr.nn.Linear(2, 1));
  const fired: number[] = [];
  const seen: unknown[] = [];
  [...seq.children()].forEach((layer, i) => layer.registerFullBackwardHook((_m, gi, go) => {
    fired.push(i);
    if (i === 0) seen.push(gi.map((g) => g === null), go.length);
  }));
  seq.forward(cr.ones([1, 2])).sum().backward();
  assert.deepEqual(fired, [2, 1, 0]);
  assert.deepEqual(seen, [[true], 1]); // the first layer's input needs no gradient: gradInput is [null]
  // the same module called twice in one forward: its hook fires twice
  const lin = new cr.nn.Linear(2, 2);
  let calls = 0;
  lin.registerFullBackwardHook(() => void calls++);
  lin.forward(lin.forward(cr.ones([1, 2], { requiresGrad: true }))).sum().backward();
  assert.equal(calls, 2);
});

test("full backward hook: removal; registered hooks apply to later calls (removing after forward still fires, as in torch)", () => {
  const m = new Two();
  let calls = 0;
  const h = m.registerFullBackwardHook(() => void calls++);
  const a = cr.tensor([1, 2], { requiresGrad: true });
  const [s] = m.forward(a, 2, cr.tensor([3, 4]));
  h.remove();
  s.sum().backward();
  assert.equal(calls, 1);
  m.forward(a, 2, cr.tensor([3, 4]))[0].sum().backward();
  assert.equal(calls, 1);
});

test("full backward hook: a wrong number or shape of gradients is an error naming the module; noGrad calls are not hooked", () => {
  const m = new Two();
  m.registerFullBackwardHook((_m, gi) => [gi[0]!]);
  const a = cr.tensor([1, 2], { requiresGrad: true });
  assert.throws(() => m.forward(a, 2, cr.tensor([3, 4]))[0].sum().backward(), /Two full backward hook: returned 1 gradients, expected an array of 3/);
  const m2 = new Two();
  m2.registerFullBackwardHook(() => [cr.ones([3]), null, null]);
  assert.throws(() => m2.forward(a, 2, cr.tensor([3, 4]))[0].sum().backward(), (e: Error) => e instanceof cr.ShapeError && /gradInput\[0\] has shape \[3\]/.test(e.message));
  const out = cr.noGrad(() => m2.forward(a, 2, cr.tensor([3, 4])));
  assert.equal(out[0].requiresGrad, false);
});

test("full backward hook: works with an optimizer step and leaves results unchanged when it returns nothing", () => {
  const model = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.ReLU(), new cr.nn.Linear(4, 2));
  const x = cr.randn([5, 3], { requiresGrad: true });
  model.forward(x).pow(2).sum().backward();
  const plain = model.parameters().map((p) => p.grad!.tolist());
  const plainX = x.grad!.tolist();
  model.zeroGrad();
  x.grad = null;
  for (const layer of model.children()) layer.registerFullBackwardHook(() => undefined);
  model.forward(x).pow(2).sum().backward();
  assert.deepEqual(model.parameters().map((p) => p.grad!.tolist()), plain);
  assert.deepEqual(x.grad!.tolist(), plainX);
});

test("retainGrad follows an in-place op: .grad is the gradient of the new value (torch 1.13: y.grad 5, x.grad 30)", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  y.retainGrad();
  y.mul_(3);
  y.mul(5).sum().backward();
  assert.deepEqual(y.grad!.tolist(), [5, 5]);
  assert.deepEqual(x.grad!.tolist(), [30, 30]);
});

test("full backward hook: an in-place change to the wrapped input inside forward reaches the caller's tensor", () => {
  class AddOneInPlace extends cr.nn.Module {
    forward(x: cr.Tensor): cr.Tensor {
      return x.add_(1).mul(3);
    }
  }
  const m = new AddOneInPlace();
  let calls = 0;
  m.registerFullBackwardHook(() => void calls++);
  const w = cr.tensor([1, 2], { requiresGrad: true });
  const h = w.mul(2);
  const out = m.forward(h);
  assert.deepEqual(h.tolist(), [3, 5]);
  out.add(h).sum().backward(); // d/dw of 3(2w + 1) + (2w + 1) = 8
  assert.deepEqual(w.grad!.tolist(), [8, 8]);
  assert.equal(calls, 1);
});
