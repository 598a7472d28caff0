// `cr.linalg`: PyTorch's torch.linalg in camelCase (solves and decompositions; see decompositions.ts).
export { solve, solveTriangular, inv, det, slogdet, cholesky, qr, eigh, eigvalsh, svd, svdvals } from "./decompositions.js";
export type { Named, SolveOptions, SolveTriangularOptions, CholeskyOptions, QrMode } from "./decompositions.js";
export { LinAlgError } from "../errors.js";
