// Finding a GPU and opening a device, once: the browser's `navigator.gpu`, or in Node the optional `webgpu` package
// (Dawn), imported only when `init()` is called, so chainrule itself never loads its 51 MB binary.
import { ArgumentError } from "../../errors.js";
import type { GpuAdapter, GpuDevice, GpuLike } from "./gpu-types.js";

/** What `cr.backends.webgpu.init()` found. */
export interface WebGpuInfo {
  /** The adapter's vendor, architecture and device, as it reports them (empty where it does not say). */
  readonly vendor: string;
  /** The GPU's architecture as the adapter reports it (`"ampere"`; empty where it does not say). */
  readonly architecture: string;
  /** The device's name or id as the adapter reports it (empty where it does not say). */
  readonly device: string;
  /** The adapter's own description of itself (empty where it gives none). */
  readonly description: string;
  /** A CPU implementation (SwiftShader, lavapipe): WebGPU works, but slower than the wasm backend. */
  readonly software: boolean;
  /** The adapter has `shader-f16` (half-precision arithmetic in shaders), which the device was opened with. */
  readonly f16: boolean;
  /** Where the GPU came from: the browser's `navigator.gpu`, or the `webgpu` package in Node. */
  readonly source: "navigator.gpu" | "webgpu package";
}

/** Options of `init()`. */
export interface WebGpuInitOptions {
  /** Which GPU a machine with two should give (the adapter request's `powerPreference`). Default "high-performance". */
  readonly powerPreference?: "low-power" | "high-performance";
  /** Ask for the implementation's CPU fallback adapter (tests without a GPU). */
  readonly forceFallbackAdapter?: boolean;
  /** Flags for Dawn in Node (`create(flags)` of the `webgpu` package), such as `"backend=vulkan"`. */
  readonly dawnFlags?: readonly string[];
}

interface State {
  readonly gpu: GpuLike;
  readonly device: GpuDevice;
  readonly info: WebGpuInfo;
}

let state: State | null = null;
let opening: Promise<State> | null = null;
let lostReason: string | null = null;
let firstError: string | null = null;

/** The open device; throws naming `init()` where there is none. */
export function gpuDevice(): GpuDevice {
  if (state === null) {
    throw new ArgumentError(lostReason !== null
      ? `webgpu: the GPU device was lost (${lostReason}); call await cr.backends.webgpu.init() again`
      : "webgpu: the backend is not initialised; call await cr.backends.webgpu.init() first");
  }
  return state.device;
}

/**
 * Whether a device is open (the backend can run).
 * @example cr.backends.webgpu.available() // false until `await cr.backends.webgpu.init()` has opened a device
 */
export function webgpuReady(): boolean {
  return state !== null;
}

/**
 * What the open device is, or null before `init()`.
 * @example cr.backends.webgpu.info()?.description // the adapter, once init() has run; null before
 */
export function webgpuInfo(): WebGpuInfo | null {
  return state?.info ?? null;
}

/** The first error the device reported outside a call that could throw it (a shader that did not compile), once. */
export function takeDeviceError(): string | null {
  const e = firstError;
  firstError = null;
  return e;
}

/**
 * Opens the GPU for the webgpu backend (once; later calls return the same promise's result). In Node it imports the
 * optional `webgpu` package. Rejects, saying why, where there is no WebGPU or no adapter.
 * @example
 * ```ts
 * const info = await cr.backends.webgpu.init(); // rejects, saying why, without a GPU
 * cr.setBackend("webgpu");
 * ```
 */
export function initWebGpu(options: WebGpuInitOptions = {}): Promise<WebGpuInfo> {
  if (state !== null) return Promise.resolve(state.info);
  opening ??= open(options).then(
    (s) => {
      state = s;
      lostReason = null;
      return s;
    },
    (e: unknown) => {
      opening = null;
      throw e;
    },
  );
  return opening.then((s) => s.info);
}

async function findGpu(options: WebGpuInitOptions): Promise<{ gpu: GpuLike; source: WebGpuInfo["source"] }> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu !== undefined) return { gpu: nav.gpu, source: "navigator.gpu" };
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
  if (!isNode) throw new ArgumentError("webgpu: this browser has no WebGPU (navigator.gpu is undefined)");
  // A specifier in a variable: bundlers leave it alone, and chainrule does not depend on the package.
  const specifier = "webgpu";
  let mod: { create(flags: string[]): GpuLike };
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as typeof mod;
  } catch (e) {
    throw new ArgumentError(
      `webgpu: WebGPU in Node needs the optional package "webgpu" (Dawn): npm install webgpu (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
    );
  }
  return { gpu: mod.create([...(options.dawnFlags ?? [])]), source: "webgpu package" };
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

async function open(options: WebGpuInitOptions): Promise<State> {
  const { gpu, source } = await findGpu(options);
  const adapter: GpuAdapter | null = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? "high-performance",
    ...(options.forceFallbackAdapter === true ? { forceFallbackAdapter: true } : {}),
  });
  if (adapter === null) {
    throw new ArgumentError(
      "webgpu: no GPU adapter was found" +
        (source === "webgpu package" ? " (Dawn needs a Vulkan driver: a GPU's, or SwiftShader through VK_ICD_FILENAMES)" : ""),
    );
  }
  const f16 = adapter.features.has("shader-f16");
  // The adapter's own limits where they exceed WebGPU's defaults: larger buffers, more buffers per kernel.
  const wanted = ["maxStorageBufferBindingSize", "maxBufferSize", "maxStorageBuffersPerShaderStage", "maxComputeWorkgroupStorageSize", "maxComputeInvocationsPerWorkgroup", "maxComputeWorkgroupSizeX"];
  const requiredLimits: Record<string, number> = {};
  for (const name of wanted) if (typeof adapter.limits[name] === "number") requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredFeatures: f16 ? ["shader-f16"] : [], requiredLimits });
  device.onuncapturederror = (event) => {
    firstError ??= event.error.message;
  };
  void device.lost.then((info) => {
    if (state?.device !== device) return;
    state = null;
    opening = null;
    lostReason = info.message || info.reason;
  });
  const ai = adapter.info ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const named = [text(ai.vendor), text(ai.architecture), text(ai.device), text(ai.description)];
  return {
    gpu,
    device,
    info: {
      vendor: named[0]!, architecture: named[1]!, device: named[2]!, description: named[3]!,
      software: ai.isFallbackAdapter === true || SOFTWARE.test(named.join(" ")),
      f16,
      source,
    },
  };
}
