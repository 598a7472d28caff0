import * as cr from "../src/index.js";
const x = cr.tensor([1, 1, 1], { dtype: "float64", requiresGrad: true });
x.std().backward();
console.log(x.grad!.tolist());
