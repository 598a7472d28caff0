// The attention lab's toy sequence tasks: the target at each position is a function of the whole input, so a
// per-position classifier must look at other positions (reverse, sort) or only at its own (copy).

export const TASKS = ["copy", "reverse", "sort"] as const;
export type Task = (typeof TASKS)[number];

/** Tokens are the digits 0..VOCAB-1. */
export const VOCAB = 10;
/** Every sequence has this many tokens: small enough for heatmaps one can read. */
export const SEQ_LEN = 6;

/** The target sequence of `task` for one input sequence. */
export function targetOf(task: Task, seq: readonly number[]): number[] {
  switch (task) {
    case "copy": return [...seq];
    case "reverse": return [...seq].reverse();
    case "sort": return [...seq].sort((a, b) => a - b);
  }
}

/** A batch of random sequences and their targets, flat row-major `[batch, SEQ_LEN]`. */
export function makeBatch(task: Task, batch: number, random: () => number): { inputs: Int32Array; targets: Int32Array } {
  const inputs = new Int32Array(batch * SEQ_LEN);
  const targets = new Int32Array(batch * SEQ_LEN);
  for (let b = 0; b < batch; b++) {
    const seq = Array.from({ length: SEQ_LEN }, () => Math.floor(random() * VOCAB));
    inputs.set(seq, b * SEQ_LEN);
    targets.set(targetOf(task, seq), b * SEQ_LEN);
  }
  return { inputs, targets };
}

/** Parses "3 1 4 1 5 2" (spaces or commas) into SEQ_LEN tokens in range, or null when it is not one. */
export function parseSequence(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter((p) => p !== "");
  if (parts.length !== SEQ_LEN || !parts.every((p) => /^\d+$/.test(p))) return null;
  const seq = parts.map(Number);
  return seq.every((t) => t < VOCAB) ? seq : null;
}
