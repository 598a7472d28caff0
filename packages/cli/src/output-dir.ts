// Where the `chainrule` command writes what it makes when no path is given: runs/ in the current folder, which
// git ignores, so training in a clone (or in a user's project) never leaves changed or untracked files behind.
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The folder, relative to the current directory, that default outputs go to (as PyTorch's TensorBoard `runs/`). */
export const DEFAULT_OUTPUT_DIR = "runs";

/**
 * The default path of an output file, `runs/<file>`. Nothing is made here: the folder is made (with a `.gitignore`
 * of `*`, see `markIfDefaultOutputDir`) only once the run's arguments are known to be good.
 * Paths the user gives (`--save`, `--plot`, `--out`) are used as given.
 * @example defaultOutputPath("chainrule-mnist-mlp.safetensors") // "runs/chainrule-mnist-mlp.safetensors"
 */
export function defaultOutputPath(file: string): string {
  return join(DEFAULT_OUTPUT_DIR, file);
}

/**
 * After making the folder `dir`: if it is runs/, gives it a `.gitignore` of `*`, so git ignores it in any repository,
 * not only in chainrule's. Returns the file written, or null.
 */
export function markIfDefaultOutputDir(dir: string): string | null {
  if (resolve(dir) !== resolve(DEFAULT_OUTPUT_DIR)) return null;
  const ignore = join(dir, ".gitignore");
  if (existsSync(ignore)) return null;
  writeFileSync(ignore, "# written by chainrule: model files and plots, not sources\n*\n");
  return ignore;
}
