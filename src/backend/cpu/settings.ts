// The cpu backend's own settings and reports, public as `cr.backends.cpu`.
export { setCpuThreads as setThreads } from "./sharing.js";
export { warmUpCpuThreads as warmUp, cpuWorkerChunks as workerChunks } from "./threads.js";
export { cpuMemoryStats as memoryStats, emptyCpuCache as emptyCache } from "./buffer-pool.js";
export type { CpuMemoryStats } from "./buffer-pool.js";
