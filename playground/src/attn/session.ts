// One training run of the attention lab: the model, Adam, a random batch per step, and the readouts the page
// draws — attention maps on an example sequence, and one embedding row's gradient split by where it came from.
import * as cr from "chainrule";
import { mulberry32 } from "../net/random.js";
import { TinyTransformer } from "./model.js";
import { SEQ_LEN, VOCAB, makeBatch, targetOf, type Task } from "./task.js";

export interface AttnConfig {
  task: Task;
  layers: number;
  heads: number;
  dim: number;
  lr: number;
  batch: number;
  seed: number;
  /** The example sequence the maps and the gradient split are shown on. */
  example: number[];
  /** The token whose embedding row's gradient is split. */
  token: number;
}

/** The example through the model: per layer and head an `[L, L]` map (rows: queries, columns: keys), and its outputs. */
export interface AttentionView {
  /** maps[layer][head][query][key]. */
  maps: number[][][][];
  predicted: number[];
  target: number[];
}

/**
 * The gradient of the loss on the example with respect to one embedding row, and the same gradient split two ways:
 * by the position whose loss it came from (each position's loss backpropagated on its own, through every attention
 * path that reached the row), and by the position that looked the row up (the embedded token's own gradient there).
 * Each split sums to `grad`, the row of `tok.weight.grad` that one ordinary `backward()` accumulated.
 */
export interface GradientSplit {
  token: number;
  /** `tok.weight.grad[token]` after `loss.backward()`. */
  grad: number[];
  /** byLoss[q]: d(loss term of position q) / d(row); every position's term depends on the row through attention. */
  byLoss: number[][];
  /** byUse: for each position p holding the token, d(loss) / d(embedded token at p). */
  byUse: { position: number; grad: number[] }[];
}

/** The model and its training; `config.example` and `config.token` may change between readouts. */
export class AttnSession {
  readonly model: TinyTransformer;
  step = 0;
  /** [step, loss, accuracy] of each recorded step. */
  history: [number, number, number][] = [];
  private readonly optimizer: cr.optim.Optimizer;
  private readonly random: () => number;

  constructor(public config: AttnConfig) {
    cr.manualSeed(config.seed);
    this.random = mulberry32(config.seed);
    this.model = new TinyTransformer(VOCAB, SEQ_LEN, config.dim, config.layers, config.heads);
    this.optimizer = new cr.optim.Adam(this.model.parameters(), { lr: config.lr });
  }

  /** One Adam step on a fresh random batch; records its loss and per-token accuracy. */
  trainStep(): void {
    const { inputs, targets } = makeBatch(this.config.task, this.config.batch, this.random);
    cr.tidy(() => {
      const x = cr.tensor(inputs, { dtype: "int32" }).reshape([this.config.batch, SEQ_LEN]);
      const y = cr.tensor(targets, { dtype: "int32" }).reshape([-1]);
      this.model.train();
      this.optimizer.zeroGrad();
      const logits = this.model.forward(x).logits.reshape([-1, VOCAB]);
      const loss = cr.nn.functional.crossEntropy(logits, y);
      loss.backward();
      this.optimizer.step();
      const accuracy = logits.argmax(1).eq(y).float().mean().item();
      this.step++;
      this.history.push([this.step, loss.item(), accuracy]);
    });
    this.optimizer.zeroGrad();
  }

  /** The attention maps and predictions on the example, without recording a graph. */
  attention(): AttentionView {
    const { example, task } = this.config;
    return cr.tidy(() => cr.noGrad(() => {
      this.model.eval();
      const out = this.model.forward(cr.tensor([example], { dtype: "int32" }));
      const maps = out.attention.map((w) => (w.tolist() as number[][][][])[0] as number[][][]);
      const predicted = Array.from(out.logits.argmax(2).toTypedArray(), Number);
      return { maps, predicted, target: targetOf(task, example) };
    }));
  }

  /** The example's loss gradient on one embedding row, whole and split (see GradientSplit); gradients zeroed after. */
  gradientSplit(): GradientSplit {
    const { example, task, token } = this.config;
    const weight = this.model.tok.weight;
    const row = (t: cr.Tensor | null): number[] => (t === null ? new Array<number>(this.config.dim).fill(0) : Array.from(t.index(token).toTypedArray(), Number));
    const split = cr.tidy(() => {
      this.model.eval();
      this.optimizer.zeroGrad();
      const out = this.model.forward(cr.tensor([example], { dtype: "int32" }));
      const target = cr.tensor(targetOf(task, example), { dtype: "int32" });
      // The loss is the mean over positions, so position q's share of it is its own term divided by L.
      const terms = cr.nn.functional.crossEntropy(out.logits.reshape([SEQ_LEN, VOCAB]), target, { reduction: "none" }).div(SEQ_LEN);
      const byLoss = Array.from({ length: SEQ_LEN }, (_, q) => row(cr.autograd.grad(terms.index(q), [weight], { retainGraph: true, allowUnused: true })[0] ?? null));
      const loss = terms.sum();
      // Not retainGrad: the autograd.grad calls above would add into the embedded tokens' .grad too (as PyTorch's do).
      const [used] = cr.autograd.grad(loss, [out.tokens], { retainGraph: true });
      loss.backward();
      const byUse = example.flatMap((t, p) => (t === token && used !== undefined && used !== null ? [{ position: p, grad: Array.from(used.index(0, p).toTypedArray(), Number) }] : []));
      return { token, grad: row(weight.grad), byLoss, byUse };
    });
    this.optimizer.zeroGrad();
    return split;
  }
}

/** The largest |Σ parts − whole| over the row's components. */
export function sumError(parts: readonly (readonly number[])[], whole: readonly number[]): number {
  return Math.max(0, ...whole.map((w, i) => Math.abs(parts.reduce((s, p) => s + (p[i] ?? 0), 0) - w)));
}
