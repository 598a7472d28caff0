// Types of chainrule.mjs for test/bench.test.ts (the bench itself is plain ESM so it runs on the built package without a loader).
import type { CapturedGraph, Tensor, Value } from "chainrule";

export declare const CANDIDATE_BACKENDS: readonly string[];
export declare function useBackend(name: string): Promise<string | null>;
export declare function matmulWorkload(n: number): () => Float32Array;
export declare function mlpWorkload(options?: { graph?: boolean }): { step(): number; readonly graph?: CapturedGraph<Tensor> };
export declare function scalarWorkload(): { params: Value[]; run(): Value };
export declare function countNodes(root: Value): number;
export declare function elementwiseWorkload(length: number): {
  problem: { x: Float32Array; w: Float32Array; b: number };
  run(): void;
  grads(): { gx: Float32Array; gw: Float32Array; gb: number };
};
