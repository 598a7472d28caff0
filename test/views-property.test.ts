// A standing defence for views (issue 22): random chains of view ops and in-place writes on random tensors, checked
// against a reference that keeps one plain array for the memory and, for each view, the positions of its elements
// in it (found by running the same view op on a tensor of positions). After every step every live tensor must read
// exactly its positions of the reference memory.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import * as cr from "chainrule";

interface Live {
  t: cr.Tensor;
  positions: number[];
  broadcast: boolean; // made by expand: several elements are one in memory
}

type ViewOp = (t: cr.Tensor, r: number[]) => cr.Tensor | null;

const pick = (r: number, n: number) => Math.floor(r * n) % Math.max(n, 1);

// Each view op from random numbers in [0, 1), or null where the tensor's shape does not allow it.
const VIEW_OPS: Record<string, ViewOp> = {
  narrow: (t, [a, b, c]) => {
    if (t.ndim === 0) return null;
    const d = pick(a!, t.ndim), n = t.shape[d]!, start = pick(b!, n + 1);
    return t.narrow(d, start, pick(c!, n - start + 1));
  },
  select: (t, [a, b]) => (t.ndim === 0 || t.shape.some((s) => s === 0) ? null : t.select(pick(a!, t.ndim), pick(b!, t.shape[pick(a!, t.ndim)]!))),
  slice: (t, [a, b, c]) => (t.ndim === 0 ? null : t.slice(pick(a!, t.ndim), pick(b!, 3) - 1, null, 1 + pick(c!, 3))),
  transpose: (t, [a, b]) => (t.ndim < 2 ? null : t.transpose(pick(a!, t.ndim), pick(b!, t.ndim))),
  permute: (t, [a]) => (t.ndim === 0 ? null : t.permute(t.shape.map((_, i) => (i + pick(a!, t.ndim)) % t.ndim))),
  unsqueeze: (t, [a]) => (t.ndim >= 4 ? null : t.unsqueeze(pick(a!, t.ndim + 1))),
  squeeze: (t) => t.squeeze(),
  diagonal: (t, [a]) => (t.ndim < 2 ? null : t.diagonal({ offset: pick(a!, 3) - 1 })),
  unfold: (t, [a, b]) => {
    if (t.ndim === 0) return null;
    const d = pick(a!, t.ndim), size = 1 + pick(b!, Math.max(1, t.shape[d]!));
    return size > t.shape[d]! ? null : t.unfold(d, size, size); // windows that do not overlap
  },
  index: (t, [a, b]) => (t.ndim === 0 || t.shape[0] === 0 ? null : t.index(pick(a!, t.shape[0]!), "...", { start: pick(b!, 2) }, null).squeeze(-1)),
  expand: (t, [a]) => (t.ndim >= 3 ? null : t.unsqueeze(0).expand([1 + pick(a!, 3), ...t.shape])),
  chunk: (t, [a, b]) => (t.ndim === 0 || t.shape[0] === 0 ? null : cr.noGrad(() => t.chunk(1 + pick(a!, 3), 0))[pick(b!, 1)]!),
};
const OPS = Object.keys(VIEW_OPS);

const action = fc.record({ kind: fc.constantFrom("view", "view", "write", "writeRoot"), which: fc.nat(), r: fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 4, maxLength: 4 }), value: fc.integer({ min: -3, max: 3 }) });

interface Action {
  kind: string;
  which: number;
  r: number[];
  value: number;
}

function run(backend: string, shape: number[], actions: Action[]): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const memory = Array.from({ length: n }, (_, i) => i + 1);
  const root = cr.tensor(memory, { dtype: "float64" }).reshape(shape);
  const ids = cr.arange(n, { dtype: "float64" }).reshape(shape);
  const live: (Live & { ids: cr.Tensor })[] = [{ t: root, positions: memory.map((_, i) => i), broadcast: false, ids }];
  const check = (where: string) => {
    for (const v of live) {
      const actual = Array.from(v.t.toTypedArray());
      assert.deepEqual(actual, v.positions.map((p) => memory[p]!), `${backend}: ${where}: a view of shape [${v.t.shape}] reads stale or wrong elements`);
    }
  };
  for (const [step, a] of actions.entries()) {
    const target = live[a.which % live.length]!;
    if (a.kind === "view") {
      const name = OPS[pick(a.r[3]!, OPS.length)]!;
      const view = VIEW_OPS[name]!(target.t, a.r);
      if (view === null) continue;
      const viewIds = VIEW_OPS[name]!(target.ids, a.r)!;
      const broadcast = target.broadcast || name === "expand";
      live.push({ t: view, ids: viewIds, positions: Array.from(viewIds.toTypedArray()), broadcast });
    } else {
      const v = a.kind === "writeRoot" ? live[0]! : target;
      if (v.broadcast && v.t.numel() > new Set(v.positions).size) {
        assert.throws(() => v.t.add_(a.value), /more than one element of the written-to tensor/);
      } else {
        v.t.mul_(2).add_(a.value);
        for (const p of new Set(v.positions)) memory[p] = memory[p]! * 2 + a.value;
      }
    }
    check(`step ${step} (${a.kind})`);
  }
}

for (const backend of ["cpu", "wasm"]) {
  test(`random chains of views and in-place writes read what a plain memory model reads (${backend})`, () => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.array(action, { minLength: 1, maxLength: 12 }), (shape, actions) =>
          run(backend, shape, actions),
        ),
        { numRuns: 60, seed: 22 },
      );
    } finally {
      cr.setBackend(previous);
    }
  });
}
