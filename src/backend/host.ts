// What a backend may ask of its host without importing it: Node built-ins where they exist, nothing in browsers.

/** A Node built-in module, synchronously and without a static import, so the same code loads in browsers. */
export function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

/** Logical cores available to this process (Node), or the browser's hardwareConcurrency, at most 8. */
export function availableThreads(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>("os");
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.min(os?.availableParallelism?.() ?? os?.cpus().length ?? nav?.hardwareConcurrency ?? 1, 8);
}
