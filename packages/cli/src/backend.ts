// `chainrule train --backend <name>`: selects the backend the run's tensors live on, opening the GPU first for
// webgpu (asynchronous, and it may find none: the run stops with the reason).
import * as cr from "chainrule";
import type { Command } from "commander";

/**
 * Readies backend `name` for the run (opening the GPU for webgpu); `model` says which kind of run, since a GPT's
 * training reads its losses synchronously. A GPT run selects it now; an MLP's after preparing its data, which
 * reads the data back (runTrain).
 */
export async function useBackend(name: string, model: "gpt" | "mlp", cmd: Command): Promise<void> {
  if (name === "webgpu") {
    if (model === "gpt") cmd.error("error: --backend webgpu trains mlp and cnn models; a GPT trains on cpu or wasm");
    try {
      const info = await cr.backends.webgpu.init();
      console.log(`backend webgpu: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "a GPU"}${info.software ? " (a software adapter: slower than --backend wasm)" : ""}`);
    } catch (e) {
      cmd.error(`error: --backend webgpu: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (model === "gpt") cr.setBackend(name);
}
