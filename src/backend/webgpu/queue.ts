// Running kernels: compiled pipelines (once per shader source), and one command encoder that collects dispatches
// and copies until something needs their results on the host (a read) or the batch is full, then submits them
// together. Each dispatch's parameters (shapes, strides, scalars) go in one uniform buffer per submission, so a
// pipeline serves every shape of its class. Reads copy into mappable staging buffers and resolve after mapAsync.
import { IndexError } from "../../errors.js";
import { gpuDevice, takeDeviceError } from "./device.js";
import { BufferUsage, MAP_READ } from "./gpu-types.js";
import type { GpuBuffer, GpuCommandEncoder, GpuComputePass, GpuComputePipeline } from "./gpu-types.js";
import { destroyRetired, giveBlock, takeBlock } from "./memory.js";
import type { Block } from "./memory.js";

/** Threads per workgroup of the one-dimensional kernels (WebGPU guarantees 256). */
export const WORKGROUP = 256;
/** Dispatches per submission at most: work starts on the GPU while more is recorded. */
const MAX_DISPATCHES = 512;
const UNIFORM_BYTES = 65536;
/** Uniform slices are aligned to minUniformBufferOffsetAlignment's largest allowed value. */
const UNIFORM_ALIGN = 256;

// ---- pipelines ----

const pipelines = new Map<string, GpuComputePipeline>();
const sources = new Map<GpuComputePipeline, string>();
let compiled = 0;

/** The pipeline of a WGSL compute shader (entry point `main`), compiled on first use and kept. */
export function pipelineFor(code: string): GpuComputePipeline {
  let p = pipelines.get(code);
  if (p === undefined) {
    const device = gpuDevice();
    device.pushErrorScope("validation");
    p = device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code }), entryPoint: "main" } });
    const made = p;
    void device.popErrorScope().then((e) => {
      if (e !== null) compileErrors.push(`${e.message}\n--- shader ---\n${code}`);
      else sources.delete(made);
    });
    sources.set(p, code);
    pipelines.set(code, p);
    compiled++;
  }
  return p;
}
const compileErrors: string[] = [];

/** How many pipelines were compiled (each once): tests check a loop compiles none after its first step. */
export function compiledPipelines(): number {
  return compiled;
}

// ---- the encoder ----

let encoder: GpuCommandEncoder | null = null;
let pass: GpuComputePass | null = null;
let serial = 0;
let dispatches = 0;
let submissions = 0;
const uniformHost = new ArrayBuffer(UNIFORM_BYTES);
const uniformWords = new Uint32Array(uniformHost);
let uniformUsed = 0;
let uniformBuffer: GpuBuffer | null = null;

function openEncoder(): GpuCommandEncoder {
  encoder ??= gpuDevice().createCommandEncoder();
  return encoder;
}

function openPass(): GpuComputePass {
  pass ??= openEncoder().beginComputePass();
  return pass;
}

function endPass(): void {
  pass?.end();
  pass = null;
}

function uniforms(): GpuBuffer {
  uniformBuffer ??= gpuDevice().createBuffer({ size: UNIFORM_BYTES, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST | BufferUsage.COPY_SRC });
  return uniformBuffer;
}

/** Marks `block` used by the open encoder (a later host write to it must wait for the submission). */
function use(block: Block): GpuBuffer {
  block.lastUse = serial;
  return block.buffer;
}

/** A storage binding: a pooled block, or a raw buffer (the error words). */
export type Binding = Block | GpuBuffer;

/**
 * Records a dispatch of `pipeline` with `bindings` at 0, 1, … and, where given, the parameters `params` (32-bit
 * words) as a uniform at the next binding; `groups` workgroups along x, y and z.
 */
export function dispatch(pipeline: GpuComputePipeline, bindings: readonly Binding[], params: Uint32Array | null, groups: readonly [number, number?, number?]): void {
  const [x, y = 1, z = 1] = groups;
  if (x === 0 || y === 0 || z === 0) return;
  // Submit first where the parameters would not fit: the bindings are marked used by the encoder they run in.
  const bytes = params !== null ? Math.max(16, Math.ceil(params.length / 4) * 16) : 0;
  if (uniformUsed + bytes > UNIFORM_BYTES) flush();
  const entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[] = bindings.map((b, i) => ({
    binding: i,
    resource: { buffer: "bytes" in b ? use(b) : b },
  }));
  if (params !== null) {
    uniformWords.set(params, uniformUsed / 4);
    entries.push({ binding: bindings.length, resource: { buffer: uniforms(), offset: uniformUsed, size: bytes } });
    uniformUsed += Math.ceil(bytes / UNIFORM_ALIGN) * UNIFORM_ALIGN;
  }
  const group = gpuDevice().createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const p = openPass();
  p.setPipeline(pipeline);
  p.setBindGroup(0, group);
  p.dispatchWorkgroups(x, y, z);
  if (++dispatches >= MAX_DISPATCHES) flush();
}

/** Workgroups for `n` threads of `WORKGROUP` each, spread over x and y (each dimension takes at most 65535). */
export function groupsFor(n: number, perGroup = WORKGROUP): [number, number] {
  const groups = Math.ceil(n / perGroup);
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}

/** Records a copy between blocks (outside any compute pass). */
export function copy(src: Binding, srcOffset: number, dst: Binding, dstOffset: number, bytes: number): void {
  if (bytes === 0) return;
  endPass();
  openEncoder().copyBufferToBuffer("bytes" in src ? use(src) : src, srcOffset, "bytes" in dst ? use(dst) : dst, dstOffset, bytes);
}

/** Records setting `bytes` bytes of a block to zero (outside any compute pass). */
export function clear(block: Block, bytes = block.bytes): void {
  endPass();
  openEncoder().clearBuffer(use(block), 0, bytes);
}

/** Submits everything recorded so far. */
export function flush(): void {
  if (encoder === null) return;
  endPass();
  const device = gpuDevice();
  if (uniformUsed > 0) device.queue.writeBuffer(uniforms(), 0, uniformHost, 0, uniformUsed);
  device.queue.submit([encoder.finish()]);
  encoder = null;
  serial++;
  submissions++;
  dispatches = 0;
  uniformUsed = 0;
  destroyRetired();
}

/** Counts for tests and benchmarks: submissions so far, dispatches in the open encoder. */
export function queueStats(): { submissions: number; pendingDispatches: number } {
  return { submissions, pendingDispatches: dispatches };
}

/**
 * Writes host data into `block` through the queue. A block the open encoder uses may hold what a recorded dispatch
 * reads (it was released and reused since): the encoder is submitted first, so the write lands after that read.
 */
export function writeBlock(block: Block, data: ArrayBufferView, byteOffset = 0): void {
  if (block.lastUse === serial && encoder !== null) {
    // Small data (a scalar, a step's targets) rides in this submission's parameter buffer and is copied in order
    // with the dispatches; only large data waits for a submission.
    const bytes = data.byteLength;
    if (bytes <= SMALL_WRITE && bytes % 4 === 0 && uniformUsed + bytes <= UNIFORM_BYTES) {
      new Uint8Array(uniformHost, uniformUsed, bytes).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
      copy(uniforms(), uniformUsed, block, byteOffset, bytes);
      uniformUsed += Math.ceil(bytes / UNIFORM_ALIGN) * UNIFORM_ALIGN;
      return;
    }
    flush();
  }
  gpuDevice().queue.writeBuffer(block.buffer, byteOffset, data);
}
/** Host writes up to this size go through the encoder (see writeBlock). */
const SMALL_WRITE = 4096;

// ---- errors kernels report (an index out of range): read back with the next read ----

let errorWords: GpuBuffer | null = null;
const checks: ((value: number) => Error)[] = [];
/** Checks kept between reads at most (their messages); later ones share the last. */
const MAX_CHECKS = 1024;

/**
 * The buffer a validating kernel flags its first bad value in (word 0: which check + 1, word 1: the value), and
 * the id of this check: the message `message(value)` is thrown by the next read, as CUDA reports a device-side
 * assertion at the next synchronization.
 */
export function errorCheck(message: (value: number) => string): { words: GpuBuffer; id: number } {
  return errorCheckOf((v) => new IndexError(message(v)));
}

/** errorCheck for any error: `error(value)` is what the next read throws (a LinAlgError for a singular matrix). */
export function errorCheckOf(error: (value: number) => Error): { words: GpuBuffer; id: number } {
  errorWords ??= gpuDevice().createBuffer({ size: 16, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
  if (checks.length < MAX_CHECKS) checks.push(error);
  else checks[MAX_CHECKS - 1] = () => new Error("webgpu: a kernel reported an error (one of many checks since the last read)");
  return { words: errorWords, id: checks.length };
}

// ---- reading back ----

const staging = new Map<number, GpuBuffer[]>();

function takeStaging(bytes: number): GpuBuffer {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  return staging.get(size)?.pop() ?? gpuDevice().createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
}

function giveStaging(b: GpuBuffer): void {
  let list = staging.get(b.size);
  if (list === undefined) staging.set(b.size, (list = []));
  if (list.length < 4) list.push(b);
  else b.destroy();
}

/**
 * The first `bytes` of `block` on the host. The copy is recorded now (so the block may be released at once);
 * the promise resolves when the GPU has done everything recorded before it. Rejects with what a kernel or the
 * device reported since the last read.
 */
export async function readBlock(block: Block | null, bytes: number): Promise<ArrayBuffer> {
  const out = bytes > 0 && block !== null ? takeStaging(bytes) : null;
  if (out !== null) copy(block!, 0, out, 0, bytes);
  const errs = errorWords !== null && checks.length > 0 ? takeStaging(16) : null;
  const pendingChecks = errs !== null ? checks.splice(0) : [];
  if (errs !== null) copy(errorWords!, 0, errs, 0, 16);
  flush();
  const device = gpuDevice();
  if (out === null && errs === null) await device.queue.onSubmittedWorkDone();
  let data = new ArrayBuffer(0);
  if (out !== null) {
    await out.mapAsync(MAP_READ, 0, Math.ceil(bytes / 4) * 4);
    data = out.getMappedRange(0, bytes).slice(0);
    out.unmap();
    giveStaging(out);
  }
  if (errs !== null) {
    await errs.mapAsync(MAP_READ, 0, 16);
    const words = new Int32Array(errs.getMappedRange(0, 16).slice(0));
    errs.unmap();
    giveStaging(errs);
    if (words[0] !== 0) {
      device.queue.writeBuffer(errorWords!, 0, new Uint32Array(4));
      const check = pendingChecks[words[0]! - 1];
      throw check !== undefined ? check(words[1]!) : new IndexError("webgpu: a kernel found an index out of range");
    }
  }
  const compileError = compileErrors.shift();
  if (compileError !== undefined) throw new Error(`webgpu: a shader did not compile: ${compileError}`);
  const deviceError = takeDeviceError();
  if (deviceError !== null) throw new Error(`webgpu: the GPU reported an error: ${deviceError}`);
  return data;
}

/** A block holding `data` (4-byte elements), written through the queue. */
export function uploadBlock(data: ArrayBufferView): Block {
  const block = takeBlock(Math.max(4, data.byteLength));
  if (data.byteLength > 0) writeBlock(block, data);
  return block;
}

/** Returns a scratch block (a kernel's temporary) to the pool; the recorded dispatches using it still run first. */
export function releaseScratch(block: Block): void {
  giveBlock(block);
}
