// In the browser bundle of the webgpu suites: the part of node:assert/strict the imported tables and runners use.
function fail(message: string | undefined, fallback: string): never {
  throw new Error(message ?? fallback);
}
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
export function ok(value: unknown, message?: string): asserts value {
  if (!value) fail(message, "assertion failed");
}
export function equal(a: unknown, b: unknown, message?: string): void {
  if (!Object.is(a, b)) fail(message, `${String(a)} !== ${String(b)}`);
}
export function notEqual(a: unknown, b: unknown, message?: string): void {
  if (Object.is(a, b)) fail(message, `${String(a)} === ${String(b)}`);
}
export function deepEqual(a: unknown, b: unknown, message?: string): void {
  if (!same(a, b)) fail(message, `${JSON.stringify(a)} is not ${JSON.stringify(b)}`);
}
const assert = Object.assign(ok, { ok, equal, notEqual, deepEqual, strictEqual: equal, deepStrictEqual: deepEqual });
export default assert;
