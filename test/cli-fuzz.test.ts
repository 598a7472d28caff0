// Property-based check of the real chainrule command (packages/cli/dist/main.js, one process per case, so few
// cases): argument lists built from well-formed units with at least one bad unit among them — a bad
// value for a known flag, an unknown flag or command, a bad file, a bad formula — always exit non-zero
// with a message and no stack trace, and change no file. Units keep each flag with its value, so a bad
// token cannot be swallowed as another flag's value and turn the list into a good one.
// CHAINRULE_FUZZ_RUNS=200 runs more cases than the default 10.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";

const cli = join(import.meta.dirname, "..", "packages", "cli", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "chainrule-cli-fuzz-"));
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => {
  const r = spawnSync(process.execPath, [cli, "train", "xor", "--samples", "40", "--epochs", "2", "--save", "good.safetensors"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  writeFileSync(join(dir, "garbage.safetensors"), "not a model at all");
  writeFileSync(join(dir, "huge.csv"), "a,b,label\n1,2,x\n1e400,3,y\n4,5,x\n");
  writeFileSync(join(dir, "one-row.csv"), "a,b,label\n1,2,x\n");
  writeFileSync(join(dir, "ragged.csv"), "a,b,label\n1,2,x\n3,y\n");
});

function snapshot(): string {
  return readdirSync(dir).sort().map((f) => `${f} ${statSync(join(dir, f)).mtimeMs}`).join("\n");
}

async function run(args: string[]): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
  clearTimeout(timer);
  return { status, signal, stderr };
}

const unit = (...tokens: string[]) => fc.constant(tokens);
// Each run stays short: a few samples and one epoch, whatever else the list says.
const quick = [["--samples", "40"], ["--epochs", "1"], ["--no-progress"]];
const goodTrain = fc.oneof(unit("--batch-size", "8"), unit("--seed", "3"), unit("--hidden", "4,4"), unit("--activation", "tanh"), unit("--optimizer", "sgd"), unit("--lr", "0.01"), unit("--scheduler", "none"));
// Not "--lr 1e30": it diverges with relu, but tanh keeps the loss finite, so that run is a (useless) success.
const badTrain = fc.oneof(
  unit("--epochs", "0"), unit("--epochs", "0x10"), unit("--epochs", "1.5"), unit("--batch-size", "-3"), unit("--seed", "NaN"),
  unit("--lr", "1e400"), unit("--lr", "-1"), unit("--lr", ""), unit("--momentum", "Infinity"), unit("--weight-decay", "0b1"),
  unit("--hidden", "4,,4"), unit("--hidden", "0"), unit("--hidden", "1e9"), unit("--samples", "1e12"), unit("--samples", " 40"),
  unit("--optimizer", "lion"), unit("--activation", "swish"), unit("--model", "cnn"), unit("--bogus"), unit("--save", "/proc/nope/m.safetensors"),
  unit("--save", "huge.csv/m.safetensors"), unit("--until", "-0.5"), unit("stray-argument"),
);
const trainCase = fc
  .tuple(fc.constantFrom("xor", "moons", "spirals"), fc.array(goodTrain, { maxLength: 3 }), badTrain, fc.nat())
  .map(([dataset, good, bad, at]) => {
    const units = [...good];
    units.splice(at % (units.length + 1), 0, bad);
    return ["train", dataset, ...quick.flat(), ...units.flat()];
  });
const badDataset = fc.constantFrom<string[]>(["nope"], ["missing.csv", "--target", "label"], ["huge.csv", "--target", "label"], ["one-row.csv", "--target", "label"], ["ragged.csv", "--target", "label"], ["huge.csv"], ["huge.csv", "--target", "nope"]);
const datasetCase = badDataset.map((d) => ["train", ...d, ...quick.flat()]);
const evalCase = fc.oneof(
  fc.constantFrom("missing.safetensors", "garbage.safetensors", "huge.csv").map((m) => ["eval", m]),
  badDataset.map((d) => ["eval", "good.safetensors", ...d]),
  fc.constantFrom<string[]>(["--samples", "0"], ["--samples", "0x10"], ["--bogus"]).map((f) => ["eval", "good.safetensors", ...f]),
);
const predictCase = fc.oneof(
  fc.constantFrom(",", "0x10,1", "1e308,1e308", "1", "1,2,3", "a,b", "", "1,,2", "NaN,1").map((input) => ["predict", "good.safetensors", "--input", input]),
  fc.constantFrom<string[]>([], ["--mnist-index", "-1"], ["--mnist-index", "1e9"], ["--mnist-index", "x"]).map((f) => ["predict", "good.safetensors", ...f]),
  fc.constantFrom("missing.safetensors", "garbage.safetensors").map((m) => ["predict", m, "--input", "1,2"]),
);
const graphCase = fc.oneof(
  fc.constantFrom("x+*y", "(x", "foo(x)", "sin", "(".repeat(3000) + "x" + ")".repeat(3000), "x^", "", "2+3").map((f) => ["graph", f, "--x", "1", "--y", "2"]),
  fc.constantFrom<string[]>(["--x", "0x10"], ["--x", "1e400"], ["--x"], ["--x", "1", "--z", "2"], ["--x", "1", "--format", "png"], ["--x", "1", "--out", "huge.csv/g.svg"]).map((f) => ["graph", "x*2", ...f]),
);
const otherCase = fc.constantFrom<string[]>([], ["bogus"], ["train"], ["eval"], ["lesson", "no-such-experiment"], ["tour", "extra"]);

test("bad argument lists exit non-zero with a message, no stack trace, and no file changed", async () => {
  const before = snapshot();
  await fc.assert(
    fc.asyncProperty(fc.oneof(trainCase, datasetCase, evalCase, predictCase, graphCase, otherCase), async (args) => {
      const { status, signal, stderr } = await run(args);
      const shown = JSON.stringify(args).slice(0, 300);
      assert.equal(signal, null, `${shown} was ended by ${signal} (a crash or a hang):\n${stderr}`);
      assert.notEqual(status, 0, `${shown} exited ${status}`);
      assert.match(stderr, /\S/, `${shown}: nothing on stderr`);
      assert.doesNotMatch(stderr, /^\s+at |node:internal|\n\s+\^\n/m, `${shown}: a stack trace:\n${stderr}`);
      assert.equal(snapshot(), before, `${shown} changed files`);
    }),
    { numRuns: Number(process.env.CHAINRULE_FUZZ_RUNS ?? 10), ...(process.env.CHAINRULE_FUZZ_SEED ? { seed: Number(process.env.CHAINRULE_FUZZ_SEED) } : {}) },
  );
});
