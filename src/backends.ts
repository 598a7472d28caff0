// The backends chainrule ships, registered (each registers itself on import), and their own settings under their
// names: `cr.backends.wasm.setThreads(2)`. The one module that knows the backends by name.
import "./backend/cpu/register.js";
import "./backend/wasm/register.js";

export * as cpu from "./backend/cpu/settings.js";
export * as wasm from "./backend/wasm/settings.js";
import "./backend/webgpu/register.js";
export * as webgpu from "./backend/webgpu/settings.js";
