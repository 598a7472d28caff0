// What views cost in chainrule's design (a view keeps a buffer of its own over its root's memory; in-place writes
// scatter back; a stale view refills when read): microseconds per operation on a [n, n] float32 tensor.
//   node --conditions=chainrule-source --import tsx tools/bench-views.ts [n=512] [backend=wasm]
import * as cr from "chainrule";

const n = Number(process.argv[2] ?? 512);
cr.setBackend(process.argv[3] ?? "wasm");

// The median of 7 batches of 30 calls: the machine this was written on was shared and loaded.
function time(label: string, fn: () => void, reps = 30): void {
  for (let i = 0; i < 10; i++) cr.tidy(fn);
  const batches: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) cr.tidy(fn);
    batches.push(((performance.now() - t0) * 1000) / reps);
  }
  batches.sort((x, y) => x - y);
  console.log(`${label.padEnd(58)} ${batches[3]!.toFixed(1).padStart(9)} µs`);
}

const base = cr.keep(cr.randn([n, n]));
console.log(`${cr.getBackend()}, [${n}, ${n}] float32`);
time("reshape (shares the buffer)", () => void base.reshape([n * n]));
time("narrow(0, 0, n/2) (a view with its own copy)", () => void base.narrow(0, 0, n / 2));
time("transpose (a view with its own copy)", () => void base.t());
time("clone of the half (the copy a view makes)", () => void base.narrow(0, 0, n / 2).clone());
const half = cr.keep(cr.zeros([n / 2, n]));
const full = cr.keep(cr.zeros([n, n]));
time("mul_(1) on a standalone [n/2, n] tensor", () => void half.mul_(1));
time("mul_(1) on a standalone [n, n] tensor", () => void full.mul_(1));
time("mul_(1) through narrow(0, 0, n/2) (view, write, scatter back)", () => void base.narrow(0, 0, n / 2).mul_(1));
time("mul_(1) through t() (view, write, strided scatter back)", () => void base.t().mul_(1));
const view = cr.keep(base.narrow(0, 0, n / 2));
time("base.mul_(1), then the stale half view read (refill)", () => {
  base.mul_(1);
  void view.sum();
});
time("base.mul_(1), then the base read", () => {
  base.mul_(1);
  void base.sum();
});
const bt = cr.keep(base.t().clone());
time("matmul [n, n] @ [n, n]ᵀ via t() (the view copy included)", () => void base.matmul(base.t()));
time("matmul [n, n] @ [n, n] (a contiguous operand)", () => void base.matmul(bt));
