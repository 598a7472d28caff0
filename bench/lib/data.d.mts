// Types of data.mjs for test/bench.test.ts.
export declare const W1_SIZES: readonly number[];
export declare function w1Problem(n: number): { a: Float32Array; b: Float32Array };
export declare function mulberry32(seed: number): () => number;
