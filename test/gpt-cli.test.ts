// `chainrule train --model gpt` and `chainrule sample` with tiny configurations: what they print and write,
// checkpoints that resume exactly, streaming generation, and one-line errors (the command itself from dist/).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as cr from "chainrule";
import { loadCheckpoint, loadGptFile } from "../packages/cli/src/gpt-file.js";
import { runSample } from "../packages/cli/src/sample.js";
import { GPT_DEFAULTS, runGptTrainCommand, runTrainGpt } from "../packages/cli/src/train-gpt.js";
import type { Command } from "commander";
import type { GptTrainOptions } from "../packages/cli/src/train-gpt.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "packages", "cli", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "chainrule-gpt-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const corpus = join(dir, "verse.txt");
writeFileSync(corpus, "the cat sat on the mat. the dog sat on the log. a bird sang in the tree.\n".repeat(40));

const tiny = (save: string, over: Partial<GptTrainOptions> = {}): GptTrainOptions => ({
  ...GPT_DEFAULTS, corpus, iters: 6, batchSize: 4, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, lr: 1e-2, minLr: 1e-3,
  warmupIters: 2, evalInterval: 3, evalIters: 2, resume: false, progress: false, save, ...over,
});

function quiet(): { lines: string[]; print: (l: string) => void } {
  const lines: string[] = [];
  return { lines, print: (l) => lines.push(l) };
}

describe("runTrainGpt", () => {
  test("trains, evaluates under noGrad at each interval, and writes the model, a checkpoint and the plot", async () => {
    const save = join(dir, "verse.safetensors");
    const { lines, print } = quiet();
    const history = await runTrainGpt(tiny(save), print);
    assert.deepEqual(history.map((h) => h.iter), [0, 3, 6]);
    assert.ok(history[2]!.trainLoss < history[0]!.trainLoss, `loss ${history[0]!.trainLoss} -> ${history[2]!.trainLoss}`);
    assert.match(lines[0]!, /^corpus verse: 2,920 characters, 18-character vocabulary; 2,628 training and 292 validation tokens$/);
    assert.match(lines[1]!, /^model gpt: 1 layers, 2 heads, 16 wide, block 8; 0\.00M parameters; AdamW lr 0\.01 \(warm-up 2, cosine to 0\.001\), weight decay 0\.1, batch 4, clip 1, seed 0$/);
    assert.ok(lines.some((l) => /^iter 3\/6: train loss [\d.]+, val loss [\d.]+, lr [\d.e+-]+ \([\d,]+ tokens\/s\)$/.test(l)));
    assert.ok(lines.some((l) => /^\nfinal val loss [\d.]+ \(train [\d.]+\) after 6 iterations/.test(l)));
    assert.ok(existsSync(join(dir, "verse.svg")) && readFileSync(join(dir, "verse.svg"), "utf8").startsWith("<svg"));
    const { model, tokenizer, metadata } = loadGptFile(save);
    assert.equal(tokenizer.vocabSize, 18);
    assert.equal(model.config.nEmbd, 16);
    assert.equal(metadata["chainrule.dataset"], "verse");
    // The model file is the weights alone, under nanoGPT's names (PyTorch loads it as it is).
    assert.deepEqual(Object.keys(cr.safetensors.load(save)).sort(), Object.keys(model.stateDict()).sort());
    const ck = loadCheckpoint(join(dir, "verse.ckpt.safetensors"));
    assert.equal(ck.run.iter, 6);
    assert.equal(ck.run.history.length, 3);
  });

  test("a run stopped and resumed ends with the weights of an uninterrupted run", async () => {
    const whole = join(dir, "whole.safetensors");
    await runTrainGpt(tiny(whole, { iters: 4, warmupIters: 4, evalInterval: 2 }), () => undefined);
    const parts = join(dir, "parts.safetensors");
    await runTrainGpt(tiny(parts, { iters: 2, warmupIters: 4, evalInterval: 2 }), () => undefined);
    const { lines, print } = quiet();
    await runTrainGpt(tiny(parts, { iters: 4, resume: true }), print);
    assert.ok(lines.some((l) => l.startsWith("resuming from") && l.endsWith("at iteration 2")));
    const a = cr.safetensors.load(whole), b = cr.safetensors.load(parts);
    for (const k of Object.keys(a)) assert.deepEqual(b[k]!.tolist(), a[k]!.tolist(), k);
    const ck = loadCheckpoint(join(dir, "parts.ckpt.safetensors"));
    assert.deepEqual(ck.run.history.map((h) => (h as { iter: number }).iter), [0, 2, 4]);
    await assert.rejects(runTrainGpt(tiny(parts, { iters: 4, resume: true }), () => undefined), /at iteration 4 already/);
    await assert.rejects(runTrainGpt(tiny(join(dir, "none.safetensors"), { resume: true }), () => undefined), /no checkpoint/);
  });

  test("the byte tokenizer, and a run without tidy, train too", async () => {
    const save = join(dir, "bytes.safetensors");
    await runTrainGpt(tiny(save, { tokenizer: "byte", iters: 2, tidy: false }), () => undefined);
    assert.equal(loadGptFile(save).tokenizer.vocabSize, 256);
  });
});

describe("runSample", () => {
  test("streams the continuation piece by piece; cached and uncached greedy text agree", () => {
    const model = join(dir, "verse.safetensors");
    const pieces: string[] = [];
    const opts = { prompt: "the ", tokens: 30, temperature: 0, seed: 0, cache: true };
    const text = runSample(model, opts, (p) => pieces.push(p));
    assert.equal(pieces[0], "the ");
    assert.ok(pieces.length >= 30, "one write per generated character");
    assert.equal(pieces.join(""), `${text}\n`);
    assert.equal([...text].length, 34);
    assert.equal(runSample(model, { ...opts, cache: false }, () => undefined), text);
    const sampled = (seed: number) => runSample(model, { ...opts, temperature: 1, topK: 5, topP: 0.9, seed }, () => undefined);
    assert.equal(sampled(3), sampled(3));
    assert.throws(() => runSample(model, { ...opts, prompt: "Z" }, () => undefined), /"Z" .* is not in the vocabulary/);
  });

  test("a byte-level model streams whole characters", () => {
    const pieces: string[] = [];
    runSample(join(dir, "bytes.safetensors"), { prompt: "é", tokens: 8, temperature: 1, seed: 1, cache: true }, (p) => pieces.push(p));
    assert.equal(pieces[0], "é");
  });
});

describe("the chainrule command", () => {
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8" });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  test("train --text file.txt --model gpt, then sample from the model it wrote", () => {
    const r = run("train", "--text", corpus, "--model", "gpt", "--iters", "3", "--eval-interval", "3", "--eval-iters", "1", "--batch-size", "2",
      "--block-size", "8", "--n-layer", "1", "--n-head", "2", "--n-embd", "8", "--warmup-iters", "1", "--save", "cmd.safetensors");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /iter 3\/3: train loss/);
    assert.match(r.stdout, /model written to .*cmd\.safetensors/);
    const s = run("sample", "cmd.safetensors", "--prompt", "the", "--tokens", "12", "--temperature", "0.8", "--top-k", "4", "--seed", "2");
    assert.equal(s.status, 0, s.stderr);
    assert.ok(s.stdout.startsWith("the"));
    assert.equal([...s.stdout.trimEnd()].length, 15);
    assert.match(s.stderr, /12 tokens in [\d.]+s/);
  });

  // Each run starts node and loads the library (about a second): the errors that come from commander and main.ts
  // are checked this way, those of the GPT code itself in-process below.
  for (const [what, args, message] of [
    ["--epochs with --model gpt", ["train", "moby-dick", "--model", "gpt", "--epochs", "2"], /--epochs does not apply to --model gpt \(use --iters\)/],
    ["no dataset", ["train"], /missing required argument 'dataset'/],
    ["a bad --top-p", ["sample", "cmd.safetensors", "--top-p", "0"], /--top-p must be a number in \(0, 1\]/],
  ] as const) {
    test(`${what} is a one-line error and a non-zero exit`, () => {
      const r = run(...args);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, `expected one line, got:\n${r.stderr}`);
    });
  }

  test("the GPT command's own checks", async () => {
    const cmd = { getOptionValueSource: (key: string) => (key === "model" || key === "iters" ? "cli" : "default") } as unknown as Command;
    const base = { model: "gpt", seed: 0, progress: false };
    await assert.rejects(runGptTrainCommand("moons", base, cmd), /--model gpt trains on text: moby-dick, a \.txt file, or --text <file>; got "moons"/);
    await assert.rejects(runGptTrainCommand(undefined, { ...base, text: join(dir, "nope.txt") }, cmd), /cannot read ".*nope\.txt": no such file/);
    await assert.rejects(runGptTrainCommand("moby-dick", { ...base, text: corpus }, cmd), /give the corpus once/);
    await assert.rejects(runGptTrainCommand(undefined, base, cmd), /needs a corpus/);
    await assert.rejects(runGptTrainCommand("moby-dick", { ...base, nEmbd: 10, nHead: 4 }, cmd), /--n-embd 10 must be divisible by --n-head 4/);
    writeFileSync(join(dir, "garbage.safetensors"), "not a model");
    assert.throws(() => runSample(join(dir, "garbage.safetensors"), { prompt: "a", tokens: 1, temperature: 1, seed: 0, cache: true }, () => undefined), /safetensors/);
    assert.throws(() => loadGptFile(join(dir, "missing.safetensors")), /missing\.safetensors/);
  });
});
