// captureGraph: a function of tensors (a training step) recorded once and replayed, as PyTorch's CUDA graphs
// (torch.cuda.graph, CUDAGraph.replay) are for GPU kernels. A replay runs only the recorded kernels, on the
// same memory: the tensors, the autograd graph, its backward walk and the scopes are not rebuilt, which is
// most of what a small model's step costs above its kernels. The same rules as CUDA graphs follow from it:
// inputs are tensors made before the capture and refilled in place (copy_) between replays; outputs are the
// tensors the function returned, overwritten by each replay; shapes and the path through the code are fixed.
import { capturing, hostStep, recordCalls, unrecorded } from "../backend/capture.js";
import type { StepProfile, Tape } from "../backend/capture.js";
import { registeredBackends } from "../backend/registry.js";
import { ArgumentError, CaptureError } from "../errors.js";
import { forbidDraws } from "../random.js";
import { keep, tidy, tensorsIn } from "./scope.js";

export { capturing, hostStep, unrecorded };

// Deferred work (wasm's fused elementwise chains) is computed where something reads it, which a replay does not
// repeat: captures and replays run with every backend computing each kernel when it is called.
function computingEagerly<T>(fn: () => T): T {
  const run = registeredBackends().reduceRight<() => T>((inner, b) => (b.computeEagerly === undefined ? inner : () => b.computeEagerly!(inner)), fn);
  return run();
}

const RANDOM_DRAW =
  "captureGraph: the captured function draws random numbers (rand, randn, dropout, …); every replay would reuse the same draws. " +
  "Draw them outside and copy them into an input tensor, or capture a function without random ops (model.eval() turns dropout off).";

/**
 * A recorded function: `replay()` runs its kernels again; `output` is what it returned, rewritten by each
 * replay. The graph owns `output`'s tensors: scopes leave them, `dispose()` frees them with the graph.
 * @example cr.captureGraph(() => cr.ones([2]).mul(3)).replay() // tensor([3, 3])
 */
export class CapturedGraph<T> {
  #tape: Tape | null;

  /** @internal Made by captureGraph. */
  constructor(
    tape: Tape,
    /** What the function returned (its tensors hold each replay's results until the graph is disposed). */
    readonly output: T,
  ) {
    this.#tape = tape;
  }

  /** The number of kernel calls and host steps (an optimizer's per-parameter updates) a replay runs. */
  get steps(): number {
    return this.#tape?.length ?? 0;
  }

  /**
   * How many of those calls replay as their kernels alone, skipping the backend's JavaScript too (on `wasm`:
   * products, elementwise ops, reductions, logSoftmax and its gradient, gather, scatterAdd, nllLoss and its
   * gradient, fills and copies, with operands too small for the heap copied in and out); known after the first
   * replay, which records them.
   */
  get planned(): number {
    return this.#tape?.planned ?? 0;
  }

  /**
   * Runs the recorded kernels again on the inputs' current values; returns `output`.
   * @example cr.captureGraph(() => cr.ones([2]).mul(3)).replay() // tensor([3, 3])
   */
  replay(): T {
    const tape = this.#tape;
    if (tape === null) throw new CaptureError("replay: this graph was disposed");
    computingEagerly(() => tidy(() => tape.replay()));
    return this.output;
  }

  /**
   * Where a replay's time goes: replays `replays` times timing each kernel call and host step, then runs each
   * kernel plan `alone` times in a row. `ms` is a step's time in its place in a replay; `aloneMs`, a plan's when
   * it runs again and again (its operands in cache). tools/replay-profile.ts prints it for the bench's W2.
   * @example cr.captureGraph(() => cr.ones([2]).mul(3)).profile(1, 1).length > 0 // true
   */
  profile(replays = 100, alone = 100): StepProfile[] {
    const tape = this.#tape;
    if (tape === null) throw new CaptureError("profile: this graph was disposed");
    return computingEagerly(() => tidy(() => tape.profile(replays, alone)));
  }

  /**
   * Frees the graph's memory, its output's tensors included.
   * @example
   * ```ts
   * const step = cr.captureGraph(() => model.forward(x));
   * for (let i = 0; i < 100; i++) step.replay();
   * step.dispose(); // its kernels' buffers and step.output are freed
   * ```
   */
  dispose(): void {
    if (this.#tape === null) return;
    for (const t of tensorsIn(this.output, [])) t.dispose();
    this.#tape.dispose();
    this.#tape = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Runs `fn` once, recording its kernel calls, and returns a graph that replays them. For a training step:
 * @example
 * const x = cr.keep(cr.zeros([128, 784])), y = cr.keep(cr.zeros([128], { dtype: "int32" }));
 * const step = cr.captureGraph(() => {
 *   optimizer.zeroGrad();
 *   const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
 *   loss.backward();
 *   optimizer.step();
 *   return loss;
 * });
 * for (const [bx, by] of batches) {
 *   x.copy_(bx); y.copy_(by);
 *   console.log(step.replay().item());
 * }
 * Rules (a CaptureError says which one a function breaks, when it can tell):
 * - Inputs are tensors made before the capture, refilled in place between replays; shapes never change.
 * - The function must not read elements (`item()`, `toArray()`): return tensors and read `output` after a replay.
 * - No random draws inside (dropout in training mode): each replay would reuse the capture's.
 * - Gradients are zeroed inside (`optimizer.zeroGrad()`), not accumulated across replays.
 * - Indices out of range in a replay's inputs throw the kernels' IndexError (the capture checks them as eager code does).
 * - Optimizers replay their updates with each replay's step count and their groups' current hyperparameters,
 *   so learning-rate schedulers keep working.
 */
export function captureGraph<T>(fn: () => T): CapturedGraph<T> {
  if (typeof fn !== "function") throw new ArgumentError("captureGraph: expected a function");
  using _noDraws = forbidDraws(RANDOM_DRAW);
  const { tape, result } = computingEagerly(() => recordCalls(registeredBackends(), () => tidy(fn)));
  // The output belongs to the graph (each replay rewrites it): no scope frees it, dispose() does.
  for (const t of tensorsIn(result, [])) keep(t);
  return new CapturedGraph(tape, result);
}
