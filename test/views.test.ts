// Views share memory as PyTorch's do: every sequence of view ops, in-place ops and backward that
// tools/gen_torch_view_fixtures.py ran in PyTorch 1.13 (test/fixtures/torch-views.json) is replayed here on cpu and
// wasm, comparing every named tensor's values and requiresGrad after each step, the errors, and the leaves' gradients.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as cr from "chainrule";

type Arg = number | null | string | number[] | { ref: string } | { t: cr.NestedList } | { slice: (number | null)[] } | Record<string, number>;
type Step = [string | null, string | null, string, ...Arg[]];
interface Expected {
  error?: string;
  values: Record<string, cr.NestedList | number>;
  requiresGrad: Record<string, boolean>;
  grads?: Record<string, cr.NestedList | number | null>;
}
interface Case {
  name: string;
  steps: Step[];
  expected: Expected[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-views.json", import.meta.url), "utf8")) as { cases: Case[] };

const ERRORS: Record<string, RegExp> = {
  "view-of-leaf": /a view .* of a leaf tensor that requires grad .* cannot be modified in place/,
  leaf: /a leaf tensor that requires grad .* cannot be modified in place/,
  version: /was modified by an in-place operation/,
  overlap: /more than one element of the written-to tensor .* refers to a single memory location/,
  "multi-view": /one of several outputs of split, chunk or unbind/,
  "no-grad-view": /was made inside noGrad and is being modified in place while gradients are recorded/,
};

function indexItem(i: Arg): cr.IndexItem {
  if (Array.isArray(i)) return cr.tensor(i, { dtype: "int32" });
  if (i !== null && typeof i === "object" && "slice" in i) {
    const [start, stop, step] = i.slice as (number | null)[];
    return { start: start ?? undefined, stop: stop ?? undefined, step: step ?? undefined };
  }
  return i as cr.IndexItem;
}

function call(env: Map<string, cr.Tensor>, t: cr.Tensor | undefined, method: string, args: Arg[]): cr.Tensor | undefined {
  const a = args.map((x) => {
    if (x !== null && typeof x === "object" && "ref" in x) return env.get(x.ref as string)!;
    if (x !== null && typeof x === "object" && "t" in x) return cr.tensor(x.t as cr.NestedList, { dtype: "float64" });
    return x;
  });
  const n = (i: number) => a[i] as number;
  switch (method) {
    case "leaf": return cr.tensor(a[0] as cr.NestedList, { dtype: "float64", requiresGrad: true });
    case "const": return cr.tensor(a[0] as cr.NestedList, { dtype: "float64" });
    case "backward": t!.backward(); return undefined;
    case "narrow": return t!.narrow(n(0), n(1), n(2));
    case "select": return t!.select(n(0), n(1));
    case "slice": return t!.slice(n(0), n(1), n(2), n(3));
    case "reshape": return t!.reshape(a[0] as number[]);
    case "view": return t!.view(a[0] as number[]);
    case "transpose": return t!.transpose(n(0), n(1));
    case "t": return t!.t();
    case "mT": return t!.mT;
    case "permute": return t!.permute(a[0] as number[]);
    case "expand": return t!.expand(a[0] as number[]);
    case "squeeze": return t!.squeeze(n(0));
    case "unsqueeze": return t!.unsqueeze(n(0));
    case "diagonal": return t!.diagonal(a[0] as cr.DiagonalOptions);
    case "unfold": return t!.unfold(n(0), n(1), n(2));
    case "movedim": return t!.movedim(n(0), n(1));
    case "swapaxes": return t!.swapaxes(n(0), n(1));
    case "flatten": return t!.flatten();
    case "unflatten": return t!.unflatten(n(0), a[1] as number[]);
    case "asStrided": return t!.asStrided(a[0] as number[], a[1] as number[], n(2));
    case "split": return t!.split(n(0), n(1))[n(2)];
    case "chunk": return t!.chunk(n(0), n(1))[n(2)];
    case "unbind": return t!.unbind(n(0))[n(1)];
    case "index": return t!.index(...args.map(indexItem));
    case "clamp_": return t!.clamp_(n(0), n(1));
    case "nograd": return cr.noGrad(() => call(env, t, a[0] as string, args.slice(1)));
    case "copy_": return t!.copy_(a[0] as cr.Tensor);
    default: {
      const fn = (t as unknown as Record<string, (...xs: unknown[]) => cr.Tensor>)[method];
      assert.ok(typeof fn === "function", `no method ${method}`);
      return fn.apply(t, a);
    }
  }
}

function close(actual: unknown, expected: unknown, where: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${where}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
    expected.forEach((e, i) => close((actual as unknown[])[i], e, where));
    return;
  }
  const a = actual as number, e = expected as number;
  assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${where}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

function replay(c: Case): void {
  const env = new Map<string, cr.Tensor>();
  c.steps.forEach((step, i) => {
    const [out, target, method, ...args] = step;
    const expected = c.expected[i]!;
    const where = `${c.name}, step ${i} (${method})`;
    const grads = () => new Map([...env].map(([name, t]) => [name, t.grad?.tolist() ?? null]));
    const before = grads();
    let error: unknown = null;
    try {
      const result = call(env, target === null ? undefined : env.get(target), method, args);
      if (out !== null) env.set(out, result!);
    } catch (e) {
      error = e;
    }
    if (expected.error === undefined) assert.equal(error, null, `${where}: ${String(error)}`);
    else {
      assert.ok(error instanceof Error, `${where}: expected the ${expected.error} error, nothing was thrown`);
      assert.match(error.message, ERRORS[expected.error]!, where);
      assert.deepEqual(grads(), before, `${where}: a failing step accumulated nothing`);
    }
    for (const [name, values] of Object.entries(expected.values)) close(env.get(name)!.tolist(), values, `${where}: ${name}`);
    for (const [name, flag] of Object.entries(expected.requiresGrad)) assert.equal(env.get(name)!.requiresGrad, flag, `${where}: ${name}.requiresGrad`);
    for (const [name, g] of Object.entries(expected.grads ?? {})) {
      const actual = env.get(name)!.grad;
      if (g === null) assert.equal(actual, null, `${where}: ${name}.grad`);
      else close(actual?.tolist(), g, `${where}: ${name}.grad`);
    }
  });
}

for (const backend of ["cpu", "wasm"]) {
  test(`views behave as PyTorch's on ${backend}: ${fixture.cases.length} sequences of views, in-place ops and backward`, () => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      for (const c of fixture.cases) replay(c);
    } finally {
      cr.setBackend(previous);
    }
  });
}

test("after a write through a view the base's history is CopySlices and the view's a strided view of it (torch: same names)", () => {
  const a = cr.tensor([1, 2, 3, 4], { requiresGrad: true, dtype: "float64" });
  const b = a.mul(1);
  const v = b.narrow(0, 1, 2);
  assert.equal(v.gradFn!.name, "SliceBackward");
  v.mul_(3);
  assert.equal(b.gradFn!.name, "CopySlices");
  assert.equal(v.gradFn!.name, "AsStridedBackward");
  assert.equal(v.isLeaf, false);
});

test("views share their base's version counter: a write through either is seen by saved tensors of both", () => {
  const b = cr.tensor([1, 2, 3, 4]);
  const v = b.t().narrow(0, 1, 2);
  const before = b._version.value;
  v.add_(1);
  assert.equal(b._version.value, before + 1);
  assert.equal(v._version, b._version);
  assert.equal(b.flip(0)._version === b._version, false, "flip copies, as PyTorch's");
});

test("asStrided takes PyTorch's storage strides, and refuses a view whose elements are not its memory in order", () => {
  const x = cr.arange(6, { dtype: "float64" });
  const v = x.asStrided([2, 2], [3, 1], 1);
  assert.deepEqual(v.tolist(), [[1, 2], [4, 5]]);
  v.fill_(0);
  assert.deepEqual(x.tolist(), [0, 0, 0, 3, 0, 0]);
  assert.throws(() => x.asStrided([3], [3], 1), /asStrided: size \[3\], stride \[3\] and offset 1 reach past the 6 elements/);
  assert.throws(() => x.reshape([2, 3]).t().asStrided([2], [1]), /asStrided: the tensor \(shape \[3,2\]\) is a view/);
});

test("a reshape a view cannot make without moving elements is a copy, as PyTorch's reshape", () => {
  const b = cr.arange(6, { dtype: "float64" }).reshape([2, 3]);
  const flat = b.t().reshape([6]); // not viewable: a copy
  flat.fill_(-1);
  assert.deepEqual(b.tolist(), [[0, 1, 2], [3, 4, 5]]);
  const rows = b.narrow(0, 1, 1).reshape([3]); // viewable: a view
  rows.fill_(9);
  assert.deepEqual(b.tolist(), [[0, 1, 2], [9, 9, 9]]);
});
