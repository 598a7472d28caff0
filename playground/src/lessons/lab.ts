// The Lesson experiments: each of the lesson's claims as a demonstration with its own controls and URL.
import * as cr from "chainrule";
import { legend, lineChart, logBars, type Series } from "../chart.js";
import { field, fmt, h, numberInput, select } from "../dom.js";
import { getChoice, getNumber, setParams } from "../url-state.js";
import { drive } from "./drive.js";
import { OPTIMIZER_NAMES, accumulate, optimizerRace, zeroGradRuns } from "./experiments.js";

const EXPERIMENTS = [
  ["vanish", "Vanishing gradients"],
  ["zerograd", "The forgotten zeroGrad"],
  ["nograd", "noGrad at inference"],
  ["optim", "SGD vs Adam vs RMSprop"],
] as const;
type ExperimentId = (typeof EXPERIMENTS)[number][0];

const OPT_COLORS = { sgd: "#1f77b4", adam: "#d62728", rmsprop: "#2ca02c" };
const STACKS = ["sigmoid", "relu", "residual"] as const;

/** The lesson's claim and whether these numbers support it (timings never decide it). */
function claimLine(r: cr.lesson.ExperimentResult): (string | HTMLElement)[] {
  return [h("strong", {}, "The lesson's claim: "), `${r.claim} — `, h("span", { class: r.holds ? "ok" : "bad" }, r.holds ? "holds ✓" : "does not hold here ✗")];
}

export function lessonLab(root: HTMLElement): void {
  let current: ExperimentId = getChoice("x", EXPERIMENTS.map(([id]) => id), "vanish");
  let cancel: () => void = () => undefined;
  const nav = h("div", { class: "row sub-tabs", role: "group", "aria-label": "Experiments" });
  const body = h("div", { class: "experiment", id: "experiment", "aria-live": "polite" });
  root.append(h("section", { class: "panel", "aria-labelledby": "lesson-title" }, h("h2", { id: "lesson-title" }, "Lesson experiments"), nav, body));

  const buttons = EXPERIMENTS.map(([id, title]) => {
    const b = h("button", { type: "button", "data-x": id }, title);
    b.addEventListener("click", () => {
      // A fresh experiment starts from its defaults, not from the previous one's parameters.
      setParams({ lab: "lessons", x: id });
      current = id;
      show();
    });
    nav.append(b);
    return b;
  });

  function show(): void {
    cancel();
    cancel = () => undefined;
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset["x"] === current)));
    body.replaceChildren();
    if (current === "vanish") vanish();
    else if (current === "zerograd") zeroGrad();
    else if (current === "nograd") noGrad();
    else optimizers();
  }

  function vanish(): void {
    const depth = numberInput("depth", Math.round(getNumber("depth", 10, 2, 40)), 2, 40, 1);
    const charts = h("div", { class: "three" });
    const summary = h("p", { id: "vanish-summary" });
    body.append(
      h("p", { class: "help" }, "The sigmoid's derivative never exceeds 0.25, so each sigmoid layer shrinks the gradient on its way back: the first layers of a deep sigmoid stack barely learn. ReLU (with He initialisation) keeps the gradient's size, and so does a residual connection x + ReLU(Linear(x)). Computed by cr.lesson.vanishing:"),
      h("div", { class: "row" }, field("Depth (layers)", depth)), summary, charts);
    const claim = h("p", { class: "claim", id: "vanish-claim" });
    body.append(claim);
    const draw = (): void => {
      const d = Math.round(Math.min(40, Math.max(2, depth.valueAsNumber || 10)));
      setParams({ lab: "lessons", x: "vanish", depth: d });
      const r = cr.lesson.vanishing({ depths: [d], width: 16, plot: false });
      const at = r.depths[0];
      if (at === undefined) return;
      claim.replaceChildren(...claimLine(r));
      summary.textContent = `Gradient at the first layer relative to the last — ${STACKS.map((k) => `${k}: ${fmt(at.ratio[k], 2)}`).join(" · ")}`;
      charts.replaceChildren(...STACKS.map((kind) => h("figure", { "data-stack": kind, "data-ratio": at.ratio[kind] },
        h("figcaption", {}, `${kind} — first/last layer gradient ${fmt(at.ratio[kind], 2)}${at.flagged[kind] ? " · flagged by cr.diagnostics" : ""}`),
        logBars(at.norms[kind].map((v, i) => ({ name: `layer ${i + 1}`, value: v })), `${kind} stack: gradient norm per layer`))));
    };
    depth.addEventListener("change", draw);
    draw();
  }

  function zeroGrad(): void {
    const lr = numberInput("lr", getNumber("lr", 0.1, 0.001, 5), 0.001, 5, 0.01);
    const steps = numberInput("steps", Math.round(getNumber("steps", 150, 10, 2000)), 10, 2000, 10);
    const a = cr.tensor(3, { requiresGrad: true, dtype: "float64" });
    const gradOut = h("output", { id: "acc-grad" }, "None");
    const backBtn = h("button", { type: "button", id: "acc-backward" }, "a·a + a → backward()");
    const zeroBtn = h("button", { type: "button", id: "acc-zero" }, "a.grad = null (zeroGrad)");
    backBtn.addEventListener("click", () => { gradOut.textContent = String(accumulate(a)); });
    zeroBtn.addEventListener("click", () => { a.grad = null; gradOut.textContent = "None"; });
    const run = h("button", { type: "button", id: "zg-run", class: "primary" }, "Train both");
    const chart = h("div", { class: "chart-box wide" });
    body.append(
      h("p", { class: "help" }, "Gradients add up (grad +=) across backward() calls until they are reset. At a = 3, each backward() of a·a + a adds 2a + 1 = 7:"),
      h("div", { class: "row" }, backBtn, zeroBtn, h("span", {}, "a.grad = ", gradOut)),
      h("p", { class: "help" }, "The same network trained twice on moons with SGD: once with optimizer.zeroGrad() before each backward(), once without it. Without it each step uses the sum of every gradient so far, like a momentum that never decays."),
      h("div", { class: "row" }, field("Learning rate", lr), field("Steps", steps), run), chart,
      legend([{ name: "with zeroGrad", color: "#1f77b4" }, { name: "forgotten", color: "#d62728" }]));
    const start = (): void => {
      cancel();
      setParams({ lab: "lessons", x: "zerograd", lr: lr.valueAsNumber, steps: steps.valueAsNumber });
      const withZ: [number, number][] = [];
      const without: [number, number][] = [];
      cancel = drive(zeroGradRuns(Math.round(steps.valueAsNumber), lr.valueAsNumber), (r) => {
        withZ.push([r.step, r.withZero]);
        without.push([r.step, r.without]);
      }, () => chart.replaceChildren(lineChart([{ name: "with zeroGrad", color: "#1f77b4", points: withZ }, { name: "forgotten", color: "#d62728", points: without }], { label: "Loss with and without zeroGrad", width: 480, height: 200, log: true })));
    };
    run.addEventListener("click", start);
    start();
  }

  function noGrad(): void {
    setParams({ lab: "lessons", x: "nograd" });
    const table = h("table", { id: "nograd-table" });
    const claim = h("p", { class: "claim" });
    const run = h("button", { type: "button", class: "primary", id: "nograd-run" }, "Run both again");
    body.append(
      h("p", { class: "help" }, "Inside noGrad nothing is recorded: the output has no gradFn and keeps no graph alive for a backward pass that inference never makes. The same MLP (2-64-64-64-2) on 512 points, by cr.lesson.noGradInference:"),
      run, h("div", { class: "table-box" }, table), claim);
    const draw = (): void => {
      const r = cr.lesson.noGradInference({ sizes: [2, 64, 64, 64, 2], batches: [512], reps: 5 });
      const t = r.timings[0];
      const rows = [["model.forward(x)", r.withGrad, t?.withGradMs], ["cr.noGrad(() => model.forward(x))", r.noGrad, t?.noGradMs]] as const;
      table.replaceChildren(
        h("thead", {}, h("tr", {}, h("th", {}, "call"), h("th", {}, "requiresGrad"), h("th", {}, "graph nodes kept"), h("th", {}, "median time"))),
        h("tbody", {}, ...rows.map(([name, run, ms]) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, name)), h("td", {}, String(run.requiresGrad)), h("td", { class: "nodes" }, String(run.nodes)), h("td", {}, ms === undefined ? "–" : `${ms.toFixed(2)} ms`)))));
      claim.replaceChildren(...claimLine(r));
    };
    run.addEventListener("click", draw);
    draw();
  }

  function optimizers(): void {
    const data = select("data", ["moons", "circles", "spirals"], getChoice("data", ["moons", "circles", "spirals"] as const, "spirals"));
    const steps = numberInput("steps", Math.round(getNumber("steps", 300, 10, 3000)), 10, 3000, 10);
    const lrs = {
      sgd: numberInput("sgd", getNumber("sgd", 0.1, 1e-5, 5), 1e-5, 5, 0.01),
      adam: numberInput("adam", getNumber("adam", 0.01, 1e-5, 5), 1e-5, 5, 0.001),
      rmsprop: numberInput("rmsprop", getNumber("rmsprop", 0.01, 1e-5, 5), 1e-5, 5, 0.001),
    };
    const run = h("button", { type: "button", class: "primary", id: "optim-run" }, "Race");
    const chart = h("div", { class: "chart-box wide" });
    const final = h("p", { id: "optim-final" });
    body.append(
      h("p", { class: "help" }, "Backpropagation computes the gradients; the optimizer decides what to do with them. The same network, initial weights and data, trained full-batch by three optimizers:"),
      h("div", { class: "row" }, field("Dataset", data), field("Steps", steps), field("SGD lr", lrs.sgd), field("Adam lr", lrs.adam), field("RMSprop lr", lrs.rmsprop), run),
      chart, legend(OPTIMIZER_NAMES.map((n) => ({ name: n, color: OPT_COLORS[n] }))), final);
    const start = (): void => {
      cancel();
      const ds = data.value === "moons" || data.value === "circles" ? data.value : "spirals";
      const lr = { sgd: lrs.sgd.valueAsNumber, adam: lrs.adam.valueAsNumber, rmsprop: lrs.rmsprop.valueAsNumber };
      setParams({ lab: "lessons", x: "optim", data: ds, steps: steps.valueAsNumber, ...lr });
      const series: Series[] = OPTIMIZER_NAMES.map((n) => ({ name: n, color: OPT_COLORS[n], points: [] }));
      cancel = drive(optimizerRace(ds, Math.round(steps.valueAsNumber), lr), (r) => {
        series.forEach((se, i) => se.points.push([r.step, r.losses[OPTIMIZER_NAMES[i] ?? "sgd"]]));
      }, (done) => {
        chart.replaceChildren(lineChart(series, { label: "Loss per optimizer", width: 480, height: 200, log: true }));
        final.textContent = `${done ? "Final" : "Current"} loss — ${series.map((se) => `${se.name}: ${fmt(se.points[se.points.length - 1]?.[1] ?? NaN, 3)}`).join(" · ")}`;
      });
    };
    run.addEventListener("click", start);
    start();
  }

  show();
}
