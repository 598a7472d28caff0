// The chainrule command end to end (from the build in dist/): train, eval and predict on small
// datasets, the files they write, and one-line errors for bad input.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as cr from "chainrule";

const root = join(import.meta.dirname, "..");
const cli = join(root, "packages", "cli", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "chainrule-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("train moons: prints the epochs, the table and the accuracy, and writes the model and the plot", () => {
  const model = join(dir, "moons.safetensors");
  const r = run("train", "moons", "--epochs", "80", "--samples", "400", "--seed", "3", "--save", model);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /dataset moons: 320 training and 80 test samples, 2 features, 2 classes/);
  assert.match(r.stdout, /epoch 80\/80: train loss [\d.]+, test loss [\d.]+, train accuracy [\d.]+%, test accuracy [\d.]+%/);
  assert.match(r.stdout, /│ epoch │ train loss │ train acc │ test loss │ test acc │ time │/);
  const acc = Number(/final test accuracy ([\d.]+)%/.exec(r.stdout)![1]);
  assert.ok(acc >= 90, `moons test accuracy ${acc}% is below 90%`);
  assert.ok(r.stdout.includes(`model written to ${model}`));
  const plot = join(dir, "moons.svg");
  assert.ok(r.stdout.includes(`plot written to ${plot}`));
  const svg = readFileSync(plot, "utf8");
  assert.match(svg, /^<svg[^>]*>/);
  assert.match(svg, /accuracy/);
  const { tensors, metadata } = cr.safetensors.loadWithMetadata(model);
  assert.deepEqual(Object.keys(tensors).sort(), ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]);
  assert.equal(metadata!["chainrule.dataset"], "moons");

  const e = run("eval", model, "moons", "--samples", "400");
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, new RegExp(`moons test split \\(80 samples\\): loss [\\d.]+, accuracy ${acc.toFixed(2)}%`));

  const p = run("predict", model, "--input", "1.0,-0.5");
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /predicted class [01] \(probability [\d.]+%\)/);
});

test("train replays captured steps by default, with the numbers of --no-capture's eager steps", () => {
  const epochs = (args: string[]) => {
    const r = run("train", "moons", "--epochs", "6", "--samples", "300", "--seed", "4", "--batch-size", "50", "--save", join(dir, "cap.safetensors"), ...args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter((l) => l.startsWith("epoch ")).map((l) => l.replace(/ \([\d.]+s\)$/, ""));
  };
  const captured = epochs([]);
  assert.equal(captured.length, 6);
  assert.deepEqual(epochs(["--no-capture"]), captured);
});

test("train the XOR network on the four corners until it is right", () => {
  const model = join(dir, "xor.safetensors");
  const r = run("train", "xor", "--epochs", "200", "--hidden", "8", "--activation", "tanh", "--save", model, "--plot", join(dir, "xor-plot.svg"));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, "xor-plot.svg")));
  assert.match(r.stdout, /final test accuracy 100\.00%/);
});

test("without --save and --plot, train writes into runs/, which git ignores: a repository stays clean", () => {
  const repo = mkdtempSync(join(dir, "repo-"));
  const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, encoding: "utf8" });
  assert.equal(git("init", "-q").status, 0);
  const r = spawnSync(process.execPath, [cli, "train", "xor", "--epochs", "5"], { cwd: repo, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const model = join(repo, "runs", "chainrule-xor-mlp.safetensors");
  const plot = join(repo, "runs", "chainrule-xor-mlp.svg");
  assert.ok(r.stdout.includes(`model written to ${model}`), r.stdout);
  assert.ok(r.stdout.includes(`plot written to ${plot}`), r.stdout);
  assert.equal(cr.safetensors.loadWithMetadata(model).metadata!["chainrule.dataset"], "xor");
  assert.match(readFileSync(plot, "utf8"), /^<svg/);
  assert.deepEqual(readdirSync(repo).sort(), [".git", "runs"], "nothing written beside runs/");
  const status = git("status", "--porcelain", "--untracked-files=all");
  assert.equal(status.status, 0, status.stderr);
  assert.equal(status.stdout, "", "git sees no new or changed file");
  // A second run overwrites its files and leaves a runs/ that the user changed alone.
  writeFileSync(join(repo, "runs", ".gitignore"), "*.safetensors\n");
  assert.equal(spawnSync(process.execPath, [cli, "train", "xor", "--epochs", "2"], { cwd: repo, encoding: "utf8" }).status, 0);
  assert.equal(readFileSync(join(repo, "runs", ".gitignore"), "utf8"), "*.safetensors\n");
});

test("train a CSV file with a named target column", () => {
  const rows = ["sepal,petal,kind"];
  cr.manualSeed(5);
  const a = cr.randn([120, 2]).toTypedArray();
  for (let i = 0; i < 120; i++) {
    const kind = i % 2 === 0 ? "small" : "large";
    const shift = kind === "small" ? -2 : 2;
    rows.push(`${(a[2 * i]! + shift).toFixed(3)},${(a[2 * i + 1]! + shift).toFixed(3)},${kind}`);
  }
  const csv = join(dir, "plants.csv");
  writeFileSync(csv, rows.join("\n"));
  const r = run("train", csv, "--target", "kind", "--epochs", "20", "--save", join(dir, "plants.safetensors"));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /96 training and 24 test samples, 2 features, 2 classes/);
  assert.match(r.stdout, /final test accuracy (9\d|100)\.\d\d%/);
  const p = run("predict", join(dir, "plants.safetensors"), "--input", "2.5,2.1");
  assert.match(p.stdout, /predicted class large/);
});

for (const [what, args, message] of [
  ["an unknown dataset", ["train", "nope"], /unknown dataset "nope"/],
  ["a missing CSV file", ["train", "missing.csv", "--target", "y"], /cannot read ".*missing\.csv"/],
  ["a bad flag value", ["train", "xor", "--epochs", "0"], /--epochs must be a positive integer/],
  ["an unknown flag", ["train", "xor", "--bogus"], /unknown option '--bogus'/],
  ["an unknown optimizer", ["train", "xor", "--optimizer", "lion"], /argument 'lion' is invalid/],
  ["a CNN on 2-D data", ["train", "xor", "--model", "cnn"], /--model cnn needs image data/],
  ["an unreadable model file", ["eval", "no-such.safetensors"], /no-such\.safetensors/],
  ["a model file that is not safetensors", ["eval", "garbage.safetensors"], /safetensors/],
] as const) {
  test(`${what} is a one-line error and a non-zero exit`, () => {
    writeFileSync(join(dir, "garbage.safetensors"), "this is not a model");
    const r = run(...args);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, `expected one line, got:\n${r.stderr}`);
  });
}
