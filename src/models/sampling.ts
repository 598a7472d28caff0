// Choosing the next token from a row of logits: temperature, top-k and nucleus (top-p) filtering, then a
// draw from the softmax (or the arg-max at temperature 0), on the host with chainrule's seeded generator.
import { ArgumentError } from "../errors.js";
import { defaultGenerator } from "../random.js";
import type { Generator } from "../random.js";

/** How the next token is chosen from the logits. */
export interface SamplingOptions {
  /** Divides the logits (default 1): below 1 sharper, above 1 flatter; 0 takes the most likely token (greedy). */
  temperature?: number;
  /** Keep only the k most likely tokens (ties with the k-th kept, as PyTorch's topk mask); null or 0 for all. */
  topK?: number | null;
  /** Keep the smallest set of most likely tokens whose probabilities sum to at least p (nucleus sampling); null or 1 for all. */
  topP?: number | null;
  /** The random numbers (default: the default generator, seeded by `cr.manualSeed`). */
  generator?: Generator;
}

/** Throws unless the sampling options are in range. */
export function checkSampling(op: string, o: SamplingOptions): void {
  const { temperature = 1, topK = null, topP = null } = o;
  if (typeof temperature !== "number" || !(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new ArgumentError(`${op}: temperature must be a finite number >= 0, got ${String(temperature)}`);
  }
  if (topK !== null && (!Number.isInteger(topK) || topK < 0)) throw new ArgumentError(`${op}: topK must be a positive integer, got ${String(topK)}`);
  if (topP !== null && (typeof topP !== "number" || !(topP > 0 && topP <= 1))) throw new ArgumentError(`${op}: topP must be in (0, 1], got ${String(topP)}`);
}

/**
 * The index of the next token given one row of logits, by the options' temperature, top-k and top-p
 * (applied in that order, as Hugging Face's generate does).
 * @example sampleToken(new Float64Array([0.1, 2.5, -1]), { temperature: 0 }) // 1
 */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions = {}): number {
  const { temperature = 1, topK = null, topP = null } = opts;
  const n = logits.length;
  if (n === 0) throw new ArgumentError("sampleToken: no logits to choose from");
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = logits[i]! / temperature;
  if (topK !== null && topK > 0 && topK < n) {
    const kth = [...z].sort((a, b) => b - a)[topK - 1]!;
    for (let i = 0; i < n; i++) if (z[i]! < kth) z[i] = -Infinity;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (z[i]! > max) max = z[i]!;
  if (max === -Infinity || Number.isNaN(max)) throw new ArgumentError("sampleToken: the logits have no finite maximum (all -Infinity or NaN)");
  const p = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    p[i] = Math.exp(z[i]! - max);
    total += p[i]!;
  }
  if (topP !== null && topP < 1) {
    const order = [...p.keys()].sort((a, b) => p[b]! - p[a]!);
    // A token stays while the mass of the tokens before it is below topP: the most likely one always stays.
    let before = 0;
    let kept = 0;
    for (const i of order) {
      const pi = p[i]!;
      if (before >= topP * total) p[i] = 0;
      else kept += pi;
      before += pi;
    }
    total = kept;
  }
  const u = (opts.generator ?? defaultGenerator).uniform() * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (p[i]! === 0) continue;
    acc += p[i]!;
    last = i;
    if (u < acc) return i;
  }
  return last; // u within rounding of the total
}
