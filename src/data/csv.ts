// A user's own table as tensors: numeric feature columns and a named target column from a CSV file.
// csv-parse's browser build: its Node build touches the global Buffer when imported, which would
// stop `import * as cr from "chainrule"` from loading in a browser at all. It parses the same way.
import { parse } from "csv-parse/browser/esm/sync";
import { ArgumentError } from "../errors.js";
import { FormatError } from "../io/errors.js";
import { describeError, nodeBuiltin } from "../io/node.js";
import { fromOwnedArray } from "../io/wrap.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, checkOptions } from "./options.js";

/** Options of `loadCsv` and `parseCsv`. */
export interface CsvOptions {
  /** The header name of the column to predict. */
  target: string;
  /** The feature columns, in this order (default: every column but the target, in file order). */
  features?: string[];
  /** "classification", "regression", or "auto" (the default) to decide from the target's values; see `loadCsv`. */
  task?: "auto" | "classification" | "regression";
  /** Under "auto", integer targets with at most this many distinct values are classes (default 20). */
  maxClasses?: number;
  /** The field separator (default ","). */
  delimiter?: string;
}

/** A table as tensors. */
export interface CsvData {
  /** float32 [rows, features]. */
  x: Tensor;
  /** int32 [rows] class indices into `classes` (classification), or float32 [rows] (regression). */
  y: Tensor;
  /** The header names of x's columns, in order. */
  featureNames: string[];
  /** The header name of the target column. */
  targetName: string;
  task: "classification" | "regression";
  /** Classification: the class of each index, sorted (numerically when all are numbers). Regression: null. */
  classes: string[] | null;
}

const OPTIONS = ["target", "features", "task", "maxClasses", "delimiter"];
// A decimal number as people write one; rejects "", "0x10", "Infinity" and "NaN", which Number() accepts.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Loads a CSV file whose first line names the columns: every column but `target` (or the
 * `features` listed) must hold numbers, and becomes a column of `x`. The target decides the task,
 * unless `task` says: a target with any non-numeric value (say "setosa") is classification; an
 * all-integer target with at most `maxClasses` (20) distinct values (say 0/1, or 3..8 ratings) is
 * classification too; anything else (prices, fractions) is regression. For classification `y` holds
 * int32 indices into the sorted `classes`, ready for cross-entropy; for regression, float32 values.
 * Blank lines are skipped and fields are trimmed; there is no missing-value filling. Errors name the
 * file and what is wrong: an unreadable file, an unknown column (listing the columns), a
 * non-numeric value (naming its line and column), a row with the wrong number of fields.
 * @example
 * const { x, y, featureNames, classes } = cr.data.loadCsv("iris.csv", { target: "species" });
 * // x [150, 4] float32, y [150] int32, classes ["setosa", "versicolor", "virginica"]
 */
export function loadCsv(path: string, opts: CsvOptions): CsvData {
  if (typeof path !== "string" || path === "") throw new ArgumentError(`loadCsv: path must be a non-empty string, got ${typeof path}`);
  const fs = nodeBuiltin("fs", "loadCsv");
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`loadCsv: cannot read "${path}": ${describeError(e)}`, { cause: e });
  }
  return parseCsvAs("loadCsv", text, opts, path);
}

/**
 * `loadCsv` on CSV text instead of a file (works in a browser); errors name `source`.
 * @example
 * const { x, y } = cr.data.parseCsv("a,b,label\n1,2,yes\n3,4,no\n", { target: "label" });
 * // x [[1,2],[3,4]], y [1,0] (classes ["no", "yes"])
 */
export function parseCsv(text: string, opts: CsvOptions, source = "CSV text"): CsvData {
  return parseCsvAs("parseCsv", text, opts, source);
}

function parseCsvAs(op: string, text: string, opts: CsvOptions, source: string): CsvData {
  if (typeof opts !== "object" || opts === null) throw new ArgumentError(`${op}: options with a target column are required, e.g. { target: "label" }`);
  checkOptions(op, opts, OPTIONS);
  if (typeof opts.target !== "string" || opts.target === "") throw new ArgumentError(`${op}: target must be a column name, got ${String(opts.target)}`);
  const task = opts.task ?? "auto";
  if (task !== "auto" && task !== "classification" && task !== "regression") {
    throw new ArgumentError(`${op}: task must be "auto", "classification" or "regression", got ${JSON.stringify(task)}`);
  }
  const maxClasses = checkInt(op, "maxClasses", opts.maxClasses ?? 20, 1);
  const delimiter = opts.delimiter ?? ",";
  if (typeof delimiter !== "string" || delimiter === "") throw new ArgumentError(`${op}: delimiter must be a non-empty string`);
  if (typeof text !== "string") throw new ArgumentError(`${op}: expected CSV text as a string, got ${typeof text}`);

  const where = `${op}: ${source}`;
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // relax_column_count: ragged rows are reported below, by line, in our own words.
    rows = parse(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof rows;
  } catch (e) {
    throw new FormatError(`${where}: ${describeError(e)}`, { cause: e });
  }
  const header = rows[0]?.record;
  if (header === undefined) throw new FormatError(`${where}: the file is empty; expected a header line naming the columns`);
  const seen = new Set<string>();
  for (const name of header) {
    if (name === "") throw new FormatError(`${where}: the header has an empty column name`);
    if (seen.has(name)) throw new FormatError(`${where}: the header names column "${name}" twice`);
    seen.add(name);
  }
  const columns = `(columns: ${header.join(", ")})`;
  const targetCol = header.indexOf(opts.target);
  if (targetCol < 0) throw new ArgumentError(`${where}: no column named "${opts.target}" ${columns}`);
  let featureNames: string[];
  if (opts.features === undefined) {
    featureNames = header.filter((_, i) => i !== targetCol);
  } else {
    if (!Array.isArray(opts.features) || opts.features.length === 0) throw new ArgumentError(`${op}: features must be a non-empty array of column names`);
    for (const f of opts.features) {
      if (!header.includes(f)) throw new ArgumentError(`${where}: no feature column named "${f}" ${columns}`);
      if (f === opts.target) throw new ArgumentError(`${where}: "${f}" is the target and cannot also be a feature`);
    }
    featureNames = [...opts.features];
  }
  if (featureNames.length === 0) throw new FormatError(`${where}: the target "${opts.target}" is the only column; there are no features`);
  const featureCols = featureNames.map((f) => header.indexOf(f));

  const data = rows.slice(1);
  if (data.length === 0) throw new FormatError(`${where}: the header has no data rows under it`);
  const n = data.length;
  const x = new Float32Array(n * featureCols.length);
  const targets: string[] = new Array<string>(n);
  data.forEach(({ record, info }, r) => {
    if (record.length !== header.length) {
      throw new FormatError(`${where}: line ${info.lines} has ${record.length} fields but the header has ${header.length} columns`);
    }
    featureCols.forEach((c, j) => {
      const v = record[c]!;
      if (!NUMBER.test(v)) {
        throw new FormatError(`${where}: line ${info.lines}, column "${header[c]}": ${v === "" ? "the value is missing" : `${JSON.stringify(v)} is not a number`} (feature columns must be numeric)`);
      }
      x[r * featureCols.length + j] = Number(v);
    });
    const t = record[targetCol]!;
    if (t === "") throw new FormatError(`${where}: line ${info.lines}, column "${opts.target}": the target value is missing`);
    targets[r] = t;
  });

  const numeric = targets.every((t) => NUMBER.test(t));
  let isClassification: boolean;
  if (task === "regression") {
    const bad = targets.findIndex((t) => !NUMBER.test(t));
    if (bad >= 0) throw new FormatError(`${where}: line ${data[bad]!.info.lines}, column "${opts.target}": ${JSON.stringify(targets[bad])} is not a number, but task is "regression"`);
    isClassification = false;
  } else if (task === "classification" || !numeric) {
    isClassification = true;
  } else {
    const values = targets.map(Number);
    isClassification = values.every(Number.isInteger) && new Set(values).size <= maxClasses;
  }

  const xT = fromOwnedArray(x, [n, featureCols.length]);
  const base = { x: xT, featureNames, targetName: opts.target };
  if (!isClassification) {
    return { ...base, y: fromOwnedArray(Float32Array.from(targets, Number), [n]), task: "regression", classes: null };
  }
  // Numeric labels are compared as numbers, so "2" and "2.0" are one class and "10" sorts after "9".
  const key = numeric ? (t: string) => String(Number(t)) : (t: string) => t;
  const distinct = [...new Set(targets.map(key))];
  const classes = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Int32Array.from(targets, (t) => index.get(key(t))!);
  return { ...base, y: fromOwnedArray(y, [n]), task: "classification", classes };
}
