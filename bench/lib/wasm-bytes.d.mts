// Types of wasm-bytes.mjs for the tests.
export declare function leb(n: number): number[];
export declare function section(id: number, bytes: number[]): number[];
