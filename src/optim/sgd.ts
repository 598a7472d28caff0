// Stochastic gradient descent, with optional momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD).
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, checkFlag, checkNonNegative } from "./optimizer.js";
import type { ParamGroup, ParamsInput } from "./optimizer.js";

/** SGD's hyperparameters, with PyTorch's defaults except `lr`, which is required. */
export interface SGDOptions {
  /** The learning rate. */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Dampening of the gradient's share in the momentum buffer (default 0). */
  dampening: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** SGD's per-parameter state: the momentum buffer (null at steps without momentum, as torch's None). */
export type SGDState = { momentumBuffer?: Tensor | null };

/**
 * Stochastic gradient descent, optionally with momentum, as `torch.optim.SGD`.
 * @example
 * const opt = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * const opt2 = new cr.optim.SGD([{ params: body, lr: 0.01 }, { params: head }], { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  protected override readonly keepsGradients = false;
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    if (options === undefined || options.lr === undefined) throw new ArgumentError("SGD: lr is required (torch.optim.SGD has no default lr)");
    super("SGD", params, { lr: options.lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
  }

  protected override checkOptions(o: SGDOptions): void {
    checkNonNegative("SGD", "learning rate (lr)", o.lr);
    checkNonNegative("SGD", "momentum", o.momentum);
    checkNonNegative("SGD", "weightDecay", o.weightDecay);
    if (typeof o.dampening !== "number" || Number.isNaN(o.dampening)) throw new ArgumentError(`SGD: dampening must be a number, got ${String(o.dampening)}`);
    checkFlag("SGD", "nesterov", o.nesterov);
    checkFlag("SGD", "maximize", o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ArgumentError("SGD: Nesterov momentum requires a momentum > 0 and zero dampening");
  }

  protected override stateKeys(): readonly string[] {
    return []; // a missing or null buffer restarts from the next gradient, as torch's None
  }

  protected override knownStateKeys(): readonly string[] {
    return ["momentumBuffer"];
  }

  // g = ±grad + weightDecay·p;  b = g at the first step, then b = momentum·b + (1 − dampening)·g;
  // d = g + momentum·b (Nesterov) or b;  p −= lr·d.   (PyTorch 1.13's _single_tensor_sgd)
  protected override update(p: Tensor, grad: Tensor, group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = group;
    let d = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) d = d.add(p.mul(weightDecay));
    let state = this.state.get(p);
    if (state === undefined) this.state.set(p, (state = {}));
    if (momentum !== 0) {
      let buf = state.momentumBuffer;
      if (buf === undefined || buf === null) {
        // The buffer must not share memory with p.grad, which zeroGrad may zero in place.
        buf = d === grad ? d.clone() : d;
        state.momentumBuffer = buf;
      } else {
        buf.mul_(momentum).add_(dampening === 0 ? d : d.mul(1 - dampening));
      }
      d = nesterov ? d.add(buf.mul(momentum)) : buf;
    } else {
      // As torch, which stores None at a step without momentum: turning momentum back on restarts the buffer.
      state.momentumBuffer = null;
    }
    p.sub_(d.mul(lr));
  }
}
