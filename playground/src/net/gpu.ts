// The Network lab's training on WebGPU: a copy of the session's model on the GPU takes the optimizer steps; after
// each frame's steps its weights and gradients are read back (asynchronously, as a GPU is read) into the session's
// model, which the lab draws, scores and diagnoses as it does without a GPU.
import * as cr from "chainrule";

export class GpuTrainer {
  readonly model: cr.nn.Sequential;
  private readonly optimizer: cr.optim.Optimizer;
  private readonly xTrain: cr.Tensor;
  private readonly yTrain: cr.Tensor;

  constructor(mirror: cr.nn.Sequential, build: () => cr.nn.Sequential, makeOptimizer: (params: cr.nn.Parameter[]) => cr.optim.Optimizer, xTrain: cr.Tensor, yTrain: cr.Tensor) {
    // The same layers and weights, moved to the GPU (the session's model stays where it is).
    this.model = build();
    this.model.loadStateDict(mirror.stateDict());
    this.model.to("webgpu");
    this.optimizer = makeOptimizer(this.model.parameters());
    this.xTrain = cr.keep(xTrain.to("webgpu"));
    this.yTrain = cr.keep(yTrain.to("webgpu"));
  }

  /** One step on the rows `idx` of the training data, with `penalty` of the GPU model's Linear weights added. */
  trainStep(idx: Int32Array, penalty: (weights: cr.Tensor[]) => cr.Tensor | null): void {
    cr.tidy(() => {
      const at = cr.tensor(idx).to("webgpu");
      this.model.train();
      this.optimizer.zeroGrad();
      let loss = cr.nn.functional.crossEntropy(this.model.forward(this.xTrain.indexSelect(0, at)), this.yTrain.indexSelect(0, at));
      const pen = penalty([...this.model.children()].flatMap((m) => (m instanceof cr.nn.Linear ? [m.weight] : [])));
      if (pen !== null) loss = loss.add(pen);
      loss.backward();
      this.optimizer.step();
    });
  }

  /** Copies the GPU model's weights into `mirror`'s (the same architecture). */
  async copyInto(mirror: cr.nn.Sequential): Promise<void> {
    const ours = this.model.parameters();
    const values = await Promise.all(ours.map((p) => p.detach().toAsync(cr.getBackend())));
    cr.noGrad(() => mirror.parameters().forEach((p, i) => p.copy_(values[i]!)));
  }
}
