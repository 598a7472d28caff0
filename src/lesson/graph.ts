// Experiment "graph": f = (x + y)·z, its nodes, each node's local gradient, and the chain rule multiplying them.
import { tensor } from "../tensor/creation.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { noPrint } from "./common.js";

/** Numbers of the "graph" experiment. */
export interface GraphResult extends ExperimentResult {
  /** The leaves' values (CS231n's example: x = −2, y = 5, z = −4). */
  inputs: { x: number; y: number; z: number };
  /** The forward values: q = x + y, f = q·z. */
  forward: { q: number; f: number };
  /** Each node's local derivatives: ∂q/∂x = ∂q/∂y = 1 (the + node), ∂f/∂q = z and ∂f/∂z = q (the × node). */
  local: { dqdx: number; dqdy: number; dfdq: number; dfdz: number };
  /** The gradients `backward()` accumulated into x, y and z. */
  grads: { x: number; y: number; z: number };
  /** The graph as the engine recorded it: f's gradFn and the nodes it points to. */
  nodes: { f: string; next: (string | null)[] };
}

/**
 * The lesson's computational graph at x = −2, y = 5, z = −4: the answer to "what is ∂f/∂y?" (−4),
 * with the nodes chainrule recorded and the local gradients multiplied along each path.
 * @example
 * cr.lesson.graph().grads; // { x: -4, y: -4, z: 3 }
 */
export function graph(opts: ExperimentOptions = {}): GraphResult {
  const print = opts.print ?? noPrint;
  const inputs = { x: -2, y: 5, z: -4 };
  const x = tensor(inputs.x, { requiresGrad: true, dtype: "float64" });
  const y = tensor(inputs.y, { requiresGrad: true, dtype: "float64" });
  const z = tensor(inputs.z, { requiresGrad: true, dtype: "float64" });
  const q = x.add(y).retainGrad();
  const f = q.mul(z);
  const nodes = { f: f.gradFn!.name, next: f.gradFn!.nextFunctions.map(([n]) => n?.name ?? null) };
  f.backward();
  const forward = { q: q.item(), f: f.item() };
  const local = { dqdx: 1, dqdy: 1, dfdq: inputs.z, dfdz: forward.q };
  const grads = { x: x.grad!.item(), y: y.grad!.item(), z: z.grad!.item() };

  print("The computational graph f = (x + y)·z at x = -2, y = 5, z = -4");
  print("   x = -2 ──┐");
  print(`            (+) q = ${forward.q} ──┐`);
  print(`   y =  5 ──┘            (×) f = ${forward.f}`);
  print("   z = -4 ────────────────┘");
  print(`   recorded: f.gradFn = ${nodes.f}, whose nextFunctions are [${nodes.next.join(", ")}] (q's AddBackward, z's leaf)`);
  print("   local gradients, each node knowing only its own operation:");
  print(`     × node: ∂f/∂q = z = ${local.dfdq}, ∂f/∂z = q = ${local.dfdz}     + node: ∂q/∂x = ∂q/∂y = 1`);
  print("   backward multiplies them along each path:");
  print(`     ∂f/∂x = ∂f/∂q·∂q/∂x = ${local.dfdq}·1 = ${grads.x}   ∂f/∂y = ${grads.y}   ∂f/∂z = ${grads.z}   (∂f/∂q = ${q.grad!.item()})`);
  const holds =
    grads.x === local.dfdq * local.dqdx && grads.y === local.dfdq * local.dqdy && grads.z === local.dfdz && grads.y === -4 &&
    nodes.f === "MulBackward" && nodes.next[0] === "AddBackward";
  return { name: "graph", claim: "each node knows only its local gradient; backward multiplies them along the path (∂f/∂y = -4)", holds, inputs, forward, local, grads, nodes };
}
