// The installed package's version, read from its package.json at run time: one folder up from src/ (run from
// source) and dist/ (the build, and the installed package). @chainrule/cli is versioned with chainrule.
import { readFileSync } from "node:fs";

/**
 * The chainrule command's version, as in @chainrule/cli's package.json (the same as chainrule's).
 * @example packageVersion() // "0.1.0"
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name?: string; version?: string };
  if (pkg.name !== "@chainrule/cli" || typeof pkg.version !== "string") throw new Error("chainrule: @chainrule/cli's package.json was not found beside dist/");
  return pkg.version;
}
