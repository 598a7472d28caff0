// Gradient-health thresholds and the lesson's remedies for each problem, in one place so reports and docs agree.

/** When `watch` raises a flag. Each can be overridden in `watch(model, { thresholds: { … } })`. */
export interface Thresholds {
  /**
   * Vanishing: a layer's gradient norm below this fraction of the last layer's (default 1e-3). Gradients
   * flow from the loss backwards, so early layers starving while late ones learn is the symptom. Layers in front of
   * an activation layer whose units are all dead get no gradient at all: that is reported as dead units, not vanishing.
   */
  vanishing: number;
  /** Exploding: a layer's gradient norm above this multiple of the last layer's (default 1e3). */
  exploding: number;
  /** Exploding: any layer's gradient norm above this absolute value (default 1e4); Inf and NaN always flag. */
  maxGradNorm: number;
  /**
   * Dead neurons: more than this share of an activation layer's units output exactly 0 for every sample
   * of the batch (default 0.5: more than half; a few dead units are normal in a trained ReLU network). Only parameter-free layers (ReLU and friends) are judged, so a zero-initialised
   * Linear is not mistaken for dead units; Dropout is not judged either (its zeros are random, not dead units).
   */
  dead: number;
}

/** The defaults, documented on `Thresholds`. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({ vanishing: 1e-3, exploding: 1e3, maxGradNorm: 1e4, dead: 0.5 });

/** The kinds of flag a report can raise. */
export type FlagKind = "vanishing" | "exploding" | "dead";

/** The lesson's table of remedies ("Problem | Symptom | Solution"), per flag. */
export const REMEDIES: Readonly<Record<FlagKind, readonly string[]>> = Object.freeze({
  vanishing: [
    "ReLU instead of sigmoid/tanh (σ' ≤ 0.25 shrinks the gradient at every layer)",
    "residual connections (cr.nn.Residual: x + f(x) passes the gradient through unchanged)",
    "normalisation (cr.nn.BatchNorm1d, cr.nn.LayerNorm)",
    "a proper initialisation (cr.nn.init.kaimingNormal_ for ReLU, xavierNormal_ for tanh)",
  ],
  exploding: [
    "gradient clipping (cr.nn.utils.clipGradNorm_(model.parameters(), 1.0) between backward and step)",
    "a proper initialisation (weights too large multiply the gradient at every layer)",
    "a lower learning rate",
    "normalisation (cr.nn.BatchNorm1d, cr.nn.LayerNorm)",
  ],
  dead: [
    "Leaky ReLU (cr.nn.LeakyReLU: a small slope below 0 keeps a gradient flowing)",
    "a lower learning rate (one large step can push a unit negative for every input)",
    "a proper initialisation (no large negative biases; Kaiming for ReLU layers)",
  ],
});

/** Checks user thresholds and fills in the defaults. */
export function resolveThresholds(user: Partial<Thresholds> | undefined): Thresholds {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...(user ?? {}) };
  for (const key of Object.keys(t) as (keyof Thresholds)[]) {
    if (!(key in DEFAULT_THRESHOLDS)) throw new TypeError(`watch: unknown threshold "${String(key)}" (expected one of ${Object.keys(DEFAULT_THRESHOLDS).join(", ")})`);
    const v = t[key];
    if (typeof v !== "number" || !(v > 0)) throw new RangeError(`watch: threshold ${key} must be a positive number, got ${String(v)}`);
  }
  if (t.dead > 1) throw new RangeError(`watch: threshold dead is a fraction of units, in (0, 1], got ${t.dead}`);
  return t;
}
