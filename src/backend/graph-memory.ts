// The memory a captured graph (capture.ts) replays into. A replay runs the recorded backend calls on the
// buffers they used when they were recorded, so those buffers must stay where they are while the graph lives:
// releasing one (a scope's end, dispose(), a kernel's own temporaries) is deferred until the last graph
// holding it is disposed. And for the wasm heap, a replayed call's allocations are answered with the blocks
// the recorded call got, in order, so outputs land where the recorded calls' readers expect them, uncopied.

/** How many live graphs hold each buffer. */
const holds = new Map<object, number>();
/** Releases asked for while held: run when the last hold goes. */
const deferred = new Map<object, () => void>();

/** Whether some live graph holds `buf` (its release must wait). */
export function isHeld(buf: object): boolean {
  return holds.size > 0 && holds.has(buf);
}

export function hold(buf: object): void {
  holds.set(buf, (holds.get(buf) ?? 0) + 1);
}

/** Drops one hold on each of `bufs`; a buffer held no more is released now if its release was deferred. */
export function unhold(bufs: Iterable<object>): void {
  const free: (() => void)[] = [];
  for (const buf of bufs) {
    const n = (holds.get(buf) ?? 1) - 1;
    if (n > 0) {
      holds.set(buf, n);
      continue;
    }
    holds.delete(buf);
    const release = deferred.get(buf);
    if (release !== undefined) {
      deferred.delete(buf);
      free.push(release);
    }
  }
  for (const release of free) release();
}

/** Defers `release` of a held buffer to when the last graph holding it lets go; `onDefer` hears of it (capture.ts checks it). */
export function deferRelease(buf: object, release: () => void): void {
  deferred.set(buf, release);
  onDefer?.(buf);
}

let onDefer: ((buf: object) => void) | null = null;

/** Sets what hears of deferred releases (the capture in progress), or null. */
export function setDeferListener(listener: ((buf: object) => void) | null): void {
  onDefer = listener;
}

/** Buffers waiting for their holds to go (tests check that dispose() leaves none). */
export function deferredReleases(): number {
  return deferred.size;
}

/**
 * The heap allocator's side of a capture: while `record` is set, each block it hands out is appended there;
 * while `replay` is set, a request of the same dtype and length as the next recorded block gets that block.
 */
export const allocationTape: { record: object[] | null; replay: readonly object[] | null; at: number } = { record: null, replay: null, at: 0 };

/** Buffers some live graph holds (tests check that a refused capture holds none). */
export function heldBuffers(): number {
  return holds.size;
}
