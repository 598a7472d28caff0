// The Expression lab: type an expression of named scalars or small tensors, see its graph, step forward then backward, check gradients.
import * as cr from "chainrule";
import { fmt, h } from "../dom.js";
import { icon } from "../icons.js";
import { getNumber, getString, setParams } from "../url-state.js";
import { gradCheck } from "./check.js";
import { formatBindings, parseBindings, scalarsOnly } from "./bindings.js";
import { scalarStepper, type Stepper } from "./stepper.js";
import { evaluate, trace } from "./trace.js";
import { runTensors, type TensorGradRow } from "./tensor-mode.js";
import { traceTensors } from "./tensor-trace.js";
import { tensorStepper } from "./tensor-view.js";
import { vizPanel } from "./viz-panel.js";

const EXAMPLES: readonly [string, string, string][] = [
  ["(x + y) * z", "x=-2 y=5 z=-4", "the lesson's graph"],
  ["x * x + x", "x=3", "grad += : x used three times"],
  ["sin(x^2)", "x=1.3", "chain rule"],
  ["tanh(w1*x1 + w2*x2 + b)", "x1=2 x2=0 w1=-3 w2=1 b=6.88", "a neuron"],
  ["sigmoid(sigmoid(sigmoid(x)))", "x=0.5", "vanishing gradient"],
  ["tanh(w * x + b)", "w=[0.5, -1, 2] x=[1, 2, 3] b=0.1", "small tensors, broadcasting"],
];

/** Builds the lab into `root`, reading and writing its state in the URL. */
export function expressionLab(root: HTMLElement): void {
  const exprIn = h("input", { id: "expr", type: "text", value: getString("e", "(x + y) * z"), spellcheck: "false", autocomplete: "off", "aria-describedby": "expr-help" });
  const valuesIn = h("input", { id: "values", type: "text", value: getString("v", "x=-2 y=5 z=-4"), spellcheck: "false", autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert", id: "expr-error" });
  const back = h("button", { type: "button", id: "step-back", title: "Step back (←)" }, icon("back"), " Back");
  const step = h("button", { type: "button", id: "step", class: "primary", title: "Step (→)" }, "Step ", icon("forward"));
  const toEnd = h("button", { type: "button", id: "run-all" }, "Run to the end »");
  const restart = h("button", { type: "button", id: "restart" }, "Restart ", icon("reset"));
  const counter = h("span", { class: "counter", id: "step-counter" });
  const message = h("p", { class: "step-message", id: "step-message", "aria-live": "polite" });
  const contributions = h("ul", { class: "contributions", id: "contributions" });
  const graphBox = h("div", { class: "graph-box", id: "graph", tabindex: 0, "aria-label": "Graph: use the arrow keys to step" });
  const table = h("table", { id: "grad-table" });
  const viz = vizPanel();
  const examples = h("div", { class: "examples" }, h("span", {}, "Try: "));
  for (const [e, v, note] of EXAMPLES) {
    const b = h("button", { type: "button", class: "link", title: note }, e);
    b.addEventListener("click", () => {
      exprIn.value = e;
      valuesIn.value = v;
      stepIndex = 0;
      rebuild();
    });
    examples.append(b);
  }

  root.append(
    h("section", { class: "panel", "aria-labelledby": "expr-title" },
      h("h2", { id: "expr-title" }, "Expression lab"),
      h("p", { id: "expr-help", class: "help" }, "Names are scalars (x=2) or small tensors (x=[1, 2, 3]); use + − * / ^ and sin cos tan exp log tanh sigmoid relu sqrt abs. A name used twice is one node: watch its gradient add up (grad +=)."),
      h("div", { class: "row" },
        h("label", { class: "field grow" }, h("span", {}, "Expression"), exprIn),
        h("label", { class: "field grow" }, h("span", {}, "Values"), valuesIn)),
      examples,
      error,
      h("div", { class: "row controls" }, back, step, toEnd, restart, counter),
      message,
      contributions,
      graphBox,
      h("h3", {}, "Gradients: stepped, autograd and numerical"),
      h("div", { class: "table-box" }, table),
      viz.element),
  );

  let current: Stepper | null = null;
  let stepIndex = Math.round(getNumber("step", 0, 0, 10_000));

  function rebuild(): void {
    error.textContent = "";
    try {
      const expr = cr.viz.parseExpression(exprIn.value);
      const values = parseBindings(valuesIn.value);
      // Names without a value get 1, and are written back so the URL describes the whole experiment.
      const missing = expr.variables.filter((n) => !values.has(n));
      if (missing.length > 0) {
        for (const n of missing) values.set(n, 1);
        valuesIn.value = formatBindings(values);
      }
      const scalars = scalarsOnly(values);
      if (scalars !== null) {
        current = scalarStepper(trace(expr, scalars));
        renderTable(gradCheck(expr, scalars));
        viz.update(() => {
          const { root } = evaluate(expr, scalars);
          root.backward();
          return cr.viz.graph(root);
        });
      } else {
        current = tensorStepper(traceTensors(expr, values));
        const run = runTensors(expr, values);
        renderTensorTable(run.rows);
        viz.update(() => run.graph);
      }
    } catch (e) {
      current = null;
      viz.update(null);
      error.textContent = e instanceof Error ? e.message : String(e);
      graphBox.replaceChildren();
      table.replaceChildren();
    }
    show();
  }

  function renderTensorTable(rows: readonly TensorGradRow[]): void {
    const list = (v: readonly number[]): string => (v.length === 1 ? fmt(v[0] ?? NaN, 6) : `[${v.map((x) => fmt(x, 4)).join(", ")}]`);
    table.replaceChildren(
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "name"), h("th", { scope: "col" }, "value"), h("th", { scope: "col" }, "stepped"), h("th", { scope: "col" }, "backward()"), h("th", { scope: "col" }, "numerical"), h("th", { scope: "col" }, "max rel. error"))),
      h("tbody", {}, ...rows.map((r) => h("tr", { "data-var": r.name },
        h("th", { scope: "row" }, r.name),
        h("td", {}, list(r.value)),
        h("td", { class: "stepped" }, "–"),
        h("td", { class: "analytic" }, list(r.analytic)),
        h("td", { class: "numeric" }, list(r.numeric)),
        h("td", { class: r.error < 1e-5 ? "ok" : "bad" }, `${r.error.toExponential(1)} ${r.error < 1e-5 ? "✓" : "✗"}`)))),
    );
  }

  function renderTable(rows: ReturnType<typeof gradCheck>): void {
    table.replaceChildren(
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "name"), h("th", { scope: "col" }, "value"), h("th", { scope: "col" }, "stepped grad"), h("th", { scope: "col" }, "backward()"), h("th", { scope: "col" }, "numerical"), h("th", { scope: "col" }, "rel. error"))),
      h("tbody", {}, ...rows.map((r) => h("tr", { "data-var": r.name },
        h("th", { scope: "row" }, r.name),
        h("td", {}, fmt(r.value)),
        h("td", { class: "stepped" }, "–"),
        h("td", { class: "analytic" }, fmt(r.analytic, 6)),
        h("td", { class: "numeric" }, fmt(r.numeric, 6)),
        h("td", { class: r.error < 1e-5 ? "ok" : "bad" }, `${r.error.toExponential(1)} ${r.error < 1e-5 ? "✓" : "✗"}`)))),
    );
  }

  function show(): void {
    const t = current;
    if (t === null) return;
    restart.disabled = false;
    stepIndex = Math.max(0, Math.min(stepIndex, t.total));
    const v = t.view(stepIndex);
    graphBox.replaceChildren(v.graph);
    counter.textContent = `step ${stepIndex} / ${t.total} · ${v.phase}`;
    message.textContent = v.message;
    contributions.replaceChildren(...v.contributions);
    for (const row of table.querySelectorAll<HTMLTableRowElement>("tr[data-var]")) {
      const cell = row.querySelector(".stepped");
      if (cell !== null) cell.textContent = v.stepped(row.dataset["var"] ?? "");
    }
    back.disabled = stepIndex === 0;
    step.disabled = stepIndex === t.total;
    toEnd.disabled = stepIndex === t.total;
    setParams({ lab: "expr", e: exprIn.value, v: valuesIn.value, step: stepIndex });
  }

  step.addEventListener("click", () => { stepIndex++; show(); });
  back.addEventListener("click", () => { stepIndex--; show(); });
  toEnd.addEventListener("click", () => { stepIndex = Number.MAX_SAFE_INTEGER; show(); });
  restart.addEventListener("click", () => { stepIndex = 0; show(); });
  graphBox.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight") { stepIndex++; show(); ev.preventDefault(); }
    if (ev.key === "ArrowLeft") { stepIndex--; show(); ev.preventDefault(); }
  });
  const onEdit = (): void => { stepIndex = 0; rebuild(); };
  exprIn.addEventListener("input", onEdit);
  valuesIn.addEventListener("input", onEdit);
  rebuild();
}
