// Prints the elementwise op registry as JSON, for the fixture generator (tools/gen_torch_elementwise_fixtures.py),
// which runs it, so adding an op to src/ops/elementwise.ts is all it takes for the op to get PyTorch fixtures.
// `node --import tsx tools/list-ops.ts`
import { ELEMENTWISE, ELEMENTWISE_OPS } from "../src/ops/elementwise.js";
import type { ElementwiseOpDef } from "../src/ops/elementwise.js";
import { opProgram } from "../src/ops/program.js";

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

const ops = ELEMENTWISE_OPS.filter((op) => op !== "cast").map((op) => {
  const def: ElementwiseOpDef = ELEMENTWISE[op];
  const dom = def.test?.domain;
  const domains = Array.from({ length: def.arity }, (_, i) =>
    dom === undefined ? [-2, 2] : typeof dom[0] === "number" ? dom : (dom as readonly (readonly [number, number])[])[i]!,
  );
  return {
    name: op,
    torch: def.torch ?? snake(op),
    arity: def.arity,
    kinds: def.test?.kinds ?? Array.from({ length: def.arity }, () => "float"),
    domains,
    avoid: def.test?.avoid ?? null,
    rule: def.dtype,
    predicate: def.predicate === true,
    differentiable: opProgram(op).differentiable,
    parameters: def.test?.parameters ?? [],
    integral: def.integral === true,
  };
});
process.stdout.write(JSON.stringify(ops, null, 1) + "\n");
