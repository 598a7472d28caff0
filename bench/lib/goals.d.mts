// Types of goals.mjs for test/bench.test.ts.
import type { BenchRecord } from "./table.d.mts";
export interface Goal {
  readonly goal: string;
  readonly workload: string;
  readonly ours: string;
  readonly peer?: string;
  readonly target: number;
  readonly unit?: string;
  readonly higher: boolean;
}
export interface EvaluatedGoal {
  readonly goal: string;
  readonly met: boolean | undefined;
  readonly text: string;
}
export declare const MICROGRAD_W3_MS: number;
export declare const GOALS: readonly Goal[];
export declare function evaluateGoals(results: readonly BenchRecord[], goals?: readonly Goal[]): EvaluatedGoal[];
export declare function renderGoals(evaluated: readonly EvaluatedGoal[]): string[];
