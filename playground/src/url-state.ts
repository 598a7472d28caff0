// The whole experiment lives in the URL's query string, so an experiment is a link someone can share.

/** Reads a string parameter, falling back when it is absent. */
export function getString(key: string, fallback: string): string {
  return new URLSearchParams(location.search).get(key) ?? fallback;
}

/** Reads a parameter that must be one of `options`; anything else (a hand-edited link) gets the fallback. */
export function getChoice<T extends string>(key: string, options: readonly T[], fallback: T): T {
  const v = new URLSearchParams(location.search).get(key);
  return options.find((o) => o === v) ?? fallback;
}

/** Reads a finite number within [min, max]; anything else gets the fallback. */
export function getNumber(key: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = new URLSearchParams(location.search).get(key);
  if (raw === null || raw.trim() === "") return fallback;
  const v = Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

/**
 * Replaces the query string with `params` (dropping other keys), without a page load or a history
 * entry per keystroke: the address bar always shows a link to the state on screen.
 */
export function setParams(params: Record<string, string | number>): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const url = `${location.pathname}?${q.toString()}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, "", url);
}
