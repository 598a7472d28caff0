// PyTorch's dtype shorthands for the storage dtypes (`half()`, `bfloat16()`, `long()`, `short()`, `char()`,
// `byte()`), installed on Tensor.prototype by tensor.ts and typed by the declarations below.
import type { Tensor } from "./tensor.js";

/** @internal Installs the methods below on Tensor.prototype (non-enumerable, as class methods are). */
export function installDTypeMethods(proto: object): void {
  const methods: Record<string, (this: Tensor) => Tensor> = {
    half(this: Tensor) { return this.to("float16"); },
    bfloat16(this: Tensor) { return this.to("bfloat16"); },
    long(this: Tensor) { return this.to("int64"); },
    short(this: Tensor) { return this.to("int16"); },
    char(this: Tensor) { return this.to("int8"); },
    byte(this: Tensor) { return this.to("uint8"); },
  };
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

declare module "./tensor.js" {
  interface Tensor {
    /** As float16 (rounded to nearest even; computed in float32). @example cr.tensor([1 / 3]).half().item() // 0.333251953125 */
    half(): Tensor;
    /** As bfloat16 (rounded to nearest even; computed in float32). @example cr.tensor([1 / 3]).bfloat16().item() // 0.333984375 */
    bfloat16(): Tensor;
    /** As int64 (truncating toward zero; exact within ±2^53). @example cr.tensor([1.7, -1.7]).long() // [1, -1] */
    long(): Tensor;
    /** As int16 (wrapping). @example cr.tensor([40000], { dtype: "int32" }).short() // [-25536] */
    short(): Tensor;
    /** As int8 (wrapping). @example cr.tensor([200], { dtype: "int32" }).char() // [-56] */
    char(): Tensor;
    /** As uint8 (wrapping). @example cr.tensor([300], { dtype: "int32" }).byte() // [44] */
    byte(): Tensor;
  }
}
