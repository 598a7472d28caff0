// Param groups that apply weight decay to weight matrices only: the split transformer recipes use.
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";

/** What `weightDecayGroups` splits: a module, or `[name, parameter]` pairs. */
export type NamedParameterSource = { namedParameters(): [string, Tensor][] } | Iterable<readonly [string, Tensor]>;

/** Options of `weightDecayGroups`. */
export interface WeightDecayGroupsOptions {
  /**
   * Whether a parameter decays (default: it has 2 or more dims — matmul weights and embeddings — so
   * biases and normalisation weights do not).
   */
  decays?: (name: string, param: Tensor) => boolean;
}

/**
 * Splits the trainable parameters into two param groups, `[{ params: decayed, weightDecay }, { params:
 * rest, weightDecay: 0 }]`, as nanoGPT's `configure_optimizers` and most transformer recipes do:
 * weight decay shrinks weight matrices, while biases and LayerNorm scales keep their values. Each
 * parameter appears once (shared ones under their first name); an empty group is left out.
 * @example
 * const opt = new cr.optim.AdamW(cr.optim.weightDecayGroups(model, 0.1), { lr: 1e-3 });
 */
export function weightDecayGroups(source: NamedParameterSource, weightDecay: number, opts: WeightDecayGroupsOptions = {}): { params: Tensor[]; weightDecay: number }[] {
  if (typeof weightDecay !== "number" || !(weightDecay >= 0)) throw new ArgumentError(`weightDecayGroups: weightDecay must be a number >= 0, got ${String(weightDecay)}`);
  const decays = opts.decays ?? ((_name: string, p: Tensor) => p.ndim >= 2);
  const pairs = "namedParameters" in source && typeof source.namedParameters === "function" ? source.namedParameters() : [...(source as Iterable<readonly [string, Tensor]>)];
  const seen = new Set<Tensor>();
  const decay: Tensor[] = [];
  const rest: Tensor[] = [];
  for (const [name, p] of pairs) {
    if (!p.requiresGrad || seen.has(p)) continue;
    seen.add(p);
    (decays(name, p) ? decay : rest).push(p);
  }
  const groups = [{ params: decay, weightDecay }, { params: rest, weightDecay: 0 }].filter((g) => g.params.length > 0);
  if (groups.length === 0) throw new ArgumentError("weightDecayGroups: no trainable parameters");
  return groups;
}
