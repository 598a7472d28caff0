// The gradFn of a custom Function's outputs: calls the user's static backward and checks what it returns.
import type { DType } from "../dtype.js";
import { AutogradError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import type { Shape } from "../shape.js";
import { zeros } from "../tensor/creation.js";
import { sumToShape } from "../tensor/movement.js";
import { Tensor } from "../tensor/tensor.js";
import type { BackwardFn, FunctionCtx } from "./function.js";
import { Node } from "./node.js";
import type { Edge } from "./node.js";

export class CustomFunctionNode extends Node {
  override readonly inputShapes: Shape[];
  private readonly inputDtypes: (DType | null)[];
  private readonly outputMeta: { shape: Shape; dtype: DType }[];
  private released = false;

  constructor(
    name: string,
    override readonly op: string,
    edges: (Edge | null)[],
    private readonly backwardFn: BackwardFn,
    private readonly owner: unknown,
    private readonly ctx: FunctionCtx<readonly (Tensor | null)[]>,
    inputs: readonly (Tensor | null)[],
    outputs: readonly Tensor[],
  ) {
    super(name, edges);
    this.inputShapes = inputs.map((t) => t?.shape ?? []);
    this.inputDtypes = inputs.map((t) => t?.dtype ?? null);
    this.outputMeta = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  }

  override _savedForScopes(): readonly Tensor[] {
    return this.released ? [] : this.ctx._savedForScopes();
  }

  apply(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[] {
    if (this.released) {
      throw new AutogradError(
        `${this.name}: trying to backward through the graph a second time, after its saved tensors were freed. ` +
          `Pass { retainGraph: true } to the first backward() to backward through it again.`,
      );
    }
    const grads = this.outputMeta.map(({ shape, dtype }, i) => {
      const g = gradOutputs[i] ?? null;
      return g === null && this.ctx._materializeGrads ? zeros(shape, { dtype }) : g;
    });
    const raw = this.backwardFn.call(this.owner, this.ctx, ...grads);
    const list = raw instanceof Tensor || raw === null || raw === undefined ? [raw ?? null] : [...raw];
    const n = this.nextEdges.length;
    if (list.length < n || list.slice(n).some((g) => g !== null && g !== undefined)) {
      throw new AutogradError(`${this.name}: backward returned ${list.length} gradients, expected ${n} (one per argument of apply, null where none)`);
    }
    return this.nextEdges.map((edge, i) => {
      const g = list[i] ?? null;
      if (g === null) return null;
      if (!(g instanceof Tensor)) throw new TypeError(`${this.name}: backward returned a non-Tensor gradient for argument ${i}`);
      const dtype = this.inputDtypes[i];
      if (dtype === null || dtype === undefined) {
        throw new AutogradError(`${this.name}: backward returned a gradient for argument ${i}, which is not a Tensor; return null there`);
      }
      if (edge === null) return null; // that input needs no gradient: dropped, as PyTorch does
      return this.fit(g, i, dtype);
    });
  }

  // A gradient of a shape the input broadcasts to is summed down to it; any other shape is an error.
  private fit(g: Tensor, i: number, dtype: DType): Tensor {
    const shape = this.inputShapes[i]!;
    let out = g;
    if (!shapesEqual(g.shape, shape)) {
      try {
        out = sumToShape(g, shape);
      } catch {
        throw new ShapeError(`${this.name}: backward returned a gradient of shape ${fmt(g.shape)} for argument ${i} of shape ${fmt(shape)}`);
      }
    }
    return out.dtype === dtype ? out : out.to(dtype);
  }

  release(): void {
    this.released = true;
    this.ctx._release();
  }
}
