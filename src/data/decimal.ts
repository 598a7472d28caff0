// Numbers as people write them in a table or on a command line, and nothing else.

// Rejects "", "0x10", "0b1", "Infinity", "NaN", "1_000" and " 1", all of which Number() accepts or pads.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Whether `text` is written as a plain decimal number, whatever its size ("1e400" is).
 * @example
 * isDecimal("-.5e3"); // true
 * isDecimal("Infinity"); // false
 */
export function isDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

/**
 * The value of `text` when it is a plain decimal number ("3", "-0.5", ".5", "1e-3") whose value is
 * finite; undefined for anything else, including hexadecimal, "Infinity", "NaN", surrounding spaces
 * and numbers too large for a double ("1e400").
 * @example
 * parseDecimal("2.5e3"); // 2500
 * parseDecimal("0x10"); // undefined
 */
export function parseDecimal(text: string): number | undefined {
  if (!isDecimal(text)) return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * `parseDecimal`, and also finite once stored as float32 (at most about 3.4e38 in magnitude): a
 * larger value would become Infinity in a float32 tensor.
 * @example
 * parseFloat32Decimal("1e39"); // undefined
 */
export function parseFloat32Decimal(text: string): number | undefined {
  const v = parseDecimal(text);
  return v !== undefined && Number.isFinite(Math.fround(v)) ? v : undefined;
}
