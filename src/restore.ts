// The one idiom for a setting changed for a block: its setter returns a Disposable that puts the previous value
// back, and the block holds it with `using` (as `cr.noGrad()` and `setGradEnabled` do).

/** A Disposable that runs `restore` once, however often it is disposed. */
export function restoring(restore: () => void): Disposable {
  let done = false;
  return {
    [Symbol.dispose](): void {
      if (done) return;
      done = true;
      restore();
    },
  };
}
