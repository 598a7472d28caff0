// Runs a step generator a slice at a time between frames, so long experiments keep the page responsive.

/** Pulls items from `gen` for about `sliceMs` per timer tick; `onSlice` redraws. Returns a function that cancels the run. */
export function drive<T>(gen: Iterator<T>, onItem: (item: T) => void, onSlice: (done: boolean) => void, sliceMs = 30): () => void {
  let cancelled = false;
  const tick = (): void => {
    if (cancelled) return;
    const start = performance.now();
    while (performance.now() - start < sliceMs) {
      const r = gen.next();
      if (r.done === true) {
        onSlice(true);
        return;
      }
      onItem(r.value);
    }
    onSlice(false);
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return () => { cancelled = true; };
}
