import * as cr from "../src/index.js";
import { sort, topk, kthvalue, unique } from "../src/tensor/sorting.js";
import { prod, median, vectorNorm, matrixNorm, norm } from "../src/tensor/reductions.js";
import { scatter, scatterReduce, indexCopy, indexFill } from "../src/tensor/scatter.js";
const t = cr.tensor([2, 1, 2, 1, 2, 3, 1]);
console.log(sort(t).values.tolist(), sort(t).indices.tolist(), sort(t, { descending: true }).indices.tolist());
console.log(topk(t, 3).values.tolist(), kthvalue(t, 2).indices.tolist());
const [u, inv, cnt] = unique(cr.tensor([1, NaN, 2, NaN, 1]), { returnInverse: true, returnCounts: true });
console.log(u.tolist(), inv.tolist(), cnt.tolist());
const m = cr.tensor([[1, 2], [3, 4], [1, 2]]);
console.log(unique(m, { dim: 0, returnInverse: true }).map((x) => x.tolist()));
console.log(prod(cr.tensor([[1, 2], [3, 4]]), 1).tolist(), prod(cr.tensor([1, 2, 3])).item());
console.log(median(cr.tensor([3, 1, 2, 4])).item(), median(cr.tensor([[2, 1, 2, 1]]), 1).indices.tolist());
console.log(vectorNorm(cr.tensor([3, 4])).item(), matrixNorm(cr.tensor([[1, -2], [3, 4]]), 1).item(), norm(cr.tensor([3, 4]), Infinity).item());
console.log(scatter(cr.zeros([3]), 0, cr.tensor([2, 0], { dtype: "int32" }), cr.tensor([5, 6])).tolist());
console.log(scatterReduce(cr.zeros([2]), 0, cr.tensor([0, 0, 1], { dtype: "int32" }), cr.tensor([1, 2, 3]), "amax").tolist());
console.log(indexCopy(cr.zeros([3, 2]), 0, cr.tensor([2, 0], { dtype: "int32" }), cr.ones([2, 2])).tolist());
console.log(indexFill(cr.ones([2, 3]), 1, cr.tensor([0, 2], { dtype: "int32" }), -1).tolist());
const x = cr.randn([4, 5], { dtype: "float64", requiresGrad: true });
const idx = cr.tensor([[0, 1, 0], [2, 2, 1]], { dtype: "int32" });
for (const r of ["sum", "prod", "mean", "amax", "amin"] as const) for (const inc of [true, false]) {
  const s = cr.randn([2, 3], { dtype: "float64", requiresGrad: true });
  console.log(r, inc, cr.autograd.gradcheck((a: cr.Tensor, b: cr.Tensor) => scatterReduce(a, 0, idx, b, r, { includeSelf: inc }), [x, s]));
}
console.log(cr.autograd.gradcheck((a: cr.Tensor) => prod(a, 1), [cr.tensor([[1, 0, 2], [0, 0, 3], [1, 2, 3]], { dtype: "float64", requiresGrad: true })]));
console.log(cr.autograd.gradcheck((a: cr.Tensor) => vectorNorm(a, 3, 1), [x]), cr.autograd.gradcheck((a: cr.Tensor) => vectorNorm(a, 0.5, 1), [x]), cr.autograd.gradcheck((a: cr.Tensor) => vectorNorm(a, Infinity, 1), [x]));
console.log(cr.autograd.gradgradcheck((a: cr.Tensor) => vectorNorm(a, 3, 1), [x]), cr.autograd.gradgradcheck((a: cr.Tensor) => prod(a, 1), [x]));
