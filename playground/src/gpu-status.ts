// WebGPU for the playground: opened once at start where the browser has it (navigator.gpu with an adapter); the
// network lab trains on it, and the header says which backend runs.
import * as cr from "chainrule";

/** The GPU once opened, or null where the browser has none (the labs then run on the default backend). */
export const webgpu: Promise<cr.backends.webgpu.WebGpuInfo | null> =
  typeof navigator !== "undefined" && "gpu" in navigator ? cr.backends.webgpu.init().catch(() => null) : Promise.resolve(null);

/** A line saying where the labs run. */
export function backendLine(info: cr.backends.webgpu.WebGpuInfo | null): string {
  const base = `backend: ${cr.getBackend()}`;
  if (info === null) return `${base} (this browser has no WebGPU)`;
  const name = [info.vendor, info.architecture].filter(Boolean).join(" ") || "a GPU";
  return `${base}; the network lab trains on webgpu (${name}${info.software ? ", a software adapter" : ""})`;
}
