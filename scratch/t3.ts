import * as cr from "../src/index.js";
for (const b of ["cpu", "wasm"]) {
  cr.setBackend(b);
  const e = cr.zeros([0, 3]);
  console.log(b, e.max(1).shape, e.min(1).shape, e.softmax(1).shape, e.softmax(0).shape, e.logsumexp(1).shape, e.logsumexp(0).tolist(), e.var().item(), e.var(0).tolist(), e.argmax(1).shape, e.amax(1).shape, e.logSoftmax(1).shape);
  try { e.max(0); } catch (err) { console.log(String(err)); }
  try { e.max(); } catch (err) { console.log(String(err)); }
  console.log(cr.tensor([1, 2]).var(undefined, { correction: 5 }).item());
  const x = cr.tensor([1, 1, 1], { dtype: "float64", requiresGrad: true });
  x.std().backward();
  console.log(x.grad!.tolist());
  const y = cr.tensor([NaN, 1, NaN], { requiresGrad: true });
  y.max().backward(); console.log(y.grad!.tolist());
}
