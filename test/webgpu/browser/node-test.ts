// In the browser bundle of the webgpu suites: node:test, for the test files whose tables they import, registering nothing.
const none = (): void => {};
export const test = none, it = none, describe = none, before = none, after = none, beforeEach = none, afterEach = none;
export default none;
