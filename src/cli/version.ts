// The installed package's version, read from its package.json at run time: the same two folders up from
// src/cli/ (run from source) and dist/cli/ (the build, and the installed package).
import { readFileSync } from "node:fs";

/**
 * chainrule's version, as in its package.json.
 * @example packageVersion() // "0.1.0"
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name?: string; version?: string };
  if (pkg.name !== "chainrule" || typeof pkg.version !== "string") throw new Error("chainrule: its package.json was not found beside dist/");
  return pkg.version;
}
