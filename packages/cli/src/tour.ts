// `chainrule tour`: the lesson's examples, computed by chainrule and printed with the numbers that prove them.
import * as cr from "chainrule";

type Print = (line: string) => void;

const f4 = (v: number) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4));

/** The chain rule on y = sin(x²): autograd against the hand-derived 2x·cos(x²) and a finite difference. */
export function chainRule(print: Print): void {
  const x = cr.tensor(1.3, { requiresGrad: true, dtype: "float64" });
  const y = x.pow(2).sin();
  y.backward();
  const analytic = 2 * 1.3 * Math.cos(1.3 ** 2);
  const h = 1e-6;
  const numeric = (Math.sin((1.3 + h) ** 2) - Math.sin((1.3 - h) ** 2)) / (2 * h);
  print("1. The chain rule: y = sin(x²) at x = 1.3");
  print(`   autograd dy/dx = ${f4(x.grad!.item())}   2x·cos(x²) = ${f4(analytic)}   finite difference = ${f4(numeric)}`);
}

/** The lesson's graph f = (x + y)·z: each node's local gradient, multiplied along the path. */
export function computationalGraph(print: Print): void {
  const x = cr.tensor(-2, { requiresGrad: true });
  const y = cr.tensor(5, { requiresGrad: true });
  const z = cr.tensor(-4, { requiresGrad: true });
  const q = x.add(y);
  q.retainGrad();
  const f = q.mul(z);
  f.backward();
  print("2. The computational graph f = (x + y)·z at x = -2, y = 5, z = -4");
  print(`   forward: q = x + y = ${q.item()}, f = q·z = ${f.item()}   (gradFn ${f.gradFn!.name} ← ${q.gradFn!.name})`);
  print(`   backward: ∂f/∂q = z = ${q.grad!.item()}, ∂f/∂x = ∂f/∂q·1 = ${x.grad!.item()}, ∂f/∂y = ${y.grad!.item()}, ∂f/∂z = q = ${z.grad!.item()}`);
}

/** `grad +=`: a value used on two paths receives the sum of both gradients. */
export function accumulation(print: Print): void {
  const a = cr.tensor(3, { requiresGrad: true });
  const b = a.mul(a).add(a); // a is used three times
  b.backward();
  print("3. grad += where a value feeds several paths: b = a·a + a at a = 3");
  print(`   ∂b/∂a = 2a + 1 = ${a.grad!.item()} (a·a contributes a + a, the sum adds 1)`);
  const w = cr.tensor(1, { requiresGrad: true });
  w.mul(2).backward();
  w.mul(2).backward();
  print(`   forgetting zeroGrad: two backward passes of 2w leave w.grad = ${w.grad!.item()}, not 2`);
}

/** Vanishing gradients: σ' ≤ 0.25, so ten stacked sigmoids shrink the gradient below 0.25¹⁰. */
export function vanishing(print: Print): void {
  const grid = cr.linspace(-10, 10, 2001, { dtype: "float64", requiresGrad: true });
  grid.sigmoid().sum().backward();
  const maxSlope = grid.grad!.max().item();
  const x = cr.tensor(0.5, { requiresGrad: true, dtype: "float64" });
  let h = x;
  for (let i = 0; i < 10; i++) h = h.sigmoid();
  h.backward();
  print("4. Vanishing gradients with sigmoid");
  print(`   largest σ'(x) on [-10, 10]: ${f4(maxSlope)} (≤ 0.25)`);
  print(`   gradient through 10 stacked sigmoids: ${x.grad!.item().toExponential(3)} < 0.25¹⁰ = ${(0.25 ** 10).toExponential(3)}`);
}

/** The scalar `Value` engine and the tensor engine give the same gradients. */
export function enginesAgree(print: Print): void {
  const xv = new cr.Value(0.8);
  const yv = new cr.Value(-1.7);
  const fv = xv.mul(yv).tanh().add(xv.exp()).mul(yv.sigmoid());
  fv.backward();
  const xt = cr.tensor(0.8, { requiresGrad: true, dtype: "float64" });
  const yt = cr.tensor(-1.7, { requiresGrad: true, dtype: "float64" });
  xt.mul(yt).tanh().add(xt.exp()).mul(yt.sigmoid()).backward();
  print("5. Two engines, one algorithm: f = (tanh(x·y) + eˣ)·σ(y) at x = 0.8, y = -1.7");
  print(`   Value:  ∂f/∂x = ${f4(xv.grad)}, ∂f/∂y = ${f4(yv.grad)}`);
  print(`   Tensor: ∂f/∂x = ${f4(xt.grad!.item())}, ∂f/∂y = ${f4(yt.grad!.item())}`);
}

/** Runs every example of the tour. */
export function runTour(print: Print = (l) => console.log(l)): void {
  print("chainrule: backpropagation is the chain rule applied to a computational graph.\n");
  for (const step of [chainRule, computationalGraph, accumulation, vanishing, enginesAgree]) {
    step(print);
    print("");
  }
}
