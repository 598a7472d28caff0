// The gradFn of a primitive's result: saves what the derivative rule needs and applies it in backward.
import type { DType } from "../dtype.js";
import { AutogradError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import type { Shape } from "../shape.js";
import { sumToShape } from "../tensor/movement.js";
import { releaseSave } from "../tensor/sealed.js";
import type { Tensor } from "../tensor/tensor.js";
import { Node } from "./node.js";
import type { Edge } from "./node.js";
import type { Rule, SaveSpec } from "./rule.js";

// A saved tensor remembers its version, so an in-place change before backward is caught, not silently used.
interface Saved {
  tensor: Tensor;
  version: number;
}

function save(t: Tensor): Saved {
  return { tensor: t, version: t._version.value };
}

// Which of the op's tensors the rule reads, given which inputs need a gradient.
function saveSpec<P>(rule: Rule<P>, needs: readonly boolean[], params: P): SaveSpec {
  const saves = rule.saves ?? "both";
  if (typeof saves === "function") return saves(needs, params);
  const inputs = saves === "inputs" || saves === "both";
  return { inputs: needs.map(() => inputs), output: saves === "output" || saves === "both" };
}

export class FunctionNode<P> extends Node {
  // One entry per input: null where the rule does not read it (it is not kept alive, nor version-checked).
  private savedInputs: (Saved | null)[] | null;
  private savedOutput: Saved | null;
  private released = false;
  override readonly inputShapes: Shape[];
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
    const spec = saveSpec(rule, edges.map((e) => e !== null), params);
    this.savedInputs = inputs.map((t, i) => (spec.inputs[i] === true ? save(t) : null));
    this.savedOutput = spec.output ? save(output) : null;
    this.inputShapes = inputs.map((t) => t.shape);
    this.inputDtypes = inputs.map((t) => t.dtype);
  }

  /**
   * @internal For an in-place op: the saved tensors that share memory with the tensor about to be
   * overwritten (same version counter) are swapped for `copy(saved)`, a copy of its old value, as PyTorch
   * saves `self.clone()` for in-place ops whose derivative reads the old `self`. Returns how many.
   */
  _saveCopiesOf(version: Tensor["_version"], copy: (saved: Tensor) => Tensor): number {
    let n = 0;
    const swap = (s: Saved | null): Saved | null => {
      if (s === null || s.tensor._version !== version) return s;
      n++;
      return save(copy(s.tensor));
    };
    if (this.savedInputs !== null) this.savedInputs = this.savedInputs.map(swap);
    this.savedOutput = swap(this.savedOutput);
    return n;
  }

  override _savedForScopes(): readonly Tensor[] {
    // A plain loop: every sealed call and every released node walks this (no spread, no per-entry arrays).
    const out: Tensor[] = [];
    if (this.savedInputs !== null) for (const s of this.savedInputs) if (s !== null) out.push(s.tensor);
    if (this.savedOutput !== null) out.push(this.savedOutput.tensor);
    return out;
  }

  private unpack(s: Saved, role: string): Tensor {
    if (s.tensor._version.value !== s.version) {
      throw new AutogradError(
        `${this.name}: one of the tensors needed for the gradient (${role} of shape ${fmt(s.tensor.shape)}, ${s.tensor.dtype}) ` +
          `was modified by an in-place operation: it is at version ${s.tensor._version.value}, expected ${s.version}. ` +
          `Modify a copy instead (x = x.mul(2) rather than x.mul_(2)), or call clone() before the in-place op`,
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
    // Inputs the rule does not read stay as holes it never touches.
    const inputs = (this.savedInputs ?? []).map((s, i) => (s === null ? (undefined as unknown as Tensor) : this.unpack(s, `input ${i}`)));
    const output = this.savedOutput === null ? (undefined as unknown as Tensor) : this.unpack(this.savedOutput, "the output");
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
    const saved = this._savedForScopes();
    this.released = true;
    this.savedInputs = null;
    this.savedOutput = null;
    for (const t of saved) releaseSave(t);
  }
}
