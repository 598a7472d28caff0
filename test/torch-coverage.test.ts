// The PyTorch-coverage report (`npm run coverage:torch`, tools/torch-coverage.ts over test/fixtures/torch-api.json):
// informative, so this checks that it runs and that its lookups are right, not how much is covered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { camelCase, coverageReport, readTorchApi, torchCoverage } from "../tools/torch-coverage.js";

test("torch-api.json lists PyTorch's torch, torch.Tensor and torch.nn.functional names", () => {
  const api = readTorchApi();
  assert.match(api.torch, /^1\.13/);
  const names = (ns: string) => new Set(api.namespaces[ns]!.map((n) => n.name));
  assert.ok(names("torch").has("bitwise_and") && names("torch").has("nan_to_num") && names("torch").has("multinomial"));
  assert.ok(names("torch.Tensor").has("normal_") && names("torch.Tensor").has("shape") && names("torch.Tensor").has("lerp"));
  assert.ok(names("torch.nn.functional").has("hardswish") && names("torch.nn.functional").has("normalize"));
  assert.ok(!names("torch.nn.functional").has("handle_torch_function"), "F's own imports are left out");
  assert.ok(api.namespaces["torch.Tensor"]!.find((n) => n.name === "cuda")!.specific);
});

test("PyTorch's names map to camelCase, in-place underscores kept", () => {
  assert.equal(camelCase("log_softmax"), "logSoftmax");
  assert.equal(camelCase("nan_to_num_"), "nanToNum_");
  assert.equal(camelCase("atleast_2d"), "atleast2d");
  assert.equal(camelCase("max_pool2d"), "maxPool2d");
  assert.equal(camelCase("exp"), "exp");
});

test("coverage is looked up where chainrule keeps each namespace", () => {
  const coverage = torchCoverage();
  assert.deepEqual(coverage.map((c) => c.namespace), ["torch", "torch.Tensor", "torch.nn.functional"]);
  for (const c of coverage) {
    assert.ok(c.covered > 0 && c.covered <= c.total, `${c.namespace}: ${c.covered} / ${c.total}`);
    assert.equal(c.missing.length, c.total - c.covered);
  }
  const missing = (ns: string) => new Set(coverage.find((c) => c.namespace === ns)!.missing);
  for (const name of ["bitwise_and", "nan_to_num", "isclose", "multinomial", "randperm", "lerp", "floor_divide", "logaddexp"]) assert.ok(!missing("torch").has(name), `torch.${name}`);
  for (const name of ["bitwise_not", "normal_", "uniform_", "exponential_", "shape", "requires_grad", "div", "allclose"]) assert.ok(!missing("torch.Tensor").has(name), `Tensor.${name}`);
  for (const name of ["elu", "selu", "glu", "prelu", "softmin", "logsigmoid", "normalize"]) assert.ok(!missing("torch.nn.functional").has(name), `F.${name}`);
  assert.ok(missing("torch").has("stft"), "a name chainrule lacks is reported missing");
  const report = coverageReport(coverage, "1.13", true);
  assert.match(report, /torch\.nn\.functional +\d+ \/ \d+ +\d+\.\d%/);
  assert.match(report, /Missing from torch \(\d+\):/);
});

test("npm run coverage:torch runs and prints a line per namespace", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const out = execFileSync(process.execPath, ["--import", "tsx", "tools/torch-coverage.ts"], { cwd: root, encoding: "utf8" });
  for (const ns of ["torch ", "torch.Tensor", "torch.nn.functional"]) assert.ok(out.includes(ns), `${ns} in:\n${out}`);
});
