// `cr.nn.utils`: gradient clipping, where PyTorch keeps it (torch.nn.utils); the code lives with the optimizers.
export { clipGradNorm_, clipGradValue_ } from "../optim/clip.js";
export type { ClipGradNormOptions } from "../optim/clip.js";
