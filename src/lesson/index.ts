// `cr.lesson`: the lesson on backpropagation as experiments — each checks one claim with chainrule and returns the numbers.
import { chainRule } from "./chain-rule.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { cost } from "./cost.js";
import { deadRelu } from "./dead-relu.js";
import { exploding } from "./exploding.js";
import { graph } from "./graph.js";
import { noGradInference } from "./no-grad.js";
import type { NoGradOptions } from "./no-grad.js";
import { optimizers } from "./optimizers.js";
import { vanishing } from "./vanishing.js";
import { forgottenZeroGrad } from "./zero-grad.js";

export { chainRule, cost, deadRelu, exploding, graph, noGradInference, optimizers, vanishing, forgottenZeroGrad };
export type { ExperimentOptions, ExperimentResult, Print } from "./common.js";
export type { ChainRuleResult } from "./chain-rule.js";
export type { GraphResult } from "./graph.js";
export type { VanishingOptions, VanishingResult, DepthResult, StackKind } from "./vanishing.js";
export type { ExplodingOptions, ExplodingResult, ExplodingRun } from "./exploding.js";
export type { DeadReluOptions, DeadReluResult, DeadReluRun } from "./dead-relu.js";
export type { CostOptions, CostResult } from "./cost.js";
export type { NoGradOptions, NoGradResult, NoGradRun } from "./no-grad.js";
export type { ZeroGradOptions, ZeroGradResult } from "./zero-grad.js";
export type { OptimizersOptions, OptimizersResult, OptimizerName } from "./optimizers.js";

/** Options every experiment of the registry accepts (the Node-only memory probes are used by "no-grad"). */
export type LessonOptions = ExperimentOptions & Pick<NoGradOptions, "memory" | "gc" | "clock" | "clockName">;

/** One experiment: its name on the command line, a title, and how to run it. */
export interface Experiment {
  /** The experiment's short name, as `chainrule lesson <name>` takes it (`"chain-rule"`). */
  name: string;
  /** A line saying what the experiment shows. */
  title: string;
  /** Runs it (seeded: the same numbers each time, timings aside) and returns its numbers. */
  run(opts?: LessonOptions): ExperimentResult;
}

/** The lesson's claims in the lesson's order. */
export const EXPERIMENTS: readonly Experiment[] = Object.freeze([
  { name: "chain-rule", title: "the chain rule, checked against finite differences", run: chainRule },
  { name: "graph", title: "the computational graph (x + y)·z and its local gradients", run: graph },
  { name: "vanishing", title: "vanishing gradients through 10/20/50 sigmoid layers vs ReLU vs residual", run: vanishing },
  { name: "exploding", title: "exploding gradients, fixed by gradient clipping", run: exploding },
  { name: "dead-relu", title: "dead ReLUs, fixed by Leaky ReLU", run: deadRelu },
  { name: "cost", title: "the backward pass costs about as much as the forward pass (measured)", run: cost },
  { name: "no-grad", title: "noGrad saves memory and time at inference (measured)", run: noGradInference },
  { name: "zero-grad", title: "the forgotten zeroGrad", run: forgottenZeroGrad },
  { name: "optimizers", title: "backprop is not gradient descent: SGD vs Adam vs RMSprop on XOR", run: optimizers },
]);

/**
 * Finds experiments by name; throws a clear error, listing the names, for an unknown one.
 * @example cr.lesson.experiment("vanishing").run({ print: console.log });
 */
export function experiment(name: string): Experiment {
  const found = EXPERIMENTS.find((e) => e.name === name);
  if (found === undefined) throw new RangeError(`lesson: unknown experiment "${name}" (expected one of ${EXPERIMENTS.map((e) => e.name).join(", ")})`);
  return found;
}

/**
 * Runs experiments (all of them by default) in the lesson's order, printing each, and returns their results.
 * @example
 * const results = cr.lesson.runLesson(["vanishing", "zero-grad"], { print: console.log });
 * results.every((r) => r.holds); // true
 */
export function runLesson(names: readonly string[] = EXPERIMENTS.map((e) => e.name), opts: LessonOptions = {}): ExperimentResult[] {
  const chosen = names.map(experiment);
  const print = opts.print;
  return chosen.map((e, i) => {
    print?.(`${i + 1}. ${e.title} [${e.name}]`);
    const r = e.run(opts);
    print?.(`   ${r.holds ? "✓" : "✗"} ${r.claim}`);
    print?.("");
    return r;
  });
}
