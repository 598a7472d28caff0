// `cr.linalg`: PyTorch's torch.linalg in camelCase. The vector and matrix norms.
export { vectorNorm, matrixNorm } from "../tensor/reductions.js";
export type { MatrixNormOrd, ReduceDTypeOptions } from "../tensor/reductions.js";
