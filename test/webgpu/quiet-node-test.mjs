// The module hook of hooks.mjs: "node:test" imported from a *.test.ts file resolves to a stand-in whose tests are
// never registered.
const standIn = `data:text/javascript,${encodeURIComponent(`
const none = () => {};
none.skip = none; none.todo = none; none.only = none;
export const test = none, it = none, describe = none, suite = none;
export const before = none, after = none, beforeEach = none, afterEach = none;
export const mock = {};
export default none;
`)}`;

export async function resolve(specifier, context, next) {
  if ((specifier === "node:test" || specifier === "test") && /\.test\.ts$/.test(context.parentURL ?? "")) return { url: standIn, shortCircuit: true };
  return next(specifier, context);
}
