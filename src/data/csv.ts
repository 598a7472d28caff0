// A user's own table as tensors: numeric feature columns and a named target column from a CSV file.
// Records go from csv-parse straight into typed arrays (csv-table.ts), never into an array of rows.
// In Node the file is read in chunks and parsed by csv-parse's Node build, reached at call time; in a
// browser, text is parsed by its browser build: its Node build touches the global Buffer when
// imported, which would stop `import * as cr from "chainrule"` from loading in a browser at all.
import { parse } from "csv-parse/browser/esm/sync";
import { ArgumentError } from "../errors.js";
import { FormatError } from "../io/errors.js";
import { describeError, nodeBuiltin } from "../io/node.js";
import type { Tensor } from "../tensor/tensor.js";
import { CsvTable } from "./csv-table.js";
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
  /**
   * The classes, in index order, when they are known already (a trained model's): the target's
   * values become indices into this list, matched as written or, for numbers, by value ("2.0" is
   * class "2"), and a value not in it throws naming its line. The task is then classification.
   */
  classes?: readonly string[];
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
  /** Whether the target is class labels (int32 `y`) or numbers to predict (float32 `y`), as given or as `task: "auto"` decided. */
  task: "classification" | "regression";
  /** Classification: the class of each index, sorted (numerically when all are numbers). Regression: null. */
  classes: string[] | null;
}

const OPTIONS = ["target", "features", "task", "maxClasses", "delimiter", "classes"];
// Bytes read from a file at a time: the parse holds one chunk and the typed arrays, whatever the file's size.
const CHUNK_BYTES = 1 << 20;

/**
 * Loads a CSV file whose first line names the columns: every column but `target` (or the
 * `features` listed) must hold numbers, and becomes a column of `x`. The target decides the task,
 * unless `task` says: a target with any non-numeric value (say "setosa") is classification; an
 * all-integer target with at most `maxClasses` (20) distinct values (say 0/1, or 3..8 ratings) is
 * classification too; anything else (prices, fractions) is regression. For classification `y` holds
 * int32 indices into the sorted `classes`, ready for cross-entropy; for regression, float32 values.
 * Blank lines are skipped and fields are trimmed; there is no missing-value filling. Values must be
 * decimal numbers that fit float32 ("0x10", "NaN" and "1e400" are errors). Errors name the file and
 * what is wrong: an unreadable file, an unknown column (listing the columns), a non-numeric value
 * (naming its line and column), a row with the wrong number of fields. The file is read in chunks
 * straight into typed arrays: a million rows take about the memory of their float32 values.
 * @example
 * const { x, y, featureNames, classes } = cr.data.loadCsv("iris.csv", { target: "species" });
 * // x [150, 4] float32, y [150] int32, classes ["setosa", "versicolor", "virginica"]
 */
export function loadCsv(path: string, opts: CsvOptions): CsvData {
  if (typeof path !== "string" || path === "") throw new ArgumentError(`loadCsv: path must be a non-empty string, got ${typeof path}`);
  const table = newTable("loadCsv", opts, path);
  const fs = nodeBuiltin("fs", "loadCsv");
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    throw new Error(`loadCsv: cannot read "${path}": ${describeError(e)}`, { cause: e });
  }
  try {
    const chunk = new Uint8Array(CHUNK_BYTES);
    const chunks = function* (): Generator<Uint8Array> {
      for (;;) {
        let got: number;
        try {
          got = fs.readSync(fd, chunk, 0, chunk.length, null);
        } catch (e) {
          throw new Error(`loadCsv: cannot read "${path}": ${describeError(e)}`, { cause: e });
        }
        if (got === 0) return;
        yield chunk.slice(0, got);
      }
    };
    parseChunks(chunks(), table, opts, `loadCsv: ${path}`);
  } finally {
    fs.closeSync(fd);
  }
  return table.finish();
}

/**
 * `loadCsv` on CSV text instead of a file (works in a browser); errors name `source`.
 * @example
 * const { x, y } = cr.data.parseCsv("a,b,label\n1,2,yes\n3,4,no\n", { target: "label" });
 * // x [[1,2],[3,4]], y [1,0] (classes ["no", "yes"])
 */
export function parseCsv(text: string, opts: CsvOptions, source = "CSV text"): CsvData {
  const table = newTable("parseCsv", opts, source);
  if (typeof text !== "string") throw new ArgumentError(`parseCsv: expected CSV text as a string, got ${typeof text}`);
  const where = `parseCsv: ${source}`;
  if (nodeCsvParser() !== null) {
    parseChunks([new TextEncoder().encode(text)], table, opts, where);
  } else {
    let rows: { record: string[]; info: { lines: number } }[];
    try {
      rows = parse(text, { ...parserOptions(opts), info: true }) as unknown as typeof rows;
    } catch (e) {
      throw new FormatError(`${where}: ${describeError(e)}`, { cause: e });
    }
    for (const { record, info } of rows) table.add(record, info.lines);
  }
  return table.finish();
}

function newTable(op: string, opts: CsvOptions, source: string): CsvTable {
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
  if (opts.features !== undefined && (!Array.isArray(opts.features) || opts.features.length === 0)) {
    throw new ArgumentError(`${op}: features must be a non-empty array of column names`);
  }
  const classes = opts.classes;
  if (classes !== undefined) {
    if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === "string" && c !== "")) {
      throw new ArgumentError(`${op}: classes must be a non-empty array of class names`);
    }
    if (new Set(classes).size !== classes.length) throw new ArgumentError(`${op}: classes names a class twice`);
    if (task === "regression") throw new ArgumentError(`${op}: classes are for classification, but task is "regression"`);
  }
  return new CsvTable(`${op}: ${source}`, { target: opts.target, features: opts.features, task, maxClasses, classes });
}

// relax_column_count: ragged rows are reported by the table, by line, in our own words.
function parserOptions(opts: CsvOptions): Record<string, unknown> {
  return { bom: true, delimiter: opts.delimiter ?? ",", relax_column_count: true, skip_empty_lines: true, trim: true };
}

/** The slice of csv-parse's Node `Parser` (a Transform stream) used here. */
interface NodeParser {
  info: { lines: number };
  push(record: string[] | null): boolean;
  _transform(chunk: Uint8Array, encoding: string, callback: (err?: Error | null) => void): void;
  _flush(callback: (err?: Error | null) => void): void;
}
type NodeParserClass = new (options: Record<string, unknown>) => NodeParser;

let nodeParserClass: NodeParserClass | null | undefined;

// csv-parse's Node build, loaded on first use where Node's require exists; null in a browser.
function nodeCsvParser(): NodeParserClass | null {
  if (nodeParserClass === undefined) {
    let cls: NodeParserClass | null = null;
    try {
      const require = nodeBuiltin("module", "loadCsv").createRequire(import.meta.url);
      cls = (require("csv-parse") as { Parser: NodeParserClass }).Parser;
    } catch {
      cls = null;
    }
    nodeParserClass = cls;
  }
  return nodeParserClass;
}

/**
 * Parses chunks with csv-parse's streaming parser, handing each record to `table` as it is made.
 * The parser is a Transform stream whose `_transform` and `_flush` parse synchronously and `push`
 * each record: calling them directly, with `push` taking the record, keeps loadCsv synchronous (it
 * returns tensors, not a promise) and its memory one chunk plus the typed arrays.
 */
function parseChunks(chunks: Iterable<Uint8Array>, table: CsvTable, opts: CsvOptions, where: string): void {
  const Parser = nodeCsvParser();
  if (Parser === null) throw new Error(`${where}: csv-parse's Node build could not be loaded`);
  const parser = new Parser(parserOptions(opts));
  parser.push = (record) => {
    if (record !== null) table.add(record, parser.info.lines);
    return true;
  };
  let failure: Error | null = null;
  const done = (err?: Error | null) => {
    if (err) failure = err;
  };
  const check = () => {
    if (failure !== null) throw new FormatError(`${where}: ${describeError(failure)}`, { cause: failure });
  };
  for (const chunk of chunks) {
    parser._transform(globalThis.Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length), "buffer", done);
    check();
  }
  parser._flush(done);
  check();
}
