// cr.viz: graph models of tensors and Values, DOT/Mermaid/SVG checked structurally on the lesson's
// examples, deep chains without recursion, module folding of an MLP, and the formula parser.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";

/** The parts of Graphviz's SVG a reader sees: node groups with their text lines, and edges. */
function svgParts(svg: string) {
  const decode = (s: string) =>
    s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
  const nodes = [...svg.matchAll(/<g id="([^"]+)" class="node([^"]*)">([\s\S]*?)<\/g>/g)].map((m) => ({
    id: m[1]!,
    classes: m[2]!.trim().split(/\s+/).filter((c) => c !== ""),
    lines: [...m[3]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1]!)),
  }));
  const edges = [...svg.matchAll(/<g id="[^"]+" class="edge">\s*<title>([^<]*)<\/title>/g)].map((m) => decode(m[1]!).split("->"));
  return { nodes, edges };
}

function lessonGraph() {
  const [x, y, z] = [-2, 5, -4].map((v) => cr.tensor(v, { requiresGrad: true, dtype: "float64" })) as [cr.Tensor, cr.Tensor, cr.Tensor];
  const t = cr.viz.trace(() => x.add(y).mul(z));
  t.output.backward();
  return cr.viz.graph(t.output, { trace: t, names: { x, y, z } });
}

test("(x + y)·z: the model has the lesson's nodes, values, gradients and data-flow edges", () => {
  const { nodes, edges, output } = lessonGraph().model;
  const byTitle = new Map(nodes.map((n) => [n.kind === "leaf" ? n.label! : n.op, n]));
  assert.deepEqual([...byTitle.keys()].sort(), ["add", "mul", "x", "y", "z"]);
  assert.deepEqual(
    ["x", "y", "z", "add", "mul"].map((k) => [byTitle.get(k)!.value, byTitle.get(k)!.grad]),
    [["-2", "-4"], ["5", "-4"], ["-4", "3"], ["3", "-4"], ["-12", "1"]],
  );
  assert.equal(output, byTitle.get("mul")!.id);
  const id = (k: string) => byTitle.get(k)!.id;
  assert.deepEqual(
    edges.map((e) => `${e.from}>${e.to}`).sort(),
    [`${id("x")}>${id("add")}`, `${id("y")}>${id("add")}`, `${id("add")}>${id("mul")}`, `${id("z")}>${id("mul")}`].sort(),
  );
});

test("(x + y)·z: the SVG has 5 node groups with op, value and gradient lines, and 4 edges", async () => {
  const g = lessonGraph();
  const { nodes, edges } = svgParts(await g.toSvg());
  assert.equal(nodes.length, 5);
  assert.equal(edges.length, 4);
  const mul = nodes.find((n) => n.lines[0] === "mul")!;
  assert.deepEqual(mul.lines, ["mul", "shape []", "data -12", "grad 1"]);
  assert.ok(mul.classes.includes("output"));
  const add = nodes.find((n) => n.lines[0] === "add")!;
  assert.deepEqual(add.lines.slice(2), ["data 3", "grad -4"]);
  assert.deepEqual(nodes.find((n) => n.lines[0] === "z")!.lines.slice(2), ["data -4", "grad 3"]);
  assert.ok(edges.some(([from, to]) => from === add.id && to === mul.id), "add feeds mul");
});

test("(x + y)·z: DOT and Mermaid list every node with its label and every edge", () => {
  const g = lessonGraph();
  const dot = g.toDot();
  assert.match(dot, /^digraph chainrule \{/);
  assert.equal(dot.match(/^\s*"n\d+" \[/gm)!.length, 5);
  assert.equal(dot.match(/^\s*"n\d+" -> "n\d+";$/gm)!.length, 4);
  assert.match(dot, /label="mul\\nshape \[\]\\ndata -12\\ngrad 1"/);
  assert.match(dot, /label="y\\nshape \[\]\\ndata 5\\ngrad -4"/);
  const mmd = g.toMermaid();
  assert.match(mmd, /^flowchart TB\n/);
  assert.equal(mmd.match(/^ {2}n\d+(\(\[|\[)"/gm)!.length, 5);
  assert.equal(mmd.match(/^ {2}n\d+ --> n\d+$/gm)!.length, 4);
  assert.match(mmd, /"add<br\/>shape \[\]<br\/>data 3<br\/>grad -4"/);
});

test("sin(x²) at 1.3: the graph shows x, pow, sin with the chain rule's gradient 2x·cos(x²)", async () => {
  const x = cr.tensor(1.3, { requiresGrad: true, dtype: "float64" });
  const t = cr.viz.trace(() => x.pow(2).sin());
  t.output.backward();
  const g = cr.viz.graph(t.output, { trace: t, names: { x } });
  const { nodes, edges } = svgParts(await g.toSvg());
  assert.deepEqual(nodes.map((n) => n.lines[0]), ["x", "pow", "sin"]);
  assert.equal(edges.length, 2);
  const grad = Number(nodes[0]!.lines[3]!.replace("grad ", ""));
  assert.ok(Math.abs(grad - 2 * 1.3 * Math.cos(1.3 ** 2)) < 1e-3, `grad ${grad}`);
  assert.equal(nodes[1]!.lines[2], `data ${Number((1.3 ** 2).toPrecision(4))}`);
  assert.equal(nodes[2]!.lines[3], "grad 1");
});

test("without a trace, leaves and the output still show values; intermediates show shapes only", () => {
  const x = cr.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2).sum();
  y.backward();
  const nodes = cr.viz.graph(y, { names: { x } }).model.nodes;
  assert.deepEqual(nodes.map((n) => [n.kind, n.op, n.shape, n.value]), [
    ["leaf", "", [3], "[1, 2, 3]"],
    ["op", "mul", [3], null],
    ["op", "sum", [], "12"],
  ]);
  assert.equal(nodes[0]!.grad, "[2, 2, 2]");
  const bare = cr.viz.graph(y, { values: false, grads: false }).model.nodes;
  assert.ok(bare.every((n) => n.value === null && n.grad === null));
});

test("Value graphs: ops, constants as leaves, data and grad; a value used twice gives two edges", () => {
  const a = new cr.Value(3, { label: "a" });
  const b = a.mul(a).add(1);
  b.backward();
  const { nodes, edges } = cr.viz.graph(b).model;
  assert.deepEqual(nodes.map((n) => [n.kind, n.label ?? n.op, n.value, n.grad]), [
    ["leaf", "a", "3", "6"],
    ["op", "mul", "9", "1"],
    ["leaf", "", "1", "1"],
    ["op", "add", "10", "1"],
  ]);
  assert.equal(edges.filter((e) => e.from === "n0" && e.to === "n1").length, 2);
});

test("a 10,000-op chain exports to DOT and Mermaid without recursion, and folds to one box", () => {
  const x = cr.tensor(0.5, { requiresGrad: true, dtype: "float64" });
  let h = x;
  for (let i = 0; i < 10_000; i++) h = h.sin();
  const g = cr.viz.graph(h, { names: { x } });
  assert.equal(g.model.nodes.length, 10_001);
  assert.equal(g.toDot().match(/ -> /g)!.length, 10_000);
  assert.equal(g.toMermaid().match(/ --> /g)!.length, 10_000);
  const folded = cr.viz.graph(h, { names: { x }, collapse: "chains" }).model;
  assert.deepEqual(folded.nodes.map((n) => [n.kind, n.kind === "leaf" ? n.label : n.op]), [["leaf", "x"], ["module", "sin ×10000"]]);
  assert.equal(folded.edges.length, 1);
  // Values too: a million-node chain is the Value engine's own test; 10,000 is enough here.
  let v = new cr.Value(0.5);
  for (let i = 0; i < 10_000; i++) v = v.tanh();
  assert.equal(cr.viz.graph(v).model.nodes.length, 10_001);
});

test("a 10,000-op chain also lays out to SVG (Graphviz takes a few seconds)", async () => {
  let v = new cr.Value(0.5, { label: "x" });
  for (let i = 0; i < 10_000; i++) v = v.sigmoid();
  const svg = await cr.viz.graph(v, { values: false, grads: false }).toSvg();
  assert.equal(svg.match(/class="node/g)!.length, 10_001);
  assert.equal(svg.match(/class="edge"/g)!.length, 10_000);
});

test("repeated blocks fold by period: sigmoid → mul ×50, with the rest left alone", () => {
  const x = cr.tensor(0.3, { requiresGrad: true });
  let h = x.exp();
  for (let i = 0; i < 50; i++) h = h.sigmoid().mul(2);
  h = h.log();
  const ops = cr.viz.graph(h, { collapse: "chains" }).model.nodes.map((n) => n.op);
  assert.deepEqual(ops, ["", "exp", "sigmoid → mul ×50", "log"]);
});

test("an MLP traced with its model: clusters per layer, or one box per layer with collapse", async () => {
  cr.manualSeed(0);
  const model = new cr.nn.Sequential(new cr.nn.Linear(4, 8), new cr.nn.ReLU(), new cr.nn.Linear(8, 3));
  const input = cr.randn([5, 4]);
  const t = cr.viz.trace(() => model.forward(input), { model });
  const loss = t.output.square().mean();
  loss.backward();

  const full = cr.viz.graph(loss, { trace: t });
  const modules = new Set(full.model.nodes.map((n) => n.module).filter((m) => m !== undefined));
  assert.deepEqual([...modules].sort(), ["0", "1", "2"]);
  const params = full.model.nodes.filter((n) => n.kind === "leaf").map((n) => n.label);
  assert.deepEqual(params.sort(), ["0.bias", "0.weight", "2.bias", "2.weight"]);
  assert.equal(full.toDot().match(/subgraph "cluster_/g)!.length, 3);
  assert.match(full.toDot(), /label="Linear \(2\)"; style=/);
  assert.equal(full.toMermaid().match(/^ {2}subgraph /gm)!.length, 3);
  const fullSvg = await full.toSvg();
  assert.equal(fullSvg.match(/<g id="[^"]+" class="cluster">/g)!.length, 3);
  assert.equal(svgParts(fullSvg).nodes.length, full.model.nodes.length);

  const g = cr.viz.graph(loss, { trace: t, collapse: true });
  const boxes = g.model.nodes.filter((n) => n.kind === "module");
  assert.deepEqual(boxes.map((b) => `${b.op} (${b.label})`), ["Linear (0)", "ReLU (1)", "Linear (2)"]);
  assert.deepEqual(boxes.map((b) => b.shape), [[5, 8], [5, 8], [5, 3]]);
  assert.ok(boxes.every((b) => b.value !== null && b.grad !== null));
  const { nodes, edges } = svgParts(await g.toSvg());
  assert.equal(nodes.length, g.model.nodes.length);
  assert.equal(edges.length, g.model.edges.length);
  assert.ok(nodes.some((n) => n.lines[0] === "Linear (2)" && n.lines[1] === "shape [5, 3]"));
  const byId = new Map(g.model.nodes.map((n) => [n.id, n]));
  const chain = g.model.edges.filter((e) => byId.get(e.from)!.kind === "module" && byId.get(e.to)!.kind === "module");
  assert.deepEqual(chain.map((e) => `${byId.get(e.from)!.label}>${byId.get(e.to)!.label}`), ["0>1", "1>2"]);
});

test("scope() names a block for folding; outside a trace it just runs", () => {
  const x = cr.tensor(2, { requiresGrad: true });
  assert.equal(cr.viz.scope("free", () => x.mul(3)).item(), 6);
  const t = cr.viz.trace(() => cr.viz.scope("square", () => x.mul(x)).sin());
  const ops = cr.viz.graph(t.output, { trace: t, collapse: "modules", names: { x } }).model.nodes.map((n) => n.kind === "module" ? `${n.op}/${n.count}` : n.label ?? n.op);
  assert.deepEqual(ops, ["x", "square/1", "sin"]);
});

test("parseExpression: precedence, functions, both engines, and one-line errors", () => {
  const f = cr.viz.parseExpression("-x^2 + sin(x*y)/2 - 3*y ** 2");
  assert.deepEqual(f.variables, ["x", "y"]);
  const x = cr.tensor(1.5, { requiresGrad: true, dtype: "float64" });
  const y = cr.tensor(2, { requiresGrad: true, dtype: "float64" });
  const out = f.evaluate({ x, y });
  assert.ok(Math.abs(out.item() - (-(1.5 ** 2) + Math.sin(3) / 2 - 12)) < 1e-12);
  out.backward();
  assert.ok(Math.abs(x.grad!.item() - (-3 + Math.cos(3))) < 1e-12);
  // ^ is right-associative and binds tighter than unary minus: 2^3^2 = 512, -a^2 = -(a²)
  const a = cr.tensor(3, { dtype: "float64" });
  assert.equal(cr.viz.parseExpression("2^3^2 + 0*a").evaluate({ a }).item(), 512);
  assert.equal(cr.viz.parseExpression("-a^2").evaluate({ a }).item(), -9);
  // every function, on tensors and on Values
  const fns = "sin(a) + cos(a) + tan(a) + exp(a) + log(a) + tanh(a) + sigmoid(a) + relu(a) + sqrt(a) + abs(a)";
  const want = Math.sin(3) + Math.cos(3) + Math.tan(3) + Math.exp(3) + Math.log(3) + Math.tanh(3) + 1 / (1 + Math.exp(-3)) + 3 + Math.sqrt(3) + 3;
  const g = cr.viz.parseExpression(fns);
  assert.ok(Math.abs(g.evaluate({ a }).item() - want) < 1e-9);
  const av = new cr.Value(3);
  const gv = g.evaluate({ a: av });
  assert.ok(Math.abs(gv.data - want) < 1e-9);
  assert.equal(cr.viz.parseExpression("(x + y) * z").evaluate({ x: new cr.Value(-2), y: new cr.Value(5), z: new cr.Value(-4) }).data, -12);
  // constants fold, a constant on the left is lifted: 2/x at x = 4
  assert.equal(cr.viz.parseExpression("(1 + 1) / x").evaluate({ x: cr.tensor(4) }).item(), 0.5);

  for (const [text, message] of [
    ["x +* y", /cannot parse "x \+\* y" at column 4/],
    ["foo(x)", /unknown function foo/],
    ["sin + x", /sin is a function/],
    ["(x", /cannot parse/],
  ] as const) {
    assert.throws(() => cr.viz.parseExpression(text), (e: Error) => e instanceof cr.ArgumentError && message.test(e.message) && !e.message.includes("\n"), text);
  }
  assert.throws(() => cr.viz.parseExpression("x*y").evaluate({ x: a }), /no value for variable y/);
  assert.throws(() => cr.viz.parseExpression("1+2").evaluate({}), /has no variables/);
});
