// The attention lab's transformer: token and position embeddings, pre-norm encoder blocks built on
// cr.nn.MultiheadAttention (bidirectional, as BERT's), and a per-position classifier over the vocabulary.
import * as cr from "chainrule";

/** One pre-norm block: x + attention(LN(x)), then x + MLP(LN(x)); the attention's per-head weights are returned. */
class Block extends cr.nn.Module<[x: cr.Tensor], [cr.Tensor, cr.Tensor]> {
  ln1: cr.nn.LayerNorm;
  attn: cr.nn.MultiheadAttention;
  ln2: cr.nn.LayerNorm;
  mlp: cr.nn.Sequential;

  constructor(dim: number, heads: number) {
    super();
    this.ln1 = new cr.nn.LayerNorm(dim);
    this.attn = new cr.nn.MultiheadAttention(dim, heads, { batchFirst: true });
    this.ln2 = new cr.nn.LayerNorm(dim);
    this.mlp = new cr.nn.Sequential(new cr.nn.Linear(dim, 2 * dim), new cr.nn.ReLU(), new cr.nn.Linear(2 * dim, dim));
  }

  forward(x: cr.Tensor): [cr.Tensor, cr.Tensor] {
    const n = this.ln1.forward(x);
    const [out, weights] = this.attn.forward(n, n, n, { averageAttnWeights: false });
    const h = x.add(out);
    return [h.add(this.mlp.forward(this.ln2.forward(h))), weights as cr.Tensor];
  }
}

/** What one forward pass gives: logits `[N, L, vocab]`, the embedded tokens `[N, L, dim]`, and per layer `[N, H, L, L]`. */
export interface Forward {
  logits: cr.Tensor;
  tokens: cr.Tensor;
  attention: cr.Tensor[];
}

export class TinyTransformer extends cr.nn.Module<[input: cr.Tensor], Forward> {
  tok: cr.nn.Embedding;
  pos: cr.nn.Embedding;
  blocks: cr.nn.ModuleList<Block>;
  lnF: cr.nn.LayerNorm;
  head: cr.nn.Linear;

  constructor(readonly vocab: number, readonly seqLen: number, readonly dim: number, readonly layers: number, readonly heads: number) {
    super();
    this.tok = new cr.nn.Embedding(vocab, dim);
    this.pos = new cr.nn.Embedding(seqLen, dim);
    this.blocks = new cr.nn.ModuleList(Array.from({ length: layers }, () => new Block(dim, heads)));
    this.lnF = new cr.nn.LayerNorm(dim);
    this.head = new cr.nn.Linear(dim, vocab);
  }

  /** `input` is int32 `[N, L]`. The embedded tokens are returned too, so a caller can retain their gradient. */
  forward(input: cr.Tensor): Forward {
    const L = input.shape[1] ?? 0;
    const tokens = this.tok.forward(input);
    let x = tokens.add(this.pos.forward(cr.arange(L, { dtype: "int32" })));
    const attention: cr.Tensor[] = [];
    for (const block of this.blocks) {
      const [y, w] = block.forward(x);
      x = y;
      attention.push(w);
    }
    return { logits: this.head.forward(this.lnF.forward(x)), tokens, attention };
  }
}
