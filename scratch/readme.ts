import * as cr from "../src/index.js";

const x = cr.arange(24).reshape([2, 3, 4]).float().requiresGrad_(true);
// x[1, ::2, None, [3, 0]]: an integer, a slice with a step, a new axis, an index list (int32 tensors work too).
const picked = x.index(1, { step: 2 }, null, [3, 0]);
console.log(picked.shape); // [ 2, 1, 2 ]
// Writes: x[mask] = 0 out of place (indexPut_ writes in place, { accumulate: true } adds).
const cleared = x.indexPut([x.gt(20)], 0);
console.log(cleared.sum().item()); // 210
const { values, indices } = x.sort({ dim: -1, descending: true });
console.log(indices.index(0, 0).tolist()); // [ 3, 2, 1, 0 ]
values.sum().add(picked.sum()).backward();
console.log(x.grad!.index(1, 0).tolist()); // [ 2, 1, 1, 2 ]
