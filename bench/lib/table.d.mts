// Types of table.mjs for test/bench.test.ts.
export interface BenchRecord {
  readonly system: string;
  readonly backend: string;
  readonly workload?: string;
  value?: number;
  rounds?: number[];
  readonly [field: string]: unknown;
}
export interface Row {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly higher: boolean;
}
export declare function rowsFor(quick: boolean, mnist: boolean): Row[];
export declare function combineRounds(results: readonly BenchRecord[]): BenchRecord[];
export declare function renderTable(rows: readonly Row[], columns: readonly string[], results: readonly BenchRecord[]): string;
