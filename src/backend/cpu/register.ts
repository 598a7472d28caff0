// Registers the cpu backend: the pure-TypeScript reference, available everywhere, chosen where nothing faster runs.
import { registerBackend } from "../registry.js";
import { cpuBackend } from "./index.js";
import { setCpuThreads } from "./sharing.js";

registerBackend(cpuBackend, { priority: 0, setThreads: setCpuThreads });
