// Builds loadCsv's tensors from a CSV's records as they are parsed, one at a time, into typed arrays:
// a million-row file never exists as a million arrays of strings.
import { ArgumentError } from "../errors.js";
import { FormatError } from "../io/errors.js";
import { fromOwnedArray } from "../io/wrap.js";
import type { Tensor } from "../tensor/tensor.js";
import { isDecimal, parseFloat32Decimal } from "./decimal.js";

/** What the table needs to know, checked by the caller. */
export interface CsvTableOptions {
  target: string;
  features: string[] | undefined;
  task: "auto" | "classification" | "regression";
  maxClasses: number;
  classes: readonly string[] | undefined;
}

/** The tensors of a table. */
export interface CsvTableData {
  x: Tensor;
  y: Tensor;
  featureNames: string[];
  targetName: string;
  task: "classification" | "regression";
  classes: string[] | null;
}

// Distinct label texts are remembered (to name classes exactly as written) up to this many; past
// it, all-numeric labels are kept as numbers only (regression, or classes named by their value).
const MAX_DISTINCT_TEXTS = 1 << 16;

/** Accepts the header and then each data record with its line number; `finish` makes the tensors. */
export class CsvTable {
  private header: string[] | null = null;
  private targetCol = -1;
  private featureCols: number[] = [];
  private featureNames: string[] = [];
  private rows = 0;
  private x = new Float32Array(0);
  // Each row's label: its value when it is a number (NaN when not), and the id of its text.
  private numbers = new Float64Array(0);
  private textIds: Int32Array | null = new Int32Array(0);
  private readonly texts = new Map<string, number>();
  private allNumeric = true;
  // Rows' class indices, when the classes were given (a trained model's).
  private given: { index: Map<string, number>; byValue: Map<number, number>; y: Int32Array } | null = null;

  constructor(
    private readonly where: string,
    private readonly opts: CsvTableOptions,
  ) {
    if (opts.classes !== undefined) {
      const byValue = new Map<number, number>();
      opts.classes.forEach((c, i) => {
        const v = parseFloat32Decimal(c);
        if (v !== undefined && !byValue.has(v)) byValue.set(v, i);
      });
      this.given = { index: new Map(opts.classes.map((c, i) => [c, i])), byValue, y: new Int32Array(0) };
    }
    if (opts.task === "regression") this.textIds = null;
  }

  /** Takes the next record; the first is the header. Throws a FormatError naming the line of a bad record. */
  add(record: string[], line: number): void {
    if (this.header === null) {
      this.readHeader(record);
      return;
    }
    const header = this.header;
    if (record.length !== header.length) {
      throw new FormatError(`${this.where}: line ${line} has ${record.length} fields but the header has ${header.length} columns`);
    }
    const r = this.rows++;
    this.reserve(this.rows);
    const nf = this.featureCols.length;
    for (let j = 0; j < nf; j++) {
      const c = this.featureCols[j]!;
      const text = record[c]!;
      const v = parseFloat32Decimal(text);
      if (v === undefined) {
        const why = isDecimal(text) ? "" : " (feature columns must be numeric)";
        throw new FormatError(`${this.where}: line ${line}, column "${header[c]}": ${describeBad(text)}${why}`);
      }
      this.x[r * nf + j] = v;
    }
    this.addLabel(r, record[this.targetCol]!, line);
  }

  /** The tensors of the records added so far. */
  finish(): CsvTableData {
    const header = this.header;
    if (header === null) throw new FormatError(`${this.where}: the file is empty; expected a header line naming the columns`);
    const n = this.rows;
    if (n === 0) throw new FormatError(`${this.where}: the header has no data rows under it`);
    const nf = this.featureCols.length;
    const base = { x: fromOwnedArray(this.x.slice(0, n * nf), [n, nf]), featureNames: this.featureNames, targetName: this.opts.target };
    if (this.given !== null) {
      return { ...base, y: fromOwnedArray(this.given.y.slice(0, n), [n]), task: "classification", classes: [...this.opts.classes!] };
    }
    const numbers = this.numbers.subarray(0, n);
    if (this.opts.task === "regression" || (this.opts.task === "auto" && this.allNumeric && !this.fewIntegers(numbers))) {
      return { ...base, y: fromOwnedArray(Float32Array.from(numbers), [n]), task: "regression", classes: null };
    }
    const { classes, y } = this.allNumeric ? numericClasses(numbers) : this.textClasses(n);
    return { ...base, y: fromOwnedArray(y, [n]), task: "classification", classes };
  }

  private readHeader(header: string[]): void {
    const seen = new Set<string>();
    for (const name of header) {
      if (name === "") throw new FormatError(`${this.where}: the header has an empty column name`);
      if (seen.has(name)) throw new FormatError(`${this.where}: the header names column "${name}" twice`);
      seen.add(name);
    }
    const { target, features } = this.opts;
    const columns = `(columns: ${header.join(", ")})`;
    this.targetCol = header.indexOf(target);
    if (this.targetCol < 0) throw new ArgumentError(`${this.where}: no column named "${target}" ${columns}`);
    if (features === undefined) {
      this.featureNames = header.filter((_, i) => i !== this.targetCol);
    } else {
      for (const f of features) {
        if (!header.includes(f)) throw new ArgumentError(`${this.where}: no feature column named "${f}" ${columns}`);
        if (f === target) throw new ArgumentError(`${this.where}: "${f}" is the target and cannot also be a feature`);
      }
      this.featureNames = [...features];
    }
    if (this.featureNames.length === 0) throw new FormatError(`${this.where}: the target "${target}" is the only column; there are no features`);
    this.featureCols = this.featureNames.map((f) => header.indexOf(f));
    this.header = header;
  }

  private addLabel(r: number, text: string, line: number): void {
    const target = this.opts.target;
    if (text === "") throw new FormatError(`${this.where}: line ${line}, column "${target}": the target value is missing`);
    if (this.given !== null) {
      const value = parseFloat32Decimal(text);
      const k = this.given.index.get(text) ?? (value === undefined ? undefined : this.given.byValue.get(value));
      if (k === undefined) {
        const known = this.opts.classes!;
        const list = known.length <= 20 ? known.join(", ") : `${known.slice(0, 20).join(", ")}, … (${known.length} in all)`;
        throw new FormatError(`${this.where}: line ${line}, column "${target}": ${JSON.stringify(text)} is not one of the known classes (${list})`);
      }
      this.given.y[r] = k;
      return;
    }
    const value = parseFloat32Decimal(text);
    if (value === undefined) {
      if (this.opts.task === "regression") {
        throw new FormatError(`${this.where}: line ${line}, column "${target}": ${describeBad(text)}, but task is "regression"`);
      }
      if (this.textIds === null) {
        throw new FormatError(`${this.where}: line ${line}, column "${target}": ${JSON.stringify(text)} is not a number, but the rows above hold over ${MAX_DISTINCT_TEXTS} distinct numbers: too many to be classes`);
      }
      this.allNumeric = false;
    }
    this.numbers[r] = value ?? NaN;
    if (this.textIds !== null) {
      let id = this.texts.get(text);
      if (id === undefined) this.texts.set(text, (id = this.texts.size));
      this.textIds[r] = id;
      // Every label so far is a number: they can be told apart by value, so the texts may go.
      if (this.texts.size > MAX_DISTINCT_TEXTS && this.allNumeric) {
        this.textIds = null;
        this.texts.clear();
      }
    }
  }

  // Under "auto", all-integer targets with at most maxClasses distinct values are classes.
  private fewIntegers(numbers: Float64Array): boolean {
    const seen = new Set<number>();
    for (const v of numbers) {
      if (!Number.isInteger(v)) return false;
      seen.add(v);
      if (seen.size > this.opts.maxClasses) return false;
    }
    return true;
  }

  // Labels compared as written, classes in sorted order.
  private textClasses(n: number): { classes: string[]; y: Int32Array } {
    const byId = [...this.texts.keys()];
    const classes = [...byId].sort();
    const index = new Map(classes.map((c, i) => [c, i]));
    const remap = Int32Array.from(byId, (t) => index.get(t)!);
    const ids = this.textIds!;
    const y = new Int32Array(n);
    for (let r = 0; r < n; r++) y[r] = remap[ids[r]!]!;
    return { classes, y };
  }

  // Grows the arrays by doubling: a file is read once, its row count unknown until the end.
  private reserve(rows: number): void {
    if (rows <= this.numbers.length) return;
    const capacity = Math.max(1024, 2 * this.numbers.length);
    const nf = this.featureCols.length;
    this.x = grow(this.x, capacity * nf);
    this.numbers = grow(this.numbers, capacity);
    if (this.textIds !== null) this.textIds = grow(this.textIds, capacity);
    if (this.given !== null) this.given.y = grow(this.given.y, capacity);
  }
}

// Numeric labels are compared as numbers, so "2" and "2.0" are one class and "10" sorts after "9".
function numericClasses(numbers: Float64Array): { classes: string[]; y: Int32Array } {
  const values = [...new Set(numbers)].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  return { classes: values.map(String), y: Int32Array.from(numbers, (v) => index.get(v)!) };
}

function grow<T extends Float32Array | Float64Array | Int32Array>(arr: T, length: number): T {
  const out = new (arr.constructor as new (n: number) => T)(length);
  out.set(arr);
  return out;
}

function describeBad(text: string): string {
  if (text === "") return "the value is missing";
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return isDecimal(text) ? `${shown} is too large for float32 (at most about ±3.4e38)` : `${shown} is not a number`;
}
