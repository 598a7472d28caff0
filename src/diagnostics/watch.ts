// `watch(model)`: per-layer gradient health (gradient norm, update/weight ratio, dead units, activations) and flags.
import { isGradEnabled } from "../autograd/grad-mode.js";
import { moduleTypeName } from "../nn/library.js";
import { Module } from "../nn/module.js";
import type { AnyModule, RemovableHandle } from "../nn/module.js";
import type { Parameter } from "../nn/parameter.js";
import { Tensor } from "../tensor/tensor.js";
import { flagsOf } from "./flags.js";
import type { Flag } from "./flags.js";
import { formatReport } from "./format.js";
import { activationStats, flatNorm, l2Distance, l2Norm, snapshot } from "./stats.js";
import type { ActivationStats } from "./stats.js";
import { resolveThresholds } from "./thresholds.js";
import type { Thresholds } from "./thresholds.js";

/** Options of `watch`. */
export interface WatchOptions {
  /** Overrides of the flag thresholds (see `Thresholds` for each one's meaning and default). */
  thresholds?: Partial<Thresholds>;
}

/** One layer's health at one `record()`. Numbers are null where they do not apply or were not available. */
export interface LayerStats {
  /** The layer's path in the model, as in `namedModules()` (`"0"`, `"blocks.2.inner.0"`); the model itself is `""`. */
  name: string;
  /** The layer's class, such as `"Linear"` or `"ReLU"`. */
  type: string;
  /** The L2 norm of the gradients of the layer's own parameters; null for a layer without parameters or gradients. */
  gradNorm: number | null;
  /** The L2 norm of the layer's own parameters. */
  weightNorm: number | null;
  /** ‖W after the step − W before‖ / ‖W before‖ (around 1e-3 is healthy); null before a training forward pass, or for all-zero weights. */
  updateRatio: number | null;
  /** Share of the output's units that are 0 for every sample of the last batch; null until the layer runs. */
  deadFraction: number | null;
  /** Mean of the layer's output in the last training forward pass. */
  activationMean: number | null;
  /** Standard deviation (population) of that output. */
  activationStd: number | null;
}

/** What `report()` returns. */
export interface HealthReport {
  /** How many times `record()` has been called. */
  step: number;
  /** One entry per leaf layer, in the model's order. */
  layers: LayerStats[];
  /** The problems found; empty for a healthy network. */
  flags: Flag[];
  /** True when there are no flags. */
  healthy: boolean;
  /** The thresholds the flags were judged by. */
  thresholds: Thresholds;
}

interface Watched {
  name: string;
  module: AnyModule;
  params: Parameter[];
  activations: ActivationStats | null;
}

/**
 * Watches a model's gradient health. It registers a forward hook on every leaf layer (activation
 * statistics and dead units of the last training batch) and a pre-hook on the model (a copy of the
 * weights before each training forward pass, for the update ratio), and reads the gradients when you
 * call `record()`. Call `record()` after `optimizer.step()` and before the next `zeroGrad()`: then the
 * gradients are the ones the step used and the weights have moved. Forward passes run under `noGrad`
 * (evaluation) are ignored, so they do not overwrite the training batch's statistics.
 *
 * Dead units are seen through layer modules: a model that calls `relu` inside its own `forward` has no
 * ReLU layer to hook, and its dead units are not counted.
 * @example
 * const w = cr.diagnostics.watch(model);
 * opt.zeroGrad(); lossFn(model.forward(x), y).backward(); opt.step();
 * w.record();
 * console.log(w.format());   // the table, and the flags with the lesson's remedies
 * w.report().flags;           // [{ kind: "vanishing", layer: "0", message, remedies }, …]
 * w.remove();
 */
export class GradientWatch {
  /** Every `record()` so far, oldest first. */
  readonly history: LayerStats[][] = [];
  /** The limits its report flags problems by. */
  readonly thresholds: Thresholds;
  readonly #layers: Watched[];
  readonly #handles: RemovableHandle[] = [];
  #before: Map<Parameter, Float64Array> | null = null;
  #removed = false;

  constructor(
    /** The model whose layers are watched. */
    readonly model: AnyModule,
    opts: WatchOptions = {},
  ) {
    if (!(model instanceof Module)) throw new TypeError(`watch: expected a cr.nn.Module, got ${model === null ? "null" : typeof model}`);
    this.thresholds = resolveThresholds(opts.thresholds);
    const leaves = model.namedModules().filter(([, m]) => m.children().length === 0);
    this.#layers = leaves.map(([name, module]) => ({ name, module, params: module.parameters(false), activations: null }));
    for (const layer of this.#layers) {
      this.#handles.push(
        layer.module.registerForwardHook((_m, _args, out) => {
          if (isGradEnabled() && out instanceof Tensor) layer.activations = activationStats(out);
        }),
      );
    }
    this.#handles.push(
      model.registerForwardPreHook(() => {
        if (!isGradEnabled()) return;
        this.#before = new Map(this.#layers.flatMap((l) => l.params.map((p): [Parameter, Float64Array] => [p, snapshot(p)])));
      }),
    );
  }

  /**
   * Reads the gradients, weights and last activations now, adds them to `history`, and returns them.
   * @example w.record(); // after optimizer.step(), before the next zeroGrad()
   */
  record(): LayerStats[] {
    this.#checkLive("record");
    const stats = this.#capture();
    this.history.push(stats);
    return stats;
  }

  /**
   * The most recent `record()` (or, before any, the gradients as they are now) with its flags.
   * A non-finite gradient at any recorded step keeps the exploding flag raised.
   * @example w.report().healthy // false when a layer's gradients vanish, explode or its units die
   */
  report(): HealthReport {
    const layers = this.history.at(-1) ?? this.#capture();
    const flags = flagsOf(layers, this.history, this.thresholds);
    return { step: this.history.length, layers, flags, healthy: flags.length === 0, thresholds: { ...this.thresholds } };
  }

  /**
   * The report as a text table followed by the flags and their remedies.
   * @example console.log(w.format()); // the per-layer table, then each flag with its remedies
   */
  format(): string {
    return formatReport(this.report());
  }

  /**
   * Removes every hook; the history and `report()` stay readable.
   * @example w.remove(); // the model runs without hooks again; w.history stays
   */
  remove(): void {
    for (const h of this.#handles) h.remove();
    this.#handles.length = 0;
    this.#removed = true;
  }

  #checkLive(op: string): void {
    if (this.#removed) throw new Error(`watch: ${op}() after remove(); start a new watch to record again`);
  }

  #capture(): LayerStats[] {
    return this.#layers.map((l) => {
      const grads = l.params.flatMap((p) => (p.grad === null ? [] : [p.grad]));
      const weightNorm = l.params.length > 0 ? l2Norm(l.params) : null;
      const before = l.params.map((p) => this.#before?.get(p));
      const complete = l.params.length > 0 && before.every((b): b is Float64Array => b !== undefined);
      // Only meaningful once a training forward pass has stored the weights the step started from.
      const beforeNorm = complete ? flatNorm(before as Float64Array[]) : 0;
      const updateRatio = complete && beforeNorm > 0 ? l2Distance(l.params, before as Float64Array[]) / beforeNorm : null;
      return {
        name: l.name,
        type: moduleTypeName(l.module),
        gradNorm: grads.length > 0 ? l2Norm(grads) : null,
        weightNorm,
        updateRatio,
        deadFraction: l.activations?.deadFraction ?? null,
        activationMean: l.activations?.mean ?? null,
        activationStd: l.activations?.std ?? null,
      };
    });
  }
}

/**
 * Starts watching `model`'s gradient health; see `GradientWatch`.
 * @example
 * const w = cr.diagnostics.watch(model, { thresholds: { vanishing: 1e-4 } });
 * // … forward, backward, opt.step() …
 * w.record();
 * if (!w.report().healthy) console.log(w.format());
 */
export function watch(model: AnyModule, opts: WatchOptions = {}): GradientWatch {
  return new GradientWatch(model, opts);
}
