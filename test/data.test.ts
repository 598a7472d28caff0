// Checks cr.data: DataLoader batching and seeded shuffling, the synthetic datasets, full MNIST, and CSV loading with its errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "chainrule";

const { data, FormatError } = cr;

const ints = (t: cr.Tensor): number[] => Array.from(t.toTypedArray());
const counts = (t: cr.Tensor, k: number): number[] => {
  const c = new Array<number>(k).fill(0);
  for (const v of ints(t)) c[v]!++;
  return c;
};
/** The row indices a batch of `arange` rows holds. */
const rowsOf = (batch: readonly cr.Tensor[]): number[] => ints(batch[1]!);

function indexed(n: number): cr.data.TensorDataset<[cr.Tensor, cr.Tensor]> {
  return new cr.data.TensorDataset(cr.arange(2 * n, { dtype: "float32" }).reshape([n, 2]), cr.arange(n, { dtype: "int32" }));
}

function epochOrder(loader: Iterable<[cr.Tensor, cr.Tensor]>): number[] {
  const out: number[] = [];
  for (const b of loader) out.push(...rowsOf(b));
  return out;
}

// ---- Dataset and DataLoader ------------------------------------------------------------------

test("TensorDataset indexes rows of tensors that share their first dim, and names the shapes otherwise", () => {
  const ds = indexed(5);
  assert.equal(ds.length, 5);
  const [x, y] = ds.get(3);
  assert.deepEqual(x.tolist(), [6, 7]);
  assert.equal(y.item(), 3);
  assert.throws(() => new cr.data.TensorDataset(cr.zeros([5, 2]), cr.zeros([4])), /TensorDataset: tensors must have the same size in the first dim, got shapes \[5,2\], \[4\]/);
  assert.throws(() => new cr.data.TensorDataset(cr.tensor(1)), /TensorDataset: tensor 0 is zero-dim/);
  assert.throws(() => new cr.data.TensorDataset(), /expected at least one tensor/);
  assert.throws(() => ds.get(5), /TensorDataset\.get: index 5 is out of range for 5 samples/);
});

test("DataLoader makes ceil(n/batchSize) batches, or floor with dropLast, in order without shuffle", () => {
  const ds = indexed(10);
  const loader = new cr.data.DataLoader(ds, { batchSize: 3 });
  assert.equal(loader.length, 4);
  const batches = [...loader];
  assert.deepEqual(batches.map(([x, y]) => [x.shape, y.shape]), [[[3, 2], [3]], [[3, 2], [3]], [[3, 2], [3]], [[1, 2], [1]]]);
  assert.deepEqual(batches.flatMap(rowsOf), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(batches[0]![0].dtype, "float32");
  assert.equal(batches[0]![1].dtype, "int32");
  assert.deepEqual(batches[3]![0].tolist(), [[18, 19]]);

  const dropped = new cr.data.DataLoader(ds, { batchSize: 3, dropLast: true });
  assert.equal(dropped.length, 3);
  assert.deepEqual([...dropped].map(([, y]) => y.shape[0]), [3, 3, 3]);
  assert.equal(new cr.data.DataLoader(ds).length, 10);
  assert.equal(new cr.data.DataLoader(ds, { batchSize: 10, dropLast: true }).length, 1);
  assert.equal(new cr.data.DataLoader(ds, { batchSize: 11, dropLast: true }).length, 0);
  assert.deepEqual([...new cr.data.DataLoader(ds, { batchSize: 11, dropLast: true })], []);
  assert.deepEqual([...new cr.data.DataLoader(new cr.data.TensorDataset(cr.zeros([0, 3])), { batchSize: 4 })], []);
});

test("shuffle with a seed is reproducible, covers every index once per epoch, and changes between epochs", () => {
  const ds = indexed(50);
  const a = new cr.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 42 });
  const b = new cr.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 42 });
  const epochs = [epochOrder(a), epochOrder(a), epochOrder(a)];
  assert.deepEqual([epochOrder(b), epochOrder(b), epochOrder(b)], epochs);
  for (const e of epochs) assert.deepEqual([...e].sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(epochs[0], epochs[1]);
  assert.notDeepEqual(epochs[1], epochs[2]);
  assert.notDeepEqual(epochs[0], Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(epochOrder(new cr.data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 43 })), epochs[0]);
  // Rows stay together: sample i's x is [2i, 2i+1] whatever the order.
  for (const [x, y] of a) assert.deepEqual(x.tolist(), ints(y).map((i) => [2 * i, 2 * i + 1]));

  // With dropLast, each epoch leaves out a different remainder but never repeats a sample.
  const d = new cr.data.DataLoader(ds, { batchSize: 8, shuffle: true, dropLast: true, seed: 1 });
  const e1 = epochOrder(d);
  assert.equal(e1.length, 48);
  assert.equal(new Set(e1).size, 48);

  // A generator given by the caller, and the default one seeded by cr.manualSeed, repeat as well.
  const g1 = epochOrder(new cr.data.DataLoader(ds, { batchSize: 8, shuffle: true, generator: new cr.Generator(5) }));
  assert.deepEqual(epochOrder(new cr.data.DataLoader(ds, { batchSize: 8, shuffle: true, generator: new cr.Generator(5) })), g1);
  cr.manualSeed(9);
  const m1 = epochOrder(new cr.data.DataLoader(ds, { shuffle: true }));
  cr.manualSeed(9);
  assert.deepEqual(epochOrder(new cr.data.DataLoader(ds, { shuffle: true })), m1);
});

test("other datasets have their samples stacked field by field, or collated by collate", () => {
  class Squares extends cr.data.Dataset<[cr.Tensor, number]> {
    readonly length = 7;
    get(i: number): [cr.Tensor, number] {
      return [cr.tensor([i, -i]), i * i];
    }
  }
  const batches = [...new cr.data.DataLoader(new Squares(), { batchSize: 4 })];
  assert.equal(batches.length, 2);
  const [x, y] = batches[1]!;
  assert.deepEqual(x.tolist(), [[4, -4], [5, -5], [6, -6]]);
  assert.deepEqual(y.tolist(), [16, 25, 36]);
  assert.equal(y.dtype, "float32");

  class Records extends cr.data.Dataset<{ image: cr.Tensor; label: cr.Tensor; flag: boolean }> {
    readonly length = 3;
    get(i: number) {
      return { image: cr.full([2, 2], i), label: cr.tensor(i % 2, { dtype: "int32" }), flag: i > 0 };
    }
  }
  const [r] = [...new cr.data.DataLoader(new Records(), { batchSize: 3 })];
  assert.deepEqual(r!.image.shape, [3, 2, 2]);
  assert.deepEqual(r!.label.tolist(), [0, 1, 0]);
  assert.equal(r!.label.dtype, "int32");
  assert.deepEqual(r!.flag.tolist(), [false, true, true]);

  const sums = [...new cr.data.DataLoader(new Squares(), { batchSize: 3, collate: (s) => s.reduce((a, [, v]) => a + v, 0) })];
  assert.deepEqual(sums, [0 + 1 + 4, 9 + 16 + 25, 36]);

  // A TensorDataset subclass that changes get is batched through its get.
  class Doubled extends cr.data.TensorDataset<[cr.Tensor]> {
    override get(i: number): [cr.Tensor] {
      return [this.tensors[0].select(0, i).mul(2)];
    }
  }
  const [[dbl]] = [...new cr.data.DataLoader(new Doubled(cr.tensor([1, 2, 3])), { batchSize: 3 })] as [[cr.Tensor]];
  assert.deepEqual(dbl.tolist(), [2, 4, 6]);

  class Ragged extends cr.data.Dataset<cr.Tensor> {
    readonly length = 2;
    get(i: number) {
      return cr.zeros([i + 1]);
    }
  }
  assert.throws(() => [...new cr.data.DataLoader(new Ragged(), { batchSize: 2 })], /DataLoader: cannot stack samples: sample 0 has shape \[1\] but sample 1 has \[2\]/);
  class Strings extends cr.data.Dataset<string> {
    readonly length = 1;
    get() {
      return "a";
    }
  }
  assert.throws(() => [...new cr.data.DataLoader(new Strings())], /DataLoader: cannot batch samples: sample 0 is string; a sample must be a tensor, a number/);
});

test("DataLoader names a bad option", () => {
  const ds = indexed(4);
  assert.throws(() => new cr.data.DataLoader(ds, { batchSize: 0 }), /DataLoader: batchSize must be an integer >= 1, got 0/);
  assert.throws(() => new cr.data.DataLoader(ds, { batchSize: 2.5 }), /batchSize must be an integer >= 1, got 2\.5/);
  assert.throws(() => new cr.data.DataLoader(ds, { batch_size: 4 } as unknown as cr.data.DataLoaderOptions), /DataLoader: unknown option "batch_size" \(known: batchSize, shuffle, dropLast, generator, seed, collate\)/);
  assert.throws(() => new cr.data.DataLoader(ds, { shuffle: "yes" as unknown as boolean }), /DataLoader: shuffle must be true or false, got string/);
  assert.throws(() => new cr.data.DataLoader(ds, { shuffle: true, seed: 1, generator: new cr.Generator(1) }), /DataLoader: give either generator or seed, not both/);
  assert.throws(() => new cr.data.DataLoader(ds, { seed: Number.NaN }), /DataLoader: seed must be a finite number, got NaN/);
  assert.throws(() => new cr.data.DataLoader([1, 2] as unknown as cr.data.Dataset<number>), /DataLoader: expected a dataset \(an object with length and get\(i\)\)/);
});

// ---- synthetic datasets ----------------------------------------------------------------------

test("xor, moons, circles and spirals have the documented shapes, dtypes and class balance", () => {
  const t = data.xor();
  assert.deepEqual(t.x.tolist(), [[0, 0], [0, 1], [1, 0], [1, 1]]);
  assert.deepEqual(t.y.tolist(), [0, 1, 1, 0]);
  const cases: [string, cr.data.Points, number[]][] = [
    ["xor", data.xor(400, { noise: 0.1, seed: 0 }), [200, 200]],
    ["moons", data.moons(101, { noise: 0.1, seed: 0 }), [50, 51]],
    ["circles", data.circles(200, { noise: 0.05, factor: 0.5, seed: 0 }), [100, 100]],
    ["spirals", data.spirals(301, { classes: 3, seed: 0 }), [101, 100, 100]],
    ["spirals5", data.spirals(50, { classes: 5, noise: 0, seed: 0 }), [10, 10, 10, 10, 10]],
  ];
  for (const [name, { x, y }, balance] of cases) {
    const n = balance.reduce((a, b) => a + b, 0);
    assert.deepEqual(x.shape, [n, 2], name);
    assert.deepEqual(y.shape, [n], name);
    assert.equal(x.dtype, "float32", name);
    assert.equal(y.dtype, "int32", name);
    assert.deepEqual(counts(y, balance.length), balance, name);
    assert.ok(Array.from(x.toTypedArray()).every(Number.isFinite), name);
  }
});

test("without noise the points lie on scikit-learn's curves", () => {
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  const m = data.moons(40, { seed: 0 });
  const mx = m.x.tolist() as number[][];
  ints(m.y).forEach((c, i) => {
    const [px, py] = mx[i]!;
    // Class 0: the upper unit half circle; class 1: the lower one, moved to (1, 0.5).
    if (c === 0) assert.ok(close(px! ** 2 + py! ** 2, 1) && py! >= -1e-7, `moon 0 point ${mx[i]}`);
    else assert.ok(close((px! - 1) ** 2 + (py! - 0.5) ** 2, 1) && py! <= 0.5 + 1e-7, `moon 1 point ${mx[i]}`);
  });
  const unshuffled = data.moons(6, { shuffle: false });
  assert.deepEqual(unshuffled.y.tolist(), [0, 0, 0, 1, 1, 1]);
  assert.deepEqual((unshuffled.x.tolist() as number[][]).map(([a, b]) => [Math.round(a! * 1e6) / 1e6, Math.round(b! * 1e6) / 1e6]), [[1, 0], [0, 1], [-1, 0], [0, 0.5], [1, -0.5], [2, 0.5]]);

  const c = data.circles(30, { factor: 0.3, seed: 0 });
  const cx = c.x.tolist() as number[][];
  ints(c.y).forEach((k, i) => assert.ok(close(Math.hypot(cx[i]![0]!, cx[i]![1]!), k === 0 ? 1 : 0.3), `circle point ${cx[i]}`));

  const s = data.spirals(30, { classes: 3, noise: 0 });
  const sx = s.x.tolist() as number[][];
  // Arm 0's last point: radius 1 at angle 4, as (r sin t, r cos t).
  assert.ok(close(sx[9]![0]!, Math.sin(4)) && close(sx[9]![1]!, Math.cos(4)));
  assert.deepEqual(sx[0], [0, 0]);
});

test("synthetic datasets repeat with a seed and differ between seeds", () => {
  for (const make of [
    (seed: number) => data.xor(20, { noise: 0.2, seed }),
    (seed: number) => data.moons(20, { noise: 0.1, seed }),
    (seed: number) => data.circles(20, { noise: 0.1, seed }),
    (seed: number) => data.spirals(20, { seed }),
  ]) {
    const a = make(1);
    const b = make(1);
    const c = make(2);
    assert.deepEqual(a.x.toTypedArray(), b.x.toTypedArray());
    assert.deepEqual(a.y.toTypedArray(), b.y.toTypedArray());
    assert.notDeepEqual(a.x.toTypedArray(), c.x.toTypedArray());
  }
  cr.manualSeed(3);
  const d1 = data.moons(10, { noise: 0.1 });
  cr.manualSeed(3);
  assert.deepEqual(data.moons(10, { noise: 0.1 }).x.toTypedArray(), d1.x.toTypedArray());
});

test("synthetic datasets name a bad argument", () => {
  assert.throws(() => data.moons(0), /moons: n must be an integer >= 1, got 0/);
  assert.throws(() => data.circles(10, { factor: 1 }), /circles: factor must be in \[0, 1\), got 1/);
  assert.throws(() => data.spirals(10, { classes: 0 }), /spirals: classes must be an integer >= 1, got 0/);
  assert.throws(() => data.xor(8, { noise: -1 }), /xor: noise must be a finite number >= 0, got -1/);
  assert.throws(() => data.moons(8, { nois: 0.1 } as unknown as cr.data.ShuffleOptions), /moons: unknown option "nois" \(known: noise, seed, generator, shuffle\)/);
});

// ---- MNIST -----------------------------------------------------------------------------------

test("MNIST: the official 60,000 training and 10,000 test digits, scaled to [0, 1]", () => {
  let t0 = performance.now();
  const { train, test: testSplit } = data.mnist();
  const loadMs = performance.now() - t0;
  assert.deepEqual(train.images.shape, [60000, 784]);
  assert.deepEqual(train.labels.shape, [60000]);
  assert.deepEqual(testSplit.images.shape, [10000, 784]);
  assert.deepEqual(testSplit.labels.shape, [10000]);
  assert.equal(train.images.dtype, "float32");
  assert.equal(train.labels.dtype, "int32");

  const px = train.images.dataView();
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < px.length; i++) {
    const v = px[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // MNIST's mean pixel is 0.1307 (the constant in every PyTorch MNIST example).
  assert.ok(Math.abs(sum / px.length - 0.1307) < 0.0005, `mean pixel ${sum / px.length}`);

  const trainCounts = counts(train.labels, 10);
  assert.ok(trainCounts.every((c) => c >= 5000 && c <= 7000), `train label counts ${trainCounts}`);
  assert.deepEqual(trainCounts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  assert.deepEqual(counts(testSplit.labels, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.deepEqual(ints(train.labels).slice(0, 8), [5, 0, 4, 1, 9, 2, 1, 3]);
  assert.deepEqual(ints(testSplit.labels).slice(0, 3), [7, 2, 1]);

  t0 = performance.now();
  const loader = new cr.data.DataLoader(new cr.data.TensorDataset(train.images, train.labels), { batchSize: 64, shuffle: true, seed: 0 });
  let seen = 0;
  for (const [x, y] of loader) {
    assert.equal(x.shape[0], y.shape[0]);
    seen += y.shape[0]!;
  }
  assert.equal(seen, 60000);
  assert.equal(loader.length, 938);
  console.log(`# MNIST: parsed both splits in ${loadMs.toFixed(0)} ms; one shuffled epoch of 938 batches of 64 in ${(performance.now() - t0).toFixed(0)} ms`);

  const few = data.loadMnist({ split: "test", limit: 5 });
  assert.deepEqual(few.images.shape, [5, 784]);
  assert.deepEqual(few.labels.tolist(), [7, 2, 1, 0, 4]);
  assert.deepEqual(few.images.toTypedArray(), testSplit.images.narrow(0, 0, 5).toTypedArray());
});

test("MNIST's IDX files are checked: a corrupt or truncated file is an error naming it", () => {
  const idx = (magic: number, dims: number[], body: number): Uint8Array => {
    const b = new Uint8Array(4 + 4 * dims.length + body);
    const v = new DataView(b.buffer);
    v.setUint32(0, magic);
    dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
    return b;
  };
  assert.deepEqual(data.parseIdx(idx(0x801, [3], 3), "x").shape, [3]);
  assert.throws(() => data.parseIdx(idx(0x803, [2, 28, 28], 1000), "imgs"), (e: unknown) =>
    e instanceof FormatError && /^imgs: the header says 2×28×28 = 1568 bytes of data after the 16-byte header, but the file holds 1000 \(a truncated file\?\)$/.test(e.message));
  assert.throws(() => data.parseIdx(idx(0x801, [3], 5), "labels"), /labels: the header says 3 = 3 bytes of data after the 8-byte header, but the file holds 5$/);
  assert.throws(() => data.parseIdx(idx(0x1f8b0803, [], 4), "gz"), /gz: magic number 0x1f8b0803 is not an IDX header/);
  assert.throws(() => data.parseIdx(idx(0x0d01, [3], 12), "floats"), /floats: magic number 0x00000d01 says element type 0x0d; only unsigned bytes \(0x08\)/);
  assert.throws(() => data.parseIdx(Uint8Array.of(0, 0, 8), "tiny"), /tiny: 3 bytes is too short for an IDX header/);
  assert.throws(() => data.parseIdx(Uint8Array.of(0, 0, 8, 3, 0, 0), "short"), /short: 6 bytes is too short for the 16-byte header of a 3-dim IDX file/);

  const dir = mkdtempSync(join(tmpdir(), "chainrule-mnist-"));
  try {
    const real = data.mnistDir();
    const labels = readFileSync(join(real, "t10k-labels-idx1-ubyte"));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idx(0x803, [10000, 28, 28], 100));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), labels);
    assert.throws(() => data.loadMnist({ split: "test", dir }), /t10k-images-idx3-ubyte: the header says 10000×28×28 = 7840000 bytes of data after the 16-byte header, but the file holds 100/);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idx(0x803, [3, 2, 2], 12));
    assert.throws(() => data.loadMnist({ split: "test", dir }), /t10k-images-idx3-ubyte holds 3 images but .*t10k-labels-idx1-ubyte holds 10000 labels/);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 3, 1, 12, 2));
    assert.throws(() => data.loadMnist({ split: "test", dir }), /t10k-labels-idx1-ubyte: label 1 is 12; MNIST labels are digits 0\.\.9/);
    assert.throws(() => data.loadMnist({ split: "train", dir }), /loadMnist: cannot read ".*train-images-idx3-ubyte": ENOENT/);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 3, 1, 9, 2));
    const small = data.loadMnist({ split: "test", dir });
    assert.deepEqual(small.images.shape, [3, 4]);
    assert.deepEqual(small.labels.tolist(), [1, 9, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => data.loadMnist({ split: "val" as "test" }), /loadMnist: split must be "train" or "test", got "val"/);
  assert.throws(() => data.loadMnist({ limit: -1 }), /loadMnist: limit must be an integer >= 0, got -1/);
});

// ---- CSV -------------------------------------------------------------------------------------

test("loadCsv: numeric features and a named target, classes sorted, the task decided from the target", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-csv-"));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  try {
    const iris = file("iris.csv", "\ufeffsepal length,sepal width,species,petal\n5.1,3.5,setosa,0.2\n\n7.0, 3.2 ,versicolor,1.4\n6.3,3.3,virginica,2.5\n4.9,3.0,setosa,-.2e1\n");
    const a = data.loadCsv(iris, { target: "species" });
    assert.deepEqual(a.featureNames, ["sepal length", "sepal width", "petal"]);
    assert.equal(a.targetName, "species");
    assert.equal(a.task, "classification");
    assert.deepEqual(a.classes, ["setosa", "versicolor", "virginica"]);
    assert.deepEqual(a.x.shape, [4, 3]);
    assert.equal(a.x.dtype, "float32");
    assert.deepEqual(a.x.tolist(), [[5.1, 3.5, 0.2], [7, 3.2, 1.4], [6.3, 3.3, 2.5], [4.9, 3, -2]].map((r) => r.map(Math.fround)));
    assert.deepEqual(a.y.tolist(), [0, 1, 2, 0]);
    assert.equal(a.y.dtype, "int32");

    const picked = data.loadCsv(iris, { target: "species", features: ["petal", "sepal length"] });
    assert.deepEqual(picked.featureNames, ["petal", "sepal length"]);
    assert.deepEqual((picked.x.tolist() as number[][])[0], [0.2, 5.1].map(Math.fround));

    // Integer targets with few distinct values are classes, compared as numbers.
    const ratings = file("ratings.csv", "x,grade\n1,10\n2,9\n3,10.0\n4,2\n");
    const r = data.loadCsv(ratings, { target: "grade" });
    assert.equal(r.task, "classification");
    assert.deepEqual(r.classes, ["2", "9", "10"]);
    assert.deepEqual(r.y.tolist(), [2, 1, 2, 0]);
    assert.equal(data.loadCsv(ratings, { target: "grade", maxClasses: 2 }).task, "regression");

    // Fractional targets are regression, float32.
    const prices = file("prices.csv", "rooms;price\n3;250000.5\n2;199000\n");
    const p = data.loadCsv(prices, { target: "price", delimiter: ";" });
    assert.equal(p.task, "regression");
    assert.equal(p.classes, null);
    assert.equal(p.y.dtype, "float32");
    assert.deepEqual(p.y.tolist(), [250000.5, 199000]);
    assert.equal(data.loadCsv(prices, { target: "price", delimiter: ";", task: "classification" }).task, "classification");

    const inMemory = data.parseCsv("a,b,label\n1,2,yes\n3,4,no\n", { target: "label" });
    assert.deepEqual(inMemory.y.tolist(), [1, 0]);
    assert.deepEqual(inMemory.classes, ["no", "yes"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("loadCsv names what is wrong: the file, the column, the line", () => {
  const dir = mkdtempSync(join(tmpdir(), "chainrule-csv-"));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const format = (re: RegExp) => (e: unknown) => (e instanceof FormatError && re.test(e.message) ? true : assert.fail(`wrong error: ${String(e)}`));
  try {
    const good = file("good.csv", "a,b,label\n1,2,x\n3,4,y\n");
    assert.throws(() => data.loadCsv(join(dir, "missing.csv"), { target: "label" }), /loadCsv: cannot read ".*missing\.csv": ENOENT/);
    assert.throws(() => data.loadCsv(good, { target: "class" }), /loadCsv: .*good\.csv: no column named "class" \(columns: a, b, label\)/);
    assert.throws(() => data.loadCsv(good, { target: "label", features: ["a", "c"] }), /no feature column named "c" \(columns: a, b, label\)/);
    assert.throws(() => data.loadCsv(good, { target: "label", features: ["label"] }), /"label" is the target and cannot also be a feature/);
    assert.throws(() => data.loadCsv(good, { target: "label", task: "regression" }), format(/good\.csv: line 2, column "label": "x" is not a number, but task is "regression"/));
    assert.throws(() => data.loadCsv(good, { label: "label" } as unknown as cr.data.CsvOptions), /loadCsv: unknown option "label" \(known: target, features, task, maxClasses, delimiter, classes\)/);
    assert.throws(() => data.loadCsv(file("text.csv", "a,b,label\n1,2,x\n3,four,y\n"), { target: "label" }), format(/text\.csv: line 3, column "b": "four" is not a number \(feature columns must be numeric\)/));
    assert.throws(() => data.loadCsv(file("hole.csv", "a,b,label\n1,,x\n"), { target: "label" }), format(/hole\.csv: line 2, column "b": the value is missing/));
    assert.throws(() => data.loadCsv(file("nan.csv", "a,label\nNaN,x\n"), { target: "label" }), format(/line 2, column "a": "NaN" is not a number/));
    assert.throws(() => data.loadCsv(file("ragged.csv", "a,b,label\n1,2,x\n3,4\n"), { target: "label" }), format(/ragged\.csv: line 3 has 2 fields but the header has 3 columns/));
    assert.throws(() => data.loadCsv(file("empty.csv", ""), { target: "label" }), format(/empty\.csv: the file is empty; expected a header line naming the columns/));
    assert.throws(() => data.loadCsv(file("header.csv", "a,label\n"), { target: "label" }), format(/header\.csv: the header has no data rows under it/));
    assert.throws(() => data.loadCsv(file("dup.csv", "a,a,label\n1,2,x\n"), { target: "label" }), format(/dup\.csv: the header names column "a" twice/));
    assert.throws(() => data.loadCsv(file("quote.csv", 'a,label\n1,"x\n'), { target: "label" }), format(/quote\.csv: Quote Not Closed/));
    assert.throws(() => data.loadCsv(file("only.csv", "label\nx\n"), { target: "label" }), format(/only\.csv: the target "label" is the only column; there are no features/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
