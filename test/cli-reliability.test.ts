// The chainrule command never loses work or hangs (from the build in dist/): a diverging run stops
// with a clear message and writes nothing, bad model files and inputs are clear errors, a bad --save
// fails at once, `eval` keeps a model's classes, and the plots survive NaN and Infinity.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as cr from "chainrule";
import { terminalPlot, writePlot } from "../packages/cli/src/report.js";
import type { EpochRecord } from "../packages/cli/src/report.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "packages", "cli", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "chainrule-cli-reliability-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  // A generous limit: a hang (recursive mkdir under /proc) fails the test instead of stalling it.
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` with its size and modification time: what "nothing changed" compares. */
function snapshot(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      out.push(`${p} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

/** A failure: non-zero exit, a message matching `message` on stderr, no stack trace, and nothing written. */
function fails(args: string[], message: RegExp): string {
  const before = snapshot();
  const r = run(...args);
  assert.equal(r.signal, null, `${args.join(" ")}: stopped by ${r.signal} (a hang?)`);
  assert.notEqual(r.status, 0, `${args.join(" ")} exited 0:\n${r.stdout}`);
  assert.match(r.stderr, message, args.join(" "));
  assert.doesNotMatch(r.stderr, /^\s+at /m, `a stack trace:\n${r.stderr}`);
  assert.deepEqual(snapshot(), before, `${args.join(" ")} changed files`);
  return r.stderr;
}

// Two well-separated groups, "small" near (-3, -3) and "large" near (3, 3): a trained model is right on every row.
function plantsCsv(rows: number, kinds: readonly string[]): string {
  cr.manualSeed(11);
  const noise = cr.randn([rows, 2]).mul(0.3).toTypedArray();
  const lines = ["width,height,kind"];
  for (let i = 0; i < rows; i++) {
    const kind = kinds[i % kinds.length]!;
    const shift = kind === "small" ? -3 : 3;
    lines.push(`${(noise[2 * i]! + shift).toFixed(3)},${(noise[2 * i + 1]! + shift).toFixed(3)},${kind}`);
  }
  return lines.join("\n") + "\n";
}

const model = join(dir, "plants.safetensors");
before(() => {
  writeFileSync(join(dir, "plants.csv"), plantsCsv(100, ["small", "large"]));
  const r = run("train", "plants.csv", "--target", "kind", "--epochs", "30", "--save", model);
  assert.equal(r.status, 0, r.stderr);
});

test("a diverging run stops at the first non-finite loss, names the epoch and step, and writes nothing", () => {
  const err = fails(["train", "xor", "--lr", "1e30", "--save", "xor.safetensors"], /^chainrule: training diverged: the loss became NaN at epoch 1, step \d+ of 25; nothing was saved\. To fix it, lower the learning rate \(--lr, now 1e\+30\)/);
  assert.equal(err.trim().split("\n").length, 1, err);
  fails(["train", "xor", "--optimizer", "sgd", "--momentum", "50", "--save", "xor.safetensors"], /training diverged: the loss became (NaN|Infinity) at epoch \d+, step \d+ of 25; .*or the momentum \(--momentum, now 50\)/);
  // An existing model at --save is left as it was, and folders made for the run are removed again.
  writeFileSync(join(dir, "keep.safetensors"), "the previous model");
  fails(["train", "xor", "--lr", "1e30", "--save", "keep.safetensors"], /training diverged/);
  assert.equal(readFileSync(join(dir, "keep.safetensors"), "utf8"), "the previous model");
  rmSync(join(dir, "keep.safetensors"));
  fails(["train", "xor", "--lr", "1e30", "--save", join("new", "folder", "m.safetensors")], /training diverged/);
  assert.ok(!existsSync(join(dir, "new")));
});

test("CSV values that overflow and a CSV too small to split are clear errors before training", () => {
  writeFileSync(join(dir, "huge.csv"), "a,b,label\n1,2,x\n1e400,3,y\n4,5,x\n");
  fails(["train", "huge.csv", "--target", "label"], /huge\.csv: line 3, column "a": "1e400" is too large for float32/);
  writeFileSync(join(dir, "one-row.csv"), "a,b,label\n1,2,x\n");
  fails(["train", "one-row.csv", "--target", "label"], /one-row\.csv has 1 row of data; at least 2 are needed/);
});

test("a bad --save or --plot fails at once, before training", () => {
  if (existsSync("/proc/self")) fails(["train", "xor", "--save", "/proc/nope/x.safetensors"], /cannot write "\/proc\/nope\/x\.safetensors": cannot make the folder "\/proc\/nope"/);
  writeFileSync(join(dir, "a-file"), "");
  fails(["train", "xor", "--save", join("a-file", "m.safetensors")], /"[^"]*a-file" is not a folder/);
  mkdirSync(join(dir, "a-folder"));
  fails(["train", "xor", "--plot", "a-folder"], /cannot write "[^"]*a-folder": it is a folder/);
  rmSync(join(dir, "a-folder"), { recursive: true });
  rmSync(join(dir, "a-file"));
});

test("eval reads a CSV with the model's classes: one class alone is still scored right, an unknown one is an error", () => {
  writeFileSync(join(dir, "large-only.csv"), plantsCsv(40, ["large"]));
  const r = run("eval", model, "large-only.csv", "--target", "kind");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /large-only\.csv test split \(8 samples\): loss [\d.]+, accuracy 100\.00%/);
  writeFileSync(join(dir, "daisy.csv"), plantsCsv(10, ["large"]) + "1,1,daisy\n");
  fails(["eval", model, "daisy.csv"], /daisy\.csv: line 12, column "kind": "daisy" is not one of the known classes \(large, small\)/);
  // The model's columns are read by name: a file with another column order or more columns is fine, one without them is not.
  writeFileSync(join(dir, "reordered.csv"), "kind,depth,height,width\nlarge,0,3,3\nsmall,0,-3,-3\nlarge,9,2.9,3.1\n");
  assert.match(run("eval", model, "reordered.csv").stdout, /reordered\.csv test split \(1 samples\): loss [\d.]+, accuracy 100\.00%/);
  writeFileSync(join(dir, "renamed.csv"), "width,depth,kind\n1,2,small\n4,5,large\n");
  fails(["eval", model, "renamed.csv"], /renamed\.csv: no feature column named "height" \(columns: width, depth, kind\)/);
});

test("a model file whose metadata disagrees with its weights is refused before anything is built, listing every mismatch", () => {
  const { tensors, metadata } = cr.safetensors.loadWithMetadata(model);
  const config = JSON.parse(metadata!["chainrule.model"]!) as Record<string, unknown>;
  // 2 KB on disk; building what it claims would take 20000² floats (1.6 GB) per layer.
  cr.safetensors.save(tensors, join(dir, "claims-big.safetensors"), { ...metadata, "chainrule.model": JSON.stringify({ ...config, hidden: [20000, 20000] }) });
  assert.ok(statSync(join(dir, "claims-big.safetensors")).size < 4096);
  const err = fails(["eval", "claims-big.safetensors"], /claims-big\.safetensors: the weights do not match the model its metadata describes:/);
  assert.match(err, /\n {2}"2\.weight" is \[16, 16\] but the config needs \[20000, 20000\]\n/);
  // The whole list is printed, one problem a line, not only the first line of the message.
  const edited: Record<string, cr.Tensor> = { ...tensors, "9.weight": cr.zeros([2, 2]) };
  delete edited["4.bias"];
  cr.safetensors.save(edited, join(dir, "keys.safetensors"), metadata);
  const keys = fails(["eval", "keys.safetensors"], /the weights do not match/);
  assert.match(keys, /\n {2}"4\.bias" is missing \(the config needs \[2\]\)\n {2}"9\.weight" is not a parameter of the config's model\n$/);
  for (const [key, value, message] of [
    ["chainrule.classes", "7", /"chainrule\.classes" says 7 classes but the model has 2 outputs/],
    ["chainrule.mean", "[0, 1, 2]", /"chainrule\.mean" must be 2 finite numbers/],
    ["chainrule.std", "[1, -1]", /"chainrule\.std" must be 2 positive numbers/],
    ["chainrule.classNames", '["a"]', /"chainrule\.classNames" must be 2 distinct class names/],
    ["chainrule.model", '{"kind":"mlp","inputs":2,"hidden":[1e400],"outputs":2,"activation":"relu"}', /"chainrule\.model" is not valid JSON|must give an MLP's/],
    ["chainrule.model", '{"kind":"rnn"}', /unknown activation|unknown kind/],
  ] as const) {
    cr.safetensors.save(tensors, join(dir, "meta.safetensors"), { ...metadata, [key]: value });
    fails(["predict", "meta.safetensors", "--input", "1,2"], message);
  }
  rmSync(join(dir, "meta.safetensors"));
});

test("predict takes decimal numbers that fit float32, one per feature, and nothing else", () => {
  for (const [input, message] of [
    [",", /--input value 1 is missing/],
    ["0x10,1", /--input value 1, "0x10", is not a decimal number/],
    ["1e308,1e308", /--input value 1, "1e308", is too large for float32/],
    ["1,Infinity", /--input value 2, "Infinity", is not a decimal number/],
    ["1", /--input has 1 value but the model takes 2 features/],
    ["1,2,3", /--input has 3 values but the model takes 2 features/],
  ] as const) {
    fails(["predict", model, "--input", input], message);
  }
  const ok = run("predict", model, "--input", " 3.1 , 2.9 ");
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /predicted class large/);
});

test("numeric flags are decimal numbers in range", () => {
  fails(["train", "xor", "--epochs", "0x10"], /--epochs must be a positive integer, got "0x10"/);
  fails(["train", "xor", "--lr", "1e400"], /--lr must be a number >= 0, got "1e400"/);
  fails(["train", "xor", "--samples", "1e12"], /--samples must be at most 10,000,000/);
  fails(["train", "xor", "--hidden", "100000,100000"], /--hidden must be comma-separated positive integers up to 65536/);
  fails(["train", "mnist", "--hidden", "60000,60000"], /--hidden 60000,60000 makes 3,647,760,010 parameters, more than the 100,000,000 this command trains/);
  fails(["graph", "x", "--x", "0x10"], /--x must be a number, got "0x10"/);
});

test("the terminal plot and the SVG plot survive NaN and Infinity", async () => {
  const record = (epoch: number, loss: number): EpochRecord => ({ epoch, trainLoss: loss, trainAccuracy: 0.5, testLoss: loss, testAccuracy: Number.isFinite(loss) ? 0.5 : NaN, seconds: 0.1 });
  const history = [record(1, 0.7), record(2, 0.5), record(3, NaN), record(4, Infinity), record(5, 0.4)];
  const chart = terminalPlot(history, false);
  assert.match(chart, /loss per epoch: train \(first\), test \(2 epochs with a non-finite loss left out\)/);
  assert.equal(terminalPlot([record(1, NaN), record(2, 0.5)], false), "");
  assert.equal(terminalPlot([record(1, -Infinity), record(2, Infinity)], true), "");
  const svg = join(dir, "plot.svg");
  await writePlot(history, svg, "with NaN", false);
  await writePlot([record(1, NaN), record(2, Infinity)], join(dir, "all-bad.svg"), "nothing finite", true);
  assert.match(readFileSync(svg, "utf8"), /^<svg[^>]*>/);
  assert.match(readFileSync(join(dir, "all-bad.svg"), "utf8"), /^<svg[^>]*>/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
  rmSync(svg);
  rmSync(join(dir, "all-bad.svg"));
});
