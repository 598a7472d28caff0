// Model files, plots and graphs are written through one helper (src/io/atomic-write.ts): the old file
// or the whole new one, never a part of it, and no temporary file left behind — not by a failed
// write, and not by Ctrl-C in the middle of one.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFileAtomic } from "../src/io/atomic-write.js";

const dir = mkdtempSync(join(tmpdir(), "chainrule-atomic-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writes bytes or text, replacing the old file, with nothing else left in the folder", () => {
  const sub = join(dir, "plain");
  mkdirSync(sub);
  const file = join(sub, "out.bin");
  writeFileAtomic(file, Uint8Array.of(1, 2, 3), "test");
  assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
  writeFileAtomic(file, "<svg/>", "test");
  assert.equal(readFileSync(file, "utf8"), "<svg/>");
  assert.deepEqual(readdirSync(sub), ["out.bin"]);
});

test("a failed write names the file and leaves the old one and no temporary file", () => {
  const sub = join(dir, "failing");
  mkdirSync(sub);
  assert.throws(() => writeFileAtomic(join(sub, "missing", "out.bin"), "x", "test"), /^Error: test: cannot write ".*missing[/\\]out\.bin": ENOENT/);
  mkdirSync(join(sub, "a-folder"));
  writeFileSync(join(sub, "a-folder", "inside"), "keep");
  assert.throws(() => writeFileAtomic(join(sub, "a-folder"), "x", "test"), /test: cannot write ".*a-folder"/);
  assert.deepEqual(readdirSync(sub).sort(), ["a-folder"]);
  assert.equal(readFileSync(join(sub, "a-folder", "inside"), "utf8"), "keep");
});

// A child writes 192 MB (about a second here); the parent presses Ctrl-C once the temporary file appears.
// Node ends a process on SIGINT at once when nothing listens for it, which used to leave the
// temporary file (the issue saw 64 MB of it). Now the write completes and the signal then ends the
// process as it would have: the complete new file, no temporary one, and death by SIGINT.
test("Ctrl-C during a write leaves the complete file and no temporary file, and still ends the process", async () => {
  const sub = join(dir, "interrupted");
  mkdirSync(sub);
  const target = join(sub, "model.bin");
  const size = 192 * 1024 * 1024;
  const code = `
    import { writeFileAtomic } from ${JSON.stringify(join(import.meta.dirname, "..", "src", "io", "atomic-write.ts"))};
    const bytes = new Uint8Array(${size}).fill(7);
    writeFileAtomic(${JSON.stringify(target)}, bytes, "test");
    // Reached only if the signal were lost: the process must not go on as if nothing happened.
    await new Promise((r) => setTimeout(r, 2000));
    process.stdout.write("survived\\n");
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: import.meta.dirname, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (c, s) => resolve({ code: c, signal: s })));
  child.stdout.on("data", (d: Buffer) => (out += d));
  // Ctrl-C once the temporary file exists: the signal lands in the middle of the write.
  let sawTemporary = false;
  const poll = setInterval(() => {
    if (readdirSync(sub).some((f) => f.endsWith(".tmp"))) {
      sawTemporary = true;
      clearInterval(poll);
      child.kill("SIGINT");
    }
  }, 5);
  const { code: status, signal } = await exited;
  clearInterval(poll);
  assert.ok(sawTemporary, "the write finished before the signal could be sent");
  assert.equal(signal, "SIGINT", `the child exited with ${status}, output ${JSON.stringify(out)}, stderr ${err}`);
  assert.ok(!out.includes("survived"), "the interrupted process went on running");
  assert.deepEqual(readdirSync(sub), ["model.bin"], err);
  assert.equal(statSync(target).size, size);
});

test("a program's own SIGINT handler is left to handle the signal", async () => {
  const target = join(dir, "handled.bin");
  const code = `
    import { writeFileAtomic } from ${JSON.stringify(join(import.meta.dirname, "..", "src", "io", "atomic-write.ts"))};
    let got = 0;
    process.on("SIGINT", () => got++);
    writeFileAtomic(${JSON.stringify(target)}, "x", "test");
    process.kill(process.pid, "SIGINT");
    setTimeout(() => { process.stdout.write("handled " + got + " " + process.listenerCount("SIGINT")); }, 50);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: import.meta.dirname });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  const status = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(status, 0);
  assert.equal(out, "handled 1 1");
});
