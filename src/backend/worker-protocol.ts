// How a caller shares one task with worker threads, for both backends' pools: one Int32 control slot per
// worker in shared memory. The caller posts a task by storing its sequence number; a worker claims it by
// negating it; the caller takes back a task no worker has claimed yet, so it never waits on a thread the
// OS has not scheduled, and waits only for workers that are running it. What a task is (and how its chunks
// are handed out) is each pool's own.

/** seq > 0: posted; −seq: claimed by the worker; 0: taken back by the caller. */
export const S_STATE = 0;
/** The seq of the last task the worker finished. */
export const S_DONE = 1;
/** 1 once the worker runs; −1 if it failed (never given work again). */
export const S_READY = 2;
/** Slot words the protocol uses; a pool's own words follow. */
export const SLOT_WORDS = 3;

/** The seq after `seq`: positive, and wrapping before it could overflow an Int32 when negated. */
export function nextSeq(seq: number): number {
  return (seq % 0x3fffffff) + 1;
}

export function readySlots(slots: readonly Int32Array[]): Int32Array[] {
  return slots.filter((s) => Atomics.load(s, S_READY) === 1);
}

/** The caller's side of the hand-offs so far, on both backends' pools (tools/handoff-profile.ts prints it per step). */
export interface HandoffStats {
  /** Tasks posted to a worker. */
  readonly posts: number;
  /** Posts whose notify woke a sleeping worker. */
  readonly wakes: number;
  /** Time spent in those notifies (a wake-up goes through the OS, and on a VM through the hypervisor). */
  readonly wakeMs: number;
  /** Joins that waited for a worker running the task's last chunks (the others took an unclaimed task back). */
  readonly waits: number;
  /** Waits that went to sleep after the spin. */
  readonly sleeps: number;
  /** Time spent in those waits. */
  readonly waitMs: number;
  /** Sleeps that ran into their 1 s timeout (a worker stalled, or a lost wake-up). */
  readonly timeouts: number;
}

const stats = { posts: 0, wakes: 0, wakeMs: 0, waits: 0, sleeps: 0, waitMs: 0, timeouts: 0 };

export function handoffStats(): HandoffStats {
  return { ...stats };
}

/** Posts task `seq` to `slot` and wakes its worker; what the task is must be written before. */
export function post(slot: Int32Array, seq: number): void {
  // The seq store publishes the plain writes before it (Atomics are sequentially consistent).
  Atomics.store(slot, S_STATE, seq);
  const t0 = performance.now();
  stats.posts++;
  if (Atomics.notify(slot, S_STATE) > 0) {
    stats.wakes++;
    stats.wakeMs += performance.now() - t0;
  }
}

/** How many of the caller's waits for a worker ran into their 1 s timeout (a worker stalled, or a lost wake-up). */
export function joinTimeouts(): number {
  return stats.timeouts;
}

/**
 * How long a caller spins on a worker running the task's last chunks before it sleeps. That worker is busy,
 * so it is done within a chunk's time (a W2 product's 16-row chunk: 0.1–0.3 ms), while a sleeping caller is
 * woken late: each wake-up goes through the hypervisor. With 0.05 ms, ~10% of a W2 step's joins slept,
 * 0.24–0.33 ms each; with 0.5 ms none did, and the joins' wait fell from 200–260 to 110–180 µs a step.
 */
export const JOIN_SPIN_MS = 0.5;

/**
 * Returns once no worker in `slots` can still touch task `seq`: each has finished it or never claimed it
 * (then it is taken back). A claimed task finishes after the few chunks its worker claims. Spins `spinMs`,
 * then sleeps in Atomics.wait where `block` (a browser's main thread may only spin).
 */
export function join(slots: readonly Int32Array[], seq: number, spinMs: number, block: boolean): void {
  for (const s of slots) {
    if (Atomics.compareExchange(s, S_STATE, seq, 0) === seq) continue;
    const t0 = performance.now();
    let slept = false;
    // Sleep only on the value just seen: a worker that finishes after this load changes it, so the wait
    // returns at once. (Loading it again for the wait would sleep through a notify sent in between.)
    for (let done; (done = Atomics.load(s, S_DONE)) !== seq; ) {
      if (block && performance.now() - t0 > spinMs) {
        const woke = Atomics.wait(s, S_DONE, done, 1000);
        if (woke !== "not-equal") slept = true;
        if (woke === "timed-out") stats.timeouts++;
      }
    }
    stats.waits++;
    if (slept) stats.sleeps++;
    stats.waitMs += performance.now() - t0;
  }
}

/**
 * The worker's side as source text (workers are started from source, so no file must be found beside this
 * module): `serveTasks(ctl, spinMs, run)` marks the worker ready, then forever waits for a task newer than
 * the last, spinning `spinMs` before it sleeps, claims it, calls `run(seq)` and reports it done.
 */
export const SERVE_TASKS_SOURCE = `
function serveTasks(ctl, spinMs, run) {
  Atomics.store(ctl, ${S_READY}, 1);
  let seen = 0;
  const idle = (s) => s <= 0 || s === seen;
  for (;;) {
    let s;
    const t0 = performance.now();
    while (idle(s = Atomics.load(ctl, ${S_STATE})) && performance.now() - t0 < spinMs) {}
    while (idle(s = Atomics.load(ctl, ${S_STATE}))) Atomics.wait(ctl, ${S_STATE}, s);
    seen = s;
    if (Atomics.compareExchange(ctl, ${S_STATE}, s, -s) !== s) continue; // the caller took it back
    run(s);
    Atomics.store(ctl, ${S_DONE}, s);
    Atomics.notify(ctl, ${S_DONE});
  }
}
`;
