// Whether a mid-sized matmul splits its rows with the worker threads, decided by timing both ways on this host.
// From THREAD_MIN_FLOPS (matmul.ts) up to ADAPTIVE_MAX_FLOPS the answer depends on the load: on a quiet 2-core
// host the second core nearly halves a 6–8 MFLOP product (a GPT layer at batch 1, 64 positions), while on a loaded
// one the wake-up goes through the OS, the woken worker often runs on the caller's core, and one thread was faster
// (W8's re-read step 4.80 against 5.22 ms, one thread faster in 13 of 15 alternating pairs, load average ~5).
// So each product shape keeps its latest times per flop both ways, takes the way with the lower median, and tries
// the other every EXPLORE_EVERY-th call so that a change of load is noticed. Both ways run the same kernel on every
// element (the same bits), so results never depend on the choice.

/** Products of at least this many flops always share their rows with the workers (they gain on any host). */
export const ADAPTIVE_MAX_FLOPS = 3e7;
/** One call in this many of a shape takes the way that is slower now, to keep its times current. */
const EXPLORE_EVERY = 64;
/** The latest this many times of each way are kept; their medians are compared (a preempted call is an outlier). */
const WINDOW = 7;
/** Shapes remembered at most (they are forgotten all at once beyond; a model has a handful). */
const MAX_SHAPES = 256;

interface ShapeTimes {
  /** The latest times, ms per flop, of each way (a ring of WINDOW). */
  readonly threaded: number[];
  readonly single: number[];
  calls: number;
  /** Whether the threaded median is the lower, once both ways have three times (kept current by noteProductTime). */
  threadedFaster: boolean;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const shapes = new Map<string, ShapeTimes>();
let forced: "threads" | "single" | null = null;

/** @internal Fixes the choice (tests and A/B tools): "threads" is the rule before timing (split from THREAD_MIN_FLOPS), null times both. */
export function forceThreadChoice(choice: "threads" | "single" | null): void {
  forced = choice;
}

/** Whether the product `key` (its shape) should be split with the workers now: threaded first, then on one thread, then the faster. */
export function chooseThreads(key: string): boolean {
  if (forced !== null) return forced === "threads";
  let s = shapes.get(key);
  if (s === undefined) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    s = { threaded: [], single: [], calls: 0, threadedFaster: true };
    shapes.set(key, s);
  }
  s.calls++;
  // Three times of each way first (the first, with the workers, also wakes them from their start).
  if (s.threaded.length < 3) return true;
  if (s.single.length < 3) return false;
  return s.calls % EXPLORE_EVERY === 0 ? !s.threadedFaster : s.threadedFaster;
}

/** Records that product `key` of `flops` took `ms`, split with the workers (`threaded`) or on this thread alone. */
export function noteProductTime(key: string, threaded: boolean, flops: number, ms: number): void {
  const s = shapes.get(key);
  if (s === undefined) return;
  const times = threaded ? s.threaded : s.single;
  times.push(ms / flops);
  if (times.length > WINDOW) times.shift();
  // The medians change only here, so each call's choice is a lookup.
  if (s.threaded.length >= 3 && s.single.length >= 3) s.threadedFaster = median(s.threaded) <= median(s.single);
}

/** @internal Forgets every shape's times (tests). */
export function resetThreadChoice(): void {
  shapes.clear();
}

/** @internal The median times a shape has now, in ms per flop (NaN for a way not timed yet; tests and tools). */
export function threadChoiceTimes(key: string): { threaded: number; single: number } | undefined {
  const s = shapes.get(key);
  return s === undefined ? undefined : { threaded: s.threaded.length > 0 ? median(s.threaded) : NaN, single: s.single.length > 0 ? median(s.single) : NaN };
}
