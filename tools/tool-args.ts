// What the timing tools share: their arguments checked against a usage line, and the backend made current
// with its worker threads started, so the first timed steps do not wait for them.
import * as cr from "chainrule";
import { useBackend } from "../bench/workloads/chainrule.mjs";

/** Exits with `usage` (status 2) unless `ok`. */
export function checkUsage(ok: boolean, usage: string): void {
  if (ok) return;
  console.error(`usage: ${usage}`);
  process.exit(2);
}

/** Makes `name` the current backend (exiting with its problem where it cannot be); on wasm, waits for the workers. */
export async function startBackend(name: string): Promise<void> {
  const problem = await useBackend(name);
  if (problem !== null) {
    console.error(problem);
    process.exit(1);
  }
  if (name !== "wasm") return;
  cr.backends.wasm.warmUp();
  for (let i = 0; i < 100 && cr.backends.wasm.memoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
