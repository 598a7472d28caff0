// Where `chainrule train` writes: checked, and missing folders made, before training starts, so a bad
// --save or --plot fails at once instead of after a long run; a run that fails removes what it made.
import { accessSync, constants, mkdirSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import * as cr from "chainrule";
import { markIfDefaultOutputDir } from "./output-dir.js";

/** The folders made for a run's output files (and runs/'s .gitignore), to remove again if the run fails. */
export interface PreparedOutputs {
  /** Removes the folders this made, deepest first, if they are still empty. */
  undo(): void;
}

/**
 * Checks that each file can be written: not a folder, its folder a writable folder. Missing folders
 * are made one level at a time (Node's recursive mkdir never returns on a path under /proc).
 * @example
 * const outputs = prepareOutputs(["runs/model.safetensors", "runs/model.svg"]);
 * try { train(); } catch (e) { outputs.undo(); throw e; }
 */
export function prepareOutputs(files: readonly string[]): PreparedOutputs {
  const made: string[] = [];
  const undo = () => {
    for (const dir of made.reverse()) {
      try {
        if (statSync(dir).isFile()) unlinkSync(dir); // runs/.gitignore
        else rmdirSync(dir);
      } catch {
        // Not empty any more, or gone: either way not ours to remove.
      }
    }
    made.length = 0;
  };
  try {
    for (const file of files) prepareOne(resolve(file), made);
  } catch (e) {
    undo();
    throw e;
  }
  return { undo };
}

function prepareOne(file: string, made: string[]): void {
  const existing = statOrNull(file);
  if (existing?.isDirectory()) throw new cr.ArgumentError(`cannot write "${file}": it is a folder`);
  const missing: string[] = [];
  let dir = dirname(file);
  let stat = statOrNull(dir);
  while (stat === null) {
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
    stat = statOrNull(dir);
  }
  if (stat !== null && !stat.isDirectory()) throw new cr.ArgumentError(`cannot write "${file}": "${dir}" is not a folder`);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw new cr.ArgumentError(`cannot write "${file}": cannot make the folder "${d}": ${e instanceof Error ? e.message : String(e)}`);
    }
    made.push(d);
    const marker = markIfDefaultOutputDir(d);
    if (marker !== null) made.push(marker);
  }
  try {
    accessSync(dirname(file), constants.W_OK);
    if (existing !== null) accessSync(file, constants.W_OK);
  } catch (e) {
    throw new cr.ArgumentError(`cannot write "${file}": ${e instanceof Error ? e.message : String(e)}`);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
