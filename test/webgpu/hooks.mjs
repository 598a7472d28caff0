// Loaded (--import) by the webgpu suites' process: the test files whose tables the suites import (*.test.ts) get a
// node:test that registers nothing, so importing them runs none of their own tests, which test/ runs elsewhere.
import { register } from "node:module";

register("./quiet-node-test.mjs", import.meta.url);
