// Memory a tensor holds outside the JavaScript heap (a wasm heap block, a GPU buffer) is freed when the
// tensor is disposed, or, for code written as a PyTorch user writes it (no scopes, no dispose), when the
// garbage collector finds the tensor dead and a FinalizationRegistry hears of it. JavaScript hears of it
// only between tasks, and a synchronous training loop is one long task: its dead tensors' memory would
// pile up until the loop ended. So where the engine offers it (Node: V8's `cleanupSome` and `gc`, turned
// on for one private context, not for the user's code), the library runs those finalizers itself at safe
// points — calls from user code (backward(), a module's forward, an optimizer step), where no kernel holds
// a raw buffer whose tensor might be dead — and collects garbage once enough memory was allocated outside
// the heap since the last time, as the collector would if it could see that memory. Elsewhere (browsers)
// registries are plain, and memory comes back when the event loop turns, as in any loop that awaits.

type Cleanup = (held: never) => void;
interface Registry {
  cleanupSome?: () => void;
}
interface Engine {
  readonly FinalizationRegistry: FinalizationRegistryConstructor;
  readonly gc: (() => void) | null;
}

function privateEngine(): Engine | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const load = proc?.getBuiltinModule;
  if (typeof load !== "function") return null;
  try {
    const v8 = load.call(proc, "node:v8") as { setFlagsFromString(flags: string): void } | undefined;
    const vm = load.call(proc, "node:vm") as { createContext(): object; runInContext(code: string, ctx: object): unknown } | undefined;
    if (v8 === undefined || vm === undefined) return null;
    // Both flags only add globals to contexts created afterwards: the user's own context keeps what it had.
    v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
    v8.setFlagsFromString("--expose-gc");
    const ctx = vm.createContext();
    const [FR, gc] = vm.runInContext("[FinalizationRegistry, typeof gc === 'function' ? gc : null]", ctx) as [FinalizationRegistryConstructor, (() => void) | null];
    if (typeof (FR.prototype as Registry).cleanupSome !== "function") return null;
    return { FinalizationRegistry: FR, gc };
  } catch {
    return null;
  }
}

const engine = privateEngine();
const registries: Registry[] = [];

/** A FinalizationRegistry whose finalizers `safePoint()` may run synchronously (where the engine allows it). */
export function finalizationRegistry<T>(cleanup: (held: T) => void): FinalizationRegistry<T> {
  const Ctor = engine?.FinalizationRegistry ?? FinalizationRegistry;
  const r = new Ctor<T>(cleanup as Cleanup as (held: T) => void);
  registries.push(r as Registry);
  return r;
}

/**
 * Collect once memory outside the heap grew by this much since the last collection (or by as much as
 * survived it, if more): memory that dispose() and scopes free at once never counts.
 */
const MIN_GROWTH = 32 * 2 ** 20;
let liveBytes = 0;
// Released memory a backend could not reuse and left to the collector: garbage until the next collection.
let droppedBytes = 0;
let liveAfterGc = 0;
let threshold = MIN_GROWTH;
// Collections cost a full mark of the JavaScript heap: at most 1/10 of the time between them.
const MAX_GC_SHARE = 1 / 10;
let lastGcEnd = 0;
let lastGcMs = 0;
let collections = 0;
let collectMs = 0;
let inSafePoint = false;

/**
 * Tensors alive or awaiting collection, and as many since the last collection here: V8 finds a dead tensor only in
 * a full collection (the FinalizationRegistry's targets outlive its minor ones), so a loop of small tensors that
 * frees no memory to speak of outside the heap still piles them up (15,000 at a time, +58 MB of RSS in 20,000
 * steps of a small MLP). Collect once they grew by this many, or by as many as survived the last collection.
 */
const MIN_OBJECT_GROWTH = 10_000;
let liveObjects = 0;
let liveObjectsAfterGc = 0;
let objectThreshold = MIN_OBJECT_GROWTH;

/** Counts tensors made (+1) and gone (−1: disposed, or collected). */
export function noteObjects(delta: number): void {
  liveObjects += delta;
}

/** Counts memory a backend took outside the JavaScript heap for a tensor. */
export function noteAllocated(bytes: number): void {
  liveBytes += bytes;
}

/** Counts memory a backend gave back. */
export function noteReleased(bytes: number): void {
  liveBytes -= bytes;
}

/**
 * Counts released memory a backend left to the garbage collector (its pool was full): V8 does not see memory
 * outside its heap as pressure, so this is garbage the next collection here should come for.
 */
export function noteDropped(bytes: number): void {
  droppedBytes += bytes;
}

/**
 * Called where user code calls the library (no kernel is running): runs pending finalizers, and collects
 * garbage first when enough memory outside the heap was allocated since the last collection.
 */
export function safePoint(): void {
  if (engine === null || inSafePoint) return;
  inSafePoint = true;
  try {
    const grown = liveBytes + droppedBytes - liveAfterGc >= threshold || liveObjects - liveObjectsAfterGc >= objectThreshold;
    if (engine.gc !== null && grown) {
      const now = performance.now();
      if (now - lastGcEnd >= lastGcMs / MAX_GC_SHARE) {
        engine.gc();
        lastGcEnd = performance.now();
        lastGcMs = lastGcEnd - now;
        collections++;
        collectMs += lastGcMs;
        for (const r of registries) r.cleanupSome!();
        liveAfterGc = liveBytes;
        droppedBytes = 0;
        threshold = Math.max(MIN_GROWTH, liveBytes);
        liveObjectsAfterGc = liveObjects;
        objectThreshold = Math.max(MIN_OBJECT_GROWTH, liveObjects);
        return;
      }
    }
    for (const r of registries) r.cleanupSome!();
    // Memory freed since (scopes, V8's own collections) lowers the mark the next collection is measured from.
    liveAfterGc = Math.min(liveAfterGc, liveBytes);
    liveObjectsAfterGc = Math.min(liveObjectsAfterGc, liveObjects);
  } finally {
    inSafePoint = false;
  }
}

export interface ReclaimStats {
  /** Whether dead tensors' memory is reclaimed during a synchronous loop (Node), or only between tasks. */
  readonly synchronous: boolean;
  /** Garbage collections the library started, and the milliseconds they took. */
  readonly collections: number;
  readonly collectMs: number;
}

export function reclaimStats(): ReclaimStats {
  return { synchronous: engine !== null, collections, collectMs };
}
