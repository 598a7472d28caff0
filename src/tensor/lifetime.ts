// Tensor lifetimes: which tensors are alive, which scope made them, and when a backend may reuse their
// memory. A buffer is released once every tensor using it is disposed (views share buffers), or, as a
// safety net, once they are all garbage-collected. Backends without `release` (cpu) only get the bookkeeping,
// so a scope behaves the same on every backend.
import type { Backend, DataBuf } from "../backend/backend.js";
import { deferRelease, isHeld } from "../backend/graph-memory.js";
import { finalizationRegistry, noteObjects } from "../backend/reclaim.js";

/** What the bookkeeping needs of a tensor (the Tensor class, without importing it here). */
export interface Tracked {
  /** @internal The buffer, read without the disposed check. */
  readonly _storage: DataBuf;
  readonly _backend: Backend;
  /** @internal */ _disposed: boolean;
  /** @internal Outlives the scope that made it: "user" (cr.keep, parameters, optimizer state) or "grad" (a `.grad` the engine stored). */
  _kept: "user" | "grad" | null;
}

/** The tensors a scope made, in order, and the first autograd node number that belongs to it. */
export interface Frame {
  readonly tensors: Tracked[];
  readonly firstNode: number;
}

const frames: Frame[] = [];
const refs = new WeakMap<DataBuf, number>();
let live = 0;
let disposedByScopes = 0;
let collectedTensors = 0;

function unref(buf: DataBuf, backend: Backend): void {
  const n = (refs.get(buf) ?? 1) - 1;
  if (n > 0) {
    refs.set(buf, n);
  } else {
    refs.delete(buf);
    // A captured graph replays into this buffer: it is freed when the graph is disposed.
    if (isHeld(buf)) deferRelease(buf, () => backend.release?.(buf));
    else backend.release?.(buf);
  }
}

/** @internal Whether `t` is the only live tensor on its memory (no view, no detached twin). */
export function soleOwner(t: Tracked): boolean {
  return refs.get(t._storage) === 1;
}

// A tensor collected without dispose(): its share of a backend-owned buffer goes with it. The held value
// keeps such a buffer reachable until then, so the backend's own net never frees it first; buffers on the
// JavaScript heap are not held (that would keep them alive until the event loop turns), and their counts
// die with them (a WeakMap).
const collected = finalizationRegistry<{ buf: DataBuf; backend: Backend } | null>((held) => {
  live--;
  noteObjects(-1);
  collectedTensors++;
  if (held !== null) unref(held.buf, held.backend);
});

/** @internal Called by every Tensor constructor. */
export function track(t: Tracked): void {
  live++;
  noteObjects(1);
  const backend = t._backend;
  refs.set(t._storage, (refs.get(t._storage) ?? 0) + 1);
  collected.register(t, backend.ownsMemory?.(t._storage) === true ? { buf: t._storage, backend } : null, t);
  frames[frames.length - 1]?.tensors.push(t);
}

/** @internal Ends `t`'s life now: its memory may be reused, and any later use of it throws. */
export function disposeTracked(t: Tracked): void {
  if (t._disposed) return;
  t._disposed = true;
  live--;
  noteObjects(-1);
  collected.unregister(t);
  unref(t._storage, t._backend);
}

/** @internal Marks `t` as outliving scopes (see Tracked._kept); a user's keep wins over the engine's. */
export function markKept<T extends Tracked>(t: T, reason: "user" | "grad"): T {
  if (t._kept !== "user") t._kept = reason;
  return t;
}

/**
 * @internal A `.grad` the engine stored was replaced or cleared: it belongs to the current scope now, as
 * if made there, so a training step's scope frees the previous step's gradients.
 */
export function adoptDroppedGrad(t: Tracked): void {
  if (t._kept !== "grad") return;
  t._kept = null;
  frames[frames.length - 1]?.tensors.push(t);
}

/** @internal Opens a scope. */
export function pushFrame(firstNode: number): Frame {
  const f: Frame = { tensors: [], firstNode };
  frames.push(f);
  return f;
}

/**
 * @internal Closes `frame` (the innermost open one): disposes what it made except `survivors`, which move
 * to the enclosing scope (if any) so it frees them in turn.
 */
export function popFrame(frame: Frame, survivors: ReadonlySet<Tracked>): void {
  const i = frames.lastIndexOf(frame);
  if (i < 0) return; // already closed
  // Scopes opened inside this one and not closed (an exception skipped their end) close with it.
  const inner = frames.splice(i);
  const parent = frames[frames.length - 1];
  for (const f of inner) {
    for (const t of f.tensors) {
      if (t._disposed || t._kept !== null) continue;
      if (survivors.has(t)) {
        parent?.tensors.push(t);
      } else {
        disposeTracked(t);
        disposedByScopes++;
      }
    }
  }
}

/** Counts of live tensors, for tests and tools. */
export interface TensorCounts {
  /** Tensors neither disposed nor garbage-collected (collection is noticed between tasks, not at once). */
  readonly numTensors: number;
  /** Open scopes. */
  readonly scopes: number;
  /** Tensors disposed by scopes so far. */
  readonly disposedByScopes: number;
  /** Tensors the garbage collector took without dispose() or a scope: memory a scope could have freed sooner. */
  readonly collectedTensors: number;
}

export function tensorCounts(): TensorCounts {
  return { numTensors: live, scopes: frames.length, disposedByScopes, collectedTensors };
}

/**
 * @internal `t` holds `buf` on `backend` from now on (Module.to moving a parameter to another backend, keeping the
 * Parameter object): its share of its old buffer goes, as if disposed, and the new one is tracked as its own.
 */
export function moveTracked(t: Tracked, buf: DataBuf, backend: Backend): void {
  const mutable = t as { _storage: DataBuf; _backend: Backend };
  const [oldBuf, oldBackend] = [t._storage, t._backend];
  collected.unregister(t);
  mutable._storage = buf;
  mutable._backend = backend;
  refs.set(buf, (refs.get(buf) ?? 0) + 1);
  collected.register(t, backend.ownsMemory?.(buf) === true ? { buf, backend } : null, t);
  unref(oldBuf, oldBackend);
}
