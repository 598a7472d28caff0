// Parsers of the command line's numeric flags for commander: decimal numbers only ("0x10", "1e400",
// "" and " 3" are errors, though Number() takes them), each with its range.
import { InvalidArgumentError } from "commander";
import { parseDecimal } from "chainrule/internal";

/** A flag's value as an integer from `min` to `max`, or commander's one-line error naming the flag. */
export function integer(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const what = min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer >= ${min}`;
  return (v: string): number => {
    const n = parseDecimal(v);
    if (n === undefined || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be ${what}, got ${JSON.stringify(v)}`);
    if (n > max) throw new InvalidArgumentError(`${flag} must be at most ${max.toLocaleString("en-US")}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** A flag's value as a finite decimal number of at least `min`. */
export function decimal(flag: string, min = -Infinity) {
  return (v: string): number => {
    const n = parseDecimal(v);
    if (n === undefined || n < min) throw new InvalidArgumentError(`${flag} must be a number${min > -Infinity ? ` >= ${min}` : ""}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** The widest hidden layer `--hidden` accepts: wider ones would not fit in memory beside another. */
export const MAX_WIDTH = 65_536;

/** `--hidden 256,128`: comma-separated layer widths. */
export function sizes(v: string): number[] {
  const parts = v.split(",").map((s) => parseDecimal(s.trim()));
  if (parts.some((n) => n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_WIDTH)) {
    throw new InvalidArgumentError(`--hidden must be comma-separated positive integers up to ${MAX_WIDTH}, such as 256,128, got ${JSON.stringify(v)}`);
  }
  return parts as number[];
}
