// `chainrule graph` end to end (from the build in dist/): the lesson's two formulas, the drawings it
// writes, and one-line errors for bad formulas and variables.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const root = join(import.meta.dirname, "..");
const cli = join(root, "packages", "cli", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "chainrule-graph-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Each node group of Graphviz's SVG as its text lines (entities decoded), and the edge count. */
function svgParts(svg: string) {
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&");
  const nodes = [...svg.matchAll(/<g id="[^"]+" class="node[^"]*">([\s\S]*?)<\/g>/g)].map((m) => [...m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1]!)));
  return { nodes, edges: (svg.match(/class="edge"/g) ?? []).length };
}

test('graph "sin(x^2)" --x 1.3: prints 2x·cos(x²) and writes runs/graph.svg with x, pow, sin', () => {
  const r = run("graph", "sin(x^2)", "--x", "1.3");
  assert.equal(r.status, 0, r.stderr);
  const grad = Number(/∂f\/∂x = (\S+)/.exec(r.stdout)![1]);
  assert.ok(Math.abs(grad - 2 * 1.3 * Math.cos(1.3 ** 2)) < 1e-5, r.stdout);
  assert.match(r.stdout, /f = sin\(x\^2\) = 0\.992904/);
  assert.match(r.stdout, /graph written to runs\/graph\.svg \(3 nodes, 2 edges, svg\)/);
  const { nodes, edges } = svgParts(readFileSync(join(dir, "runs", "graph.svg"), "utf8"));
  assert.deepEqual(nodes.map((n) => n[0]), ["x", "pow", "sin"]);
  assert.equal(edges, 2);
  assert.deepEqual(nodes[2], ["sin", "shape []", "data 0.9929", "grad 1"]);
});

test('graph "(x+y)*z" --x -2 --y 5 --z -4: gradients -4, -4, 3 and an SVG of the lesson\'s graph', () => {
  const out = join(dir, "lesson.svg");
  const r = run("graph", "(x+y)*z", "--x", "-2", "--y", "5", "--z", "-4", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /f = \(x\+y\)\*z = -12\n∂f\/∂x = -4\n∂f\/∂y = -4\n∂f\/∂z = 3\n/);
  const { nodes, edges } = svgParts(readFileSync(out, "utf8"));
  assert.equal(edges, 4);
  assert.deepEqual(
    nodes.map((n) => `${n[0]} ${n[2]} ${n[3]}`).sort(),
    ["add data 3 grad -4", "mul data -12 grad 1", "x data -2 grad -4", "y data 5 grad -4", "z data -4 grad 3"],
  );
});

test("graph writes DOT or Mermaid by --format or by the file's extension", () => {
  let r = run("graph", "x*x", "--x=3", "--out", "g.dot");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /∂f\/∂x = 6/);
  const dot = readFileSync(join(dir, "g.dot"), "utf8");
  assert.match(dot, /^digraph chainrule \{/);
  assert.equal(dot.match(/ -> /g)!.length, 2); // x feeds mul twice
  r = run("graph", "tanh(w)", "--w", "0.5", "--format", "mermaid");
  assert.equal(r.status, 0, r.stderr);
  const mmd = readFileSync(join(dir, "runs", "graph.mmd"), "utf8");
  assert.match(mmd, /^flowchart TB\n/);
  assert.match(mmd, /tanh<br\/>shape \[\]<br\/>data 0\.4621<br\/>grad 1/);
});

test("graph: bad formulas and variables are a one-line error and a non-zero exit", () => {
  for (const [args, message] of [
    [["x+*y", "--x", "1", "--y", "2"], /cannot parse "x\+\*y" at column 3/],
    [["(x+y)*z", "--x", "1", "--y", "2"], /no value for z: pass --z <number>/],
    [["x+1", "--x", "1", "--w", "2"], /unknown variable w: the formula uses x/],
    [["foo(x)", "--x", "1"], /unknown function foo/],
    [["x", "--x", "abc"], /--x must be a number/],
    [["x", "--x", "1", "--format", "png"], /argument 'png' is invalid/],
  ] as const) {
    const r = run("graph", ...args);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
