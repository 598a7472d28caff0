// Where the `chainrule` command writes what it makes when no path is given: runs/ in the current folder, which
// git ignores, so training in a clone (or in a user's project) never leaves changed or untracked files behind.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The folder, relative to the current directory, that default outputs go to (as PyTorch's TensorBoard `runs/`). */
export const DEFAULT_OUTPUT_DIR = "runs";

/**
 * The default path of an output file, `runs/<file>`, with runs/ created on demand. A new runs/ gets a
 * `.gitignore` of `*`, so git ignores it in any repository, not only in chainrule's; an existing one is left as is.
 * Paths the user gives (`--save`, `--plot`, `--out`) are used as given.
 * @example defaultOutputPath("chainrule-mnist-mlp.safetensors") // "runs/chainrule-mnist-mlp.safetensors"
 */
export function defaultOutputPath(file: string): string {
  if (!existsSync(DEFAULT_OUTPUT_DIR)) {
    mkdirSync(DEFAULT_OUTPUT_DIR, { recursive: true });
    writeFileSync(join(DEFAULT_OUTPUT_DIR, ".gitignore"), "# written by chainrule: model files and plots, not sources\n*\n");
  }
  return join(DEFAULT_OUTPUT_DIR, file);
}
