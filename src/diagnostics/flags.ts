// The flags of a gradient-health report: vanishing, exploding and dead, each with the lesson's remedies.
import { REMEDIES } from "./thresholds.js";
import type { FlagKind, Thresholds } from "./thresholds.js";
import type { LayerStats } from "./watch.js";

/** One problem found in a report. */
export interface Flag {
  /** What kind of problem it is. */
  kind: FlagKind;
  /** The worst layer (the earliest for vanishing gradients). */
  layer: string;
  /** Every layer with the problem, in the model's order. */
  layers: string[];
  /** What was seen, with the numbers. */
  message: string;
  /** The lesson's remedies for this problem. */
  remedies: string[];
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

function make(kind: FlagKind, layers: string[], layer: string, message: string): Flag {
  return { kind, layer, layers, message, remedies: [...REMEDIES[kind]] };
}

/**
 * Parameter-free (activation) layers that have run. Not Dropout: it zeroes units at random in training (most of them
 * at p = 0.9 on a small batch), which is not a unit that died.
 */
function judgedForDeadUnits(l: LayerStats): boolean {
  return l.weightNorm === null && l.type !== "Dropout" && l.deadFraction !== null;
}

/** The flags raised by the latest stats (and, for non-finite gradients, by any earlier record). */
export function flagsOf(layers: readonly LayerStats[], history: readonly (readonly LayerStats[])[], t: Thresholds): Flag[] {
  const flags: Flag[] = [];
  const withGrad = layers.filter((l): l is LayerStats & { gradNorm: number } => l.gradNorm !== null);
  const last = withGrad.at(-1);

  // Exploding: Inf/NaN now or at any recorded step, an absolute norm above the cap, or growth towards the input.
  const nonFinite = withGrad.filter((l) => !Number.isFinite(l.gradNorm));
  const earlierNonFinite = history.findIndex((rec) => rec.some((l) => l.gradNorm !== null && !Number.isFinite(l.gradNorm)));
  const huge = withGrad.filter((l) => Number.isFinite(l.gradNorm) && l.gradNorm > t.maxGradNorm);
  const lastNorm = last !== undefined && Number.isFinite(last.gradNorm) ? last.gradNorm : NaN;
  const grown = lastNorm > 0 ? withGrad.filter((l) => l !== last && Number.isFinite(l.gradNorm) && l.gradNorm > t.exploding * lastNorm) : [];
  if (nonFinite.length > 0 || earlierNonFinite >= 0) {
    const names = nonFinite.map((l) => l.name);
    const where = names.length > 0 ? `layers ${names.join(", ")} have` : `record ${earlierNonFinite + 1} had`;
    flags.push(make("exploding", names, names[0] ?? "", `exploding gradients: ${where} a non-finite gradient norm (Inf or NaN); the weights are being destroyed`));
  } else if (huge.length > 0 || grown.length > 0) {
    const bad = withGrad.filter((l) => huge.includes(l) || grown.includes(l));
    const worst = bad.reduce((a, b) => (b.gradNorm > a.gradNorm ? b : a));
    const why = huge.length > 0 ? `above ${fmt(t.maxGradNorm)}` : `more than ${fmt(t.exploding)}× the last layer's (${fmt(lastNorm)})`;
    flags.push(make("exploding", bad.map((l) => l.name), worst.name, `exploding gradients: ${bad.length} layer(s) have gradient norms ${why}; the largest is ${fmt(worst.gradNorm)} at layer ${worst.name}`));
  }

  // Vanishing: early layers far below the last one (judged only where the last layer has a finite, non-zero gradient).
  // Layers in front of an activation layer that is entirely dead get no gradient at all: that is the dead flag's
  // finding, with its own remedies, not vanishing (whose remedy, "ReLU instead of sigmoid", would mislead).
  const wall = layers.findLastIndex((l) => judgedForDeadUnits(l) && l.deadFraction === 1);
  if (lastNorm > 0) {
    const small = withGrad.filter((l) => l !== last && l.gradNorm < t.vanishing * lastNorm && layers.indexOf(l) > wall);
    if (small.length > 0) {
      const first = small[0]!;
      flags.push(
        make("vanishing", small.map((l) => l.name), first.name,
          `vanishing gradients: ${small.length} layer(s) get less than ${fmt(t.vanishing)}× the last layer's gradient norm (${fmt(lastNorm)}); ` +
            `layer ${first.name} gets ${fmt(first.gradNorm)}, ${fmt(first.gradNorm / lastNorm)}× as much, so it barely learns`),
      );
    }
  }

  // Dead: parameter-free (activation) layers whose units are 0 for the whole batch.
  const dead = layers.filter((l) => judgedForDeadUnits(l) && l.deadFraction! > t.dead);
  if (dead.length > 0) {
    const worst = dead.reduce((a, b) => (b.deadFraction! > a.deadFraction! ? b : a));
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
    flags.push(
      make("dead", dead.map((l) => l.name), worst.name,
        `dead neurons: ${dead.map((l) => `${pct(l.deadFraction!)} of layer ${l.name} (${l.type})`).join(", ")}: units that output 0 for every sample of the batch, so no gradient reaches the weights feeding them`),
    );
  }
  return flags;
}
