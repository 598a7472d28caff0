// Types of gpt.mjs for the tools that import it (tools/step-profile.ts); the bench itself is plain ESM.

/** W7: `step()` runs one training iteration of the GPT on a fresh batch and returns the loss read back. */
export declare function gptTrainWorkload(): { step(): number };
/** W8: `run()` generates `newTokens` tokens greedily from a one-token prompt (batch 1) and returns them. */
export declare function gptGenerateWorkload(newTokens?: number): { run(): Int32Array | Float32Array | Float64Array };
