// Experiment "chain-rule": dy/dx = df/dg·dg/dx, by autograd, by hand and by finite differences; gradcheck on a small network.
import { gradcheck } from "../autograd/gradcheck.js";
import { manualSeed } from "../random.js";
import { randn, tensor } from "../tensor/creation.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { noPrint, num } from "./common.js";

/** Numbers of the "chain-rule" experiment. */
export interface ChainRuleResult extends ExperimentResult {
  /** The point the derivative of y = sin(x²) is taken at. */
  x: number;
  /** dy/dx for y = sin(x²) from `backward()`. */
  autograd: number;
  /** 2x·cos(x²), the chain rule by hand. */
  analytic: number;
  /** (y(x+h) − y(x−h)) / 2h. */
  finiteDifference: number;
  /** |autograd − finite difference|; the lesson's bar for a bug is 1e-5. */
  error: number;
  /** The multivariate chain rule: z = x·y with x = t², y = sin t, so dz/dt = ∂z/∂x·dx/dt + ∂z/∂y·dy/dt. */
  multivariate: { t: number; autograd: number; analytic: number };
  /** Whether `cr.autograd.gradcheck` passed on a two-layer tanh network in float64. */
  gradcheck: boolean;
}

/**
 * The chain rule checked three ways on y = sin(x²), the multivariate rule on z(x(t), y(t)), and
 * gradcheck (autograd against finite differences) on a small network, as the lesson recommends for custom layers.
 * @example
 * const r = cr.lesson.chainRule({ print: console.log });
 * r.error < 1e-5; // true
 */
export function chainRule(opts: ExperimentOptions = {}): ChainRuleResult {
  const print = opts.print ?? noPrint;
  const x0 = 1.3;
  const x = tensor(x0, { requiresGrad: true, dtype: "float64" });
  x.pow(2).sin().backward();
  const autograd = x.grad!.item();
  const analytic = 2 * x0 * Math.cos(x0 ** 2);
  const h = 1e-6;
  const finiteDifference = (Math.sin((x0 + h) ** 2) - Math.sin((x0 - h) ** 2)) / (2 * h);
  const error = Math.abs(autograd - finiteDifference);

  const t0 = 0.7;
  const t = tensor(t0, { requiresGrad: true, dtype: "float64" });
  t.pow(2).mul(t.sin()).backward();
  const multivariate = { t: t0, autograd: t.grad!.item(), analytic: Math.sin(t0) * 2 * t0 + t0 ** 2 * Math.cos(t0) };

  manualSeed(opts.seed ?? 0);
  const inputs = [randn([4, 3]), randn([3, 5]), randn([5, 2])].map((a) => a.double().requiresGrad_());
  let passed: boolean;
  try {
    passed = gradcheck((a, w1, w2) => a.matmul(w1).tanh().matmul(w2).sigmoid(), inputs);
  } catch {
    passed = false;
  }

  print("The chain rule: y = sin(x²) at x = 1.3, so dy/dx = cos(x²)·2x");
  print(`   autograd ${num(autograd, 8)}   by hand ${num(analytic, 8)}   finite difference ${num(finiteDifference, 8)}   |error| ${error.toExponential(1)} (a bug shows above 1e-5)`);
  print("The multivariate chain rule: z = x·y with x = t², y = sin t, at t = 0.7");
  print(`   dz/dt = y·2t + x·cos t = ${num(multivariate.analytic, 8)}   autograd ${num(multivariate.autograd, 8)}`);
  print(`gradcheck on tanh(A·W1)·W2 → sigmoid, every input element in float64: ${passed ? "passed" : "FAILED"}`);
  const holds = error < 1e-5 && Math.abs(autograd - analytic) < 1e-12 && Math.abs(multivariate.autograd - multivariate.analytic) < 1e-12 && passed;
  return {
    name: "chain-rule",
    claim: "backpropagation is the chain rule: autograd matches the derivative by hand and finite differences",
    holds, x: x0, autograd, analytic, finiteDifference, error, multivariate, gradcheck: passed,
  };
}
