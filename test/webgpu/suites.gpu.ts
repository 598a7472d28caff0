// The webgpu suites, in one process (one device, each pipeline compiled once): run by test/webgpu.test.ts with
// the environment that finds a Vulkan driver.
import "./conformance.gpu.js";
import "./api.gpu.js";
import "./fixtures.gpu.js";
import "./training.gpu.js";
import "./ordering.gpu.js";
import "./attention.gpu.js";
import "./linalg.gpu.js";
import "./matmul-f16.gpu.js";
