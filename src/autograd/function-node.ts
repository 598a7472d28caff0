// The gradFn of a primitive's result: saves what the derivative rule needs and applies it in backward.
import type { DType } from "../dtype.js";
import { AutogradError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import type { Shape } from "../shape.js";
import { sumToShape } from "../tensor/movement.js";
import type { Tensor } from "../tensor/tensor.js";
import { Node } from "./node.js";
import type { Edge } from "./node.js";
import type { Rule } from "./rule.js";

// A saved tensor remembers its version, so an in-place change before backward is caught, not silently used.
interface Saved {
  tensor: Tensor;
  version: number;
}

function save(t: Tensor): Saved {
  return { tensor: t, version: t._version.value };
}

export class FunctionNode<P> extends Node {
  private savedInputs: Saved[] | null;
  private savedOutput: Saved | null;
  private released = false;
  private readonly inputShapes: Shape[];
  private readonly inputDtypes: DType[];

  constructor(
    name: string,
    edges: (Edge | null)[],
    private readonly rule: Rule<P>,
    private readonly params: P,
    inputs: readonly Tensor[],
    output: Tensor,
  ) {
    super(name, edges);
    const saves = rule.saves ?? "both";
    this.savedInputs = saves === "inputs" || saves === "both" ? inputs.map(save) : [];
    this.savedOutput = saves === "output" || saves === "both" ? save(output) : null;
    this.inputShapes = inputs.map((t) => t.shape);
    this.inputDtypes = inputs.map((t) => t.dtype);
  }

  private unpack(s: Saved): Tensor {
    if (s.tensor._version.value !== s.version) {
      throw new AutogradError(
        `${this.name}: one of the tensors needed for the gradient (shape ${fmt(s.tensor.shape)}, ${s.tensor.dtype}) ` +
          `was modified by an in-place operation: it is at version ${s.tensor._version.value}, expected ${s.version}`,
      );
    }
    return s.tensor;
  }

  apply(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[] {
    if (this.released) {
      throw new AutogradError(
        `${this.name}: trying to backward through the graph a second time, after its saved tensors were freed. ` +
          `Pass { retainGraph: true } to the first backward() to backward through it again.`,
      );
    }
    const g = gradOutputs[0];
    if (g === null || g === undefined) return this.nextEdges.map(() => null);
    const inputs = (this.savedInputs ?? []).map((s) => this.unpack(s));
    const output = this.savedOutput === null ? (undefined as unknown as Tensor) : this.unpack(this.savedOutput);
    const grads = this.rule.vjp!(g, {
      inputs,
      output,
      params: this.params,
      inputShapes: this.inputShapes,
      inputDtypes: this.inputDtypes,
      needsInputGrad: this.nextEdges.map((e) => e !== null),
    });
    return this.nextEdges.map((edge, i) => {
      const grad = grads[i] ?? null;
      if (edge === null || grad === null) return null;
      return this.fitGradient(grad, i);
    });
  }

  // Sums a broadcast gradient down to the input's shape and checks what the rule returned.
  private fitGradient(grad: Tensor, i: number): Tensor {
    const shape = this.inputShapes[i]!;
    let out = grad;
    if (!shapesEqual(grad.shape, shape)) {
      try {
        out = sumToShape(grad, shape);
      } catch {
        throw new ShapeError(
          `${this.name}: the derivative rule returned a gradient of shape ${fmt(grad.shape)} for input ${i} of shape ${fmt(shape)}`,
        );
      }
    }
    const dtype = this.inputDtypes[i]!;
    return out.dtype === dtype ? out : out.to(dtype);
  }

  release(): void {
    this.released = true;
    this.savedInputs = null;
    this.savedOutput = null;
  }
}
