// einsum: PyTorch's Einstein summation (its notation, ellipsis and sublists included), contracted pair by pair in
// the order that does the least work (every order for up to five operands, greedily beyond), each pair one batched
// matrix product between permutes and reshapes, so the gradient comes from theirs.
import { ArgumentError, ShapeError } from "../errors.js";
import { promoteTypes } from "../dtype.js";
import { fmt } from "../shape.js";
import { checkTensor } from "./elementwise.js";
import { asStrided } from "./movement.js";
import type { Tensor } from "./tensor.js";

/** A label: a letter's code (A–Z, a–z), or an ellipsis dim, numbered from the first of the broadcast ellipsis. */
type Label = number;
const ELLIPSIS_BASE = 1000;

/** An operand as the contraction sees it: a tensor and one label per dim (distinct once diagonals are taken). */
interface Term {
  readonly t: Tensor;
  readonly labels: readonly Label[];
}

function parseSubscripts(spec: string, op: string): (Label | "...")[] {
  const out: (Label | "...")[] = [];
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    if (ch === " ") continue;
    if (ch === ".") {
      if (spec.slice(i, i + 3) !== "...") throw new ArgumentError(`${op}: found "." that is not part of an ellipsis ("...")`);
      if (out.includes("...")) throw new ArgumentError(`${op}: found more than one ellipsis in "${spec}"`);
      out.push("...");
      i += 2;
      continue;
    }
    if (!/[A-Za-z]/.test(ch)) throw new ArgumentError(`${op}: invalid subscript "${ch}": subscripts are letters A–Z and a–z`);
    out.push(ch.charCodeAt(0));
  }
  return out;
}

/** The sublist form's labels: integers 0–51 (as PyTorch's) or the ellipsis. */
function sublist(list: readonly (number | "...")[], op: string): (Label | "...")[] {
  return list.map((v) => {
    if (v === "...") return v;
    if (!Number.isInteger(v) || v < 0 || v >= 52) throw new ArgumentError(`${op}: sublist subscripts must be integers in [0, 52), got ${v}`);
    return v < 26 ? 65 + v : 97 + v - 26;
  });
}

// The labels of each operand's dims, the ellipsis expanded into numbered labels aligned from the right.
function expand(subscripts: readonly (Label | "...")[][], operands: readonly Tensor[], op: string): { labels: Label[][]; ellipsisDims: number } {
  let ellipsisDims = 0;
  subscripts.forEach((s, i) => {
    const explicit = s.filter((l) => l !== "...").length;
    const nd = operands[i]!.ndim;
    if (s.includes("...") ? nd < explicit : nd !== explicit) {
      throw new ShapeError(`${op}: operand ${i} has ${nd} dims ${fmt(operands[i]!.shape)} but its subscripts name ${explicit}${s.includes("...") ? " (and an ellipsis)" : ""}`);
    }
    if (s.includes("...")) ellipsisDims = Math.max(ellipsisDims, nd - explicit);
  });
  const labels = subscripts.map((s, i) => {
    const covered = operands[i]!.ndim - s.filter((l) => l !== "...").length;
    return s.flatMap((l) => (l === "..." ? Array.from({ length: covered }, (_, k) => ELLIPSIS_BASE + ellipsisDims - covered + k) : [l]));
  });
  return { labels, ellipsisDims };
}

const labelName = (l: Label) => (l >= ELLIPSIS_BASE ? `...[${l - ELLIPSIS_BASE}]` : String.fromCharCode(l));

// An operand with each repeated label reduced to one dim: the diagonal over the repeats (a strided view).
function takeDiagonals(t: Tensor, labels: readonly Label[]): Term {
  const distinct = [...new Set(labels)];
  if (distinct.length === labels.length) return { t, labels };
  const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const shape = distinct.map((l) => Math.min(...labels.flatMap((m, d) => (m === l ? [t.shape[d]!] : []))));
  const viewStrides = distinct.map((l) => labels.reduce((s, m, d) => (m === l ? s + strides[d]! : s), 0));
  return { t: asStrided(t, shape, viewStrides, 0), labels: distinct };
}

// Sums the dims of `labels` out of a term.
function sumOut(term: Term, drop: ReadonlySet<Label>): Term {
  const axes = term.labels.flatMap((l, d) => (drop.has(l) ? [d] : []));
  if (axes.length === 0) return term;
  return { t: term.t.sum(axes), labels: term.labels.filter((l) => !drop.has(l)) };
}

function sizeIn(term: Term, l: Label): number {
  const d = term.labels.indexOf(l);
  return d < 0 ? 1 : term.t.shape[d]!;
}

/**
 * The order of pairwise contractions with the least total multiply-adds: every order for up to five operands,
 * the cheapest pair first beyond. Returns the pairs as positions in the shrinking list (the result goes last).
 */
function contractionPath(terms: readonly Term[], output: readonly Label[]): [number, number][] {
  // Sizes only matter from here: stand-in terms that carry shapes (no tensors are made while searching).
  type Shape = { labels: Label[]; sizes: Map<Label, number> };
  const shapeOf = (t: Term): Shape => ({ labels: [...t.labels], sizes: new Map(t.labels.map((l, d) => [l, t.t.shape[d]!])) });
  const costOf = (a: Shape, b: Shape) => {
    let c = 1;
    for (const l of new Set([...a.labels, ...b.labels])) c *= Math.max(a.sizes.get(l) ?? 1, b.sizes.get(l) ?? 1);
    return c;
  };
  const merge = (list: Shape[], i: number, j: number): Shape[] => {
    const need = new Set<Label>(output);
    list.forEach((t, k) => {
      if (k !== i && k !== j) t.labels.forEach((l) => need.add(l));
    });
    const a = list[i]!, b = list[j]!;
    const labels = [...new Set([...a.labels, ...b.labels])].filter((l) => need.has(l));
    const sizes = new Map(labels.map((l) => [l, Math.max(a.sizes.get(l) ?? 1, b.sizes.get(l) ?? 1)]));
    return [...list.filter((_, k) => k !== i && k !== j), { labels, sizes }];
  };
  const start = terms.map(shapeOf);
  if (start.length <= 5) {
    let best: { cost: number; path: [number, number][] } = { cost: Infinity, path: [] };
    const search = (list: Shape[], cost: number, path: [number, number][]) => {
      if (cost >= best.cost) return;
      if (list.length === 1) {
        best = { cost, path };
        return;
      }
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) search(merge(list, i, j), cost + costOf(list[i]!, list[j]!), [...path, [i, j]]);
      }
    };
    search(start, 0, []);
    return best.path;
  }
  const path: [number, number][] = [];
  let list = start;
  while (list.length > 1) {
    let pick: [number, number] = [0, 1], least = Infinity;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const c = costOf(list[i]!, list[j]!);
        if (c < least) [least, pick] = [c, [i, j]];
      }
    }
    path.push(pick);
    list = merge(list, pick[0], pick[1]);
  }
  return path;
}

// One pairwise contraction as a batched matrix product: [batch…, aOnly, K] · [batch…, K, bOnly].
function contract(a: Term, b: Term, needed: ReadonlySet<Label>): Term {
  const shared = a.labels.filter((l) => b.labels.includes(l));
  const batch = shared.filter((l) => needed.has(l));
  let contracted = shared.filter((l) => !needed.has(l));
  // A contracted label of size 1 on one side only: sum the other side over it first (Σ_l x·y = x·Σ_l y).
  for (const l of contracted) {
    const sa = sizeIn(a, l), sb = sizeIn(b, l);
    if (sa !== sb) {
      if (sa === 1) b = { t: b.t.sum(b.labels.indexOf(l), true), labels: b.labels };
      else a = { t: a.t.sum(a.labels.indexOf(l), true), labels: a.labels };
    }
  }
  // Labels one side has alone that nothing needs were summed before; those left stay in the result.
  const aOnly = a.labels.filter((l) => !b.labels.includes(l));
  const bOnly = b.labels.filter((l) => !a.labels.includes(l));
  contracted = contracted.filter((l) => a.labels.includes(l));
  const perm = (term: Term, order: readonly Label[]) => {
    const p = order.map((l) => term.labels.indexOf(l));
    return p.every((v, i) => v === i) ? term.t : term.t.permute(p);
  };
  const size = (term: Term, ls: readonly Label[]) => ls.reduce((n, l) => n * sizeIn(term, l), 1);
  const batchA = batch.map((l) => sizeIn(a, l)), batchB = batch.map((l) => sizeIn(b, l));
  const k = size(a, contracted);
  const am = perm(a, [...batch, ...aOnly, ...contracted]).reshape([...batchA, size(a, aOnly), k]);
  const bm = perm(b, [...batch, ...contracted, ...bOnly]).reshape([...batchB, k, size(b, bOnly)]);
  const product = am.matmul(bm);
  const outBatch = product.shape.slice(0, batch.length);
  return {
    t: product.reshape([...outBatch, ...aOnly.map((l) => sizeIn(a, l)), ...bOnly.map((l) => sizeIn(b, l))]),
    labels: [...batch, ...aOnly, ...bOnly],
  };
}

/** einsum's operands: the string form's tensors, or the sublist form's alternation of tensors and label lists. */
export type EinsumSublist = readonly (number | "...")[];

/**
 * Einstein summation, as PyTorch's `torch.einsum`: `"ij,jk->ik"` multiplies two matrices, `"ii"` is a trace,
 * `"...ij->...ji"` swaps the last two dims of any batch. Labels are letters; one appearing in several operands
 * but not the output is summed over; without "->" the output is the labels that appear once, in alphabetical
 * order (after the ellipsis's dims). Dims of size 1 broadcast. Operands may also be given as PyTorch's sublists:
 * `einsum(a, [0, 1], b, [1, 2], [0, 2])`.
 * @example cr.einsum("bij,bjk->bik", a, b) // batched matrix product
 */
export function einsum(equation: string | Tensor, ...rest: (Tensor | EinsumSublist | readonly Tensor[])[]): Tensor {
  const op = "einsum";
  let operands: Tensor[];
  let subscripts: (Label | "...")[][];
  let output: (Label | "...")[] | null;
  if (typeof equation === "string") {
    operands = (rest.length === 1 && Array.isArray(rest[0]) && rest[0].every((t) => typeof t === "object") ? rest[0] : rest) as Tensor[];
    const [lhs, rhs] = equation.split("->") as [string, string | undefined];
    if (equation.split("->").length > 2) throw new ArgumentError(`${op}: the equation has more than one "->"`);
    subscripts = lhs.split(",").map((s) => parseSubscripts(s, op));
    output = rhs === undefined ? null : parseSubscripts(rhs, op);
  } else {
    // The sublist form: tensor, labels, tensor, labels, …, [output labels].
    const all = [equation, ...rest];
    operands = [];
    subscripts = [];
    let i = 0;
    for (; i + 1 < all.length; i += 2) {
      operands.push(all[i] as Tensor);
      subscripts.push(sublist(all[i + 1] as EinsumSublist, op));
    }
    output = i < all.length ? sublist(all[i] as EinsumSublist, op) : null;
  }
  if (operands.length === 0) throw new ArgumentError(`${op}: needs at least one operand`);
  operands.forEach((t) => checkTensor(op, t));
  if (subscripts.length !== operands.length) throw new ArgumentError(`${op}: the equation names ${subscripts.length} operands but ${operands.length} were given`);
  const { labels, ellipsisDims } = expand(subscripts, operands, op);
  const ellipsis = Array.from({ length: ellipsisDims }, (_, k) => ELLIPSIS_BASE + k);

  labels.forEach((ls, i) => {
    for (const l of new Set(ls)) {
      const repeats = ls.flatMap((m, d) => (m === l ? [operands[i]!.shape[d]!] : []));
      if (repeats.some((s) => s !== repeats[0])) {
        throw new ShapeError(`${op}: subscript ${labelName(l)} is repeated for operand ${i} but the sizes don't match, ${repeats.join(" != ")}`);
      }
    }
  });
  // Each label's size, broadcasting 1s (PyTorch's rule).
  const sizes = new Map<Label, number>();
  labels.forEach((ls, i) => ls.forEach((l, d) => {
    const s = operands[i]!.shape[d]!, seen = sizes.get(l);
    if (seen === undefined || seen === 1) sizes.set(l, s);
    else if (s !== 1 && s !== seen) {
      throw new ShapeError(`${op}: subscript ${labelName(l)} has size ${s} for operand ${i} which does not broadcast with previously seen size ${seen}`);
    }
  }));

  let out: Label[];
  if (output === null) {
    const counts = new Map<Label, number>();
    labels.flat().forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1));
    out = [...ellipsis, ...[...counts].filter(([l, n]) => n === 1 && l < ELLIPSIS_BASE).map(([l]) => l).sort((x, y) => x - y)];
  } else {
    out = output.flatMap((l) => (l === "..." ? ellipsis : [l]));
    const seen = new Set<Label>();
    for (const l of out) {
      if (seen.has(l)) throw new ArgumentError(`${op}: output subscript ${labelName(l)} appears more than once in the output`);
      if (!sizes.has(l)) throw new ArgumentError(`${op}: output subscript ${labelName(l)} does not appear in the equation for any input operand`);
      seen.add(l);
    }
  }

  // Diagonals first, then every label only one operand has and the output lacks is summed out at once.
  const dtype = operands.map((t) => t.dtype).reduce(promoteTypes);
  let terms: Term[] = operands.map((t, i) => takeDiagonals(t.dtype === dtype ? t : t.to(dtype), labels[i]!));
  const needed = (skip: readonly Term[]) => {
    const need = new Set<Label>(out);
    terms.forEach((t) => {
      if (!skip.includes(t)) t.labels.forEach((l) => need.add(l));
    });
    return need;
  };
  terms = terms.map((t) => sumOut(t, new Set(t.labels.filter((l) => !needed([t]).has(l)))));
  for (const [i, j] of contractionPath(terms, out)) {
    const a = terms[i]!, b = terms[j]!;
    const need = needed([a, b]);
    // What only one side has and nothing needs is summed before the product.
    const lone = (x: Term, y: Term) => new Set(x.labels.filter((l) => !y.labels.includes(l) && !need.has(l)));
    const result = contract(sumOut(a, lone(a, b)), sumOut(b, lone(b, a)), need);
    terms = [...terms.filter((_, k) => k !== i && k !== j), result];
  }
  let last = sumOut(terms[0]!, new Set(terms[0]!.labels.filter((l) => !out.includes(l))));
  // Labels of the output that no dim carries any more (size 1 broadcast away) come back as size-1 dims.
  for (const l of out) {
    if (!last.labels.includes(l)) last = { t: last.t.unsqueeze(last.t.ndim), labels: [...last.labels, l] };
  }
  const perm = out.map((l) => last.labels.indexOf(l));
  const result = perm.every((p, i) => p === i) ? last.t : last.t.permute(perm);
  // A label broadcast from size 1 in every operand that has it keeps its largest size.
  const target = out.map((l) => sizes.get(l)!);
  return result.shape.every((s, d) => s === target[d]) ? result : result.expand(target);
}
