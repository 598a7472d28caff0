// `cr.linalg`: PyTorch's torch.linalg in camelCase. The vector and matrix norms (tensor/reductions.ts).
export { vectorNorm, matrixNorm } from "../tensor/reductions.js";
export type { MatrixNormOrd, ReduceDTypeOptions } from "../tensor/reductions.js";
// The solves and decompositions (decompositions.ts).
export { solve, solveTriangular, inv, det, slogdet, cholesky, qr, eigh, eigvalsh, svd, svdvals } from "./decompositions.js";
export type { Named, SolveOptions, SolveTriangularOptions, CholeskyOptions, QrMode } from "./decompositions.js";
export { LinAlgError } from "../errors.js";
