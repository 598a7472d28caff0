// `cr.diagnostics`: gradient health, per layer — vanishing and exploding gradients, dead units, update ratios.
export { watch, GradientWatch } from "./watch.js";
export type { WatchOptions, LayerStats, HealthReport } from "./watch.js";
export type { Flag } from "./flags.js";
export { DEFAULT_THRESHOLDS, REMEDIES } from "./thresholds.js";
export type { Thresholds, FlagKind } from "./thresholds.js";
export { formatReport } from "./format.js";
