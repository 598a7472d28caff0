// Helpers that chainrule's own packages (@chainrule/cli) share with the core, exported as "chainrule/internal".
// Not part of the public API: they may change in any release.
export { isDecimal, parseDecimal, parseFloat32Decimal } from "./data/decimal.js";
export { writeFileAtomic } from "./io/atomic-write.js";
