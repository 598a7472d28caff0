// The Network lab: TensorFlow Playground's experience on chainrule — data, architecture, optimizer, live training.
import { legend, lineChart, logBars } from "../chart.js";
import { field, h, numberInput, select } from "../dom.js";
import { icon } from "../icons.js";
import { ACTIVATIONS, DATASETS, OPTIMIZERS, REGULARIZERS, decodePoints, encodePoints, parseHidden, readConfig, writeConfig, type NetConfig } from "./config.js";
import { canvasToData, drawBoundary } from "./boundary.js";
import { Session } from "./session.js";
import * as cr from "chainrule";
import { webgpu } from "../gpu-status.js";

const LAYER_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
/** Record the losses every this many steps: cheap enough to keep the curves smooth. */
const RECORD_EVERY = 5;
/** Time per animation frame spent training, in ms, so the page stays responsive. */
const FRAME_BUDGET = 14;

export function networkLab(root: HTMLElement): void {
  let config = readConfig();
  const dataset = select("data", DATASETS, config.dataset);
  const noise = numberInput("noise", config.noise, 0, 1, 0.05);
  const hidden = h("input", { name: "hidden", type: "text", value: config.hidden.join(","), inputmode: "numeric", "aria-describedby": "hidden-help" });
  const act = select("act", ACTIVATIONS, config.activation);
  const opt = select("opt", OPTIMIZERS, config.optimizer);
  const lr = numberInput("lr", config.lr, 0.0001, 10, 0.001);
  const reg = select("reg", REGULARIZERS, config.reg);
  const regRate = numberInput("regRate", config.regRate, 0, 1, 0.001);
  const dropout = numberInput("dropout", config.dropout, 0, 0.9, 0.1);
  const batch = numberInput("batch", config.batch, 1, 1000, 1);
  const seed = numberInput("seed", config.seed, 0, 1e9, 1);
  const pointClass = select("pointClass", ["0", "1"], "1");
  const showTest = h("input", { type: "checkbox", name: "showTest", checked: true });

  const play = h("button", { type: "button", id: "play", class: "primary", "aria-pressed": "false" }, icon("play"), " Train");
  const stepBtn = h("button", { type: "button", id: "net-step" }, "Step one batch");
  const reset = h("button", { type: "button", id: "reset" }, "Reset ", icon("reset"));
  const clearPts = h("button", { type: "button", id: "clear-points" }, "Clear points");
  const where = h("p", { class: "backend", id: "net-backend", "aria-live": "polite" }, `training on ${cr.getBackend()}`);
  const stepOut = h("output", { id: "net-steps" }, "0");
  const trainOut = h("output", { id: "train-loss" }, "–");
  const testOut = h("output", { id: "test-loss" }, "–");
  const canvas = h("canvas", { id: "boundary", width: 360, height: 360, role: "img", "aria-label": "Decision boundary and data points; in the custom dataset, click to add a point (or type them in the Points field)" });
  const lossBox = h("div", { class: "chart-box", id: "loss-chart" });
  const healthBox = h("div", { class: "chart-box", id: "health" });
  const healthNote = h("p", { class: "health-note", id: "health-note", "aria-live": "polite" });
  const normBox = h("div", { class: "chart-box", id: "norm-history" });
  // The points as text too: editable from the keyboard, where clicking on the canvas is not an option.
  const pointsText = h("textarea", { name: "points", rows: 2, spellcheck: "false", "aria-describedby": "points-help" });
  const customRow = h("div", { class: "custom" },
    h("div", { class: "row" }, field("Class of new points", pointClass), clearPts),
    h("label", { class: "field" }, h("span", {}, "Points"), pointsText, h("small", { id: "points-help" }, "click the plot to add one, or type x,y,class; x,y,class …")));

  root.append(
    h("section", { class: "panel", "aria-labelledby": "net-title" },
      h("h2", { id: "net-title" }, "Network lab"),
      h("div", { class: "net-grid" },
        h("fieldset", { class: "settings" },
          h("legend", {}, "Data and model"),
          field("Dataset", dataset), field("Noise", noise),
          h("label", { class: "field" }, h("span", {}, "Hidden layers"), hidden, h("small", { id: "hidden-help" }, "widths, e.g. 8,8")),
          field("Activation", act), field("Optimizer", opt), field("Learning rate", lr),
          field("Regularisation", reg), field("Reg. rate", regRate), field("Dropout", dropout),
          field("Batch size", batch), field("Seed", seed)),
        h("div", { class: "live" },
          h("div", { class: "row controls" }, play, stepBtn, reset),
          h("p", { class: "stats" }, "step ", stepOut, " · train loss ", trainOut, " · test loss ", testOut),
          where,
          canvas,
          h("label", { class: "check" }, showTest, " show test points (outlined)"),
          customRow),
        h("div", { class: "side" },
          h("h3", {}, "Loss"), lossBox, legend([{ name: "train", color: "#1f77b4" }, { name: "test", color: "#ff7f0e" }]),
          h("h3", {}, "Gradient health"), healthBox, healthNote,
          h("h3", {}, "Gradient norm per layer over time (log)"), normBox))),
  );

  let session = new Session(config);
  let running = false;
  // Where the steps run: WebGPU once the browser has opened it (gpu-status.ts), else the default backend.
  let gpuInfo: cr.backends.webgpu.WebGpuInfo | null = null;
  void webgpu.then((info) => {
    if (info === null) return;
    gpuInfo = info;
    where.textContent = `training on webgpu (${[info.vendor, info.architecture].filter(Boolean).join(" ") || "a GPU"})`;
    setRunning(false);
    restart();
  });
  let normHistory: [number, number[]][] = [];

  function readForm(): NetConfig {
    return {
      dataset: DATASETS.find((d) => d === dataset.value) ?? "xor",
      noise: clamp(noise.valueAsNumber, 0, 1, 0.2),
      hidden: parseHidden(hidden.value),
      activation: ACTIVATIONS.find((a) => a === act.value) ?? "relu",
      optimizer: OPTIMIZERS.find((o) => o === opt.value) ?? "adam",
      lr: clamp(lr.valueAsNumber, 1e-6, 10, 0.03),
      reg: REGULARIZERS.find((r) => r === reg.value) ?? "none",
      regRate: clamp(regRate.valueAsNumber, 0, 1, 0),
      dropout: clamp(dropout.valueAsNumber, 0, 0.9, 0),
      batch: Math.round(clamp(batch.valueAsNumber, 1, 1000, 32)),
      seed: Math.round(clamp(seed.valueAsNumber, 0, 1e9, 1)),
      points: config.points,
    };
  }

  function restart(): void {
    config = readForm();
    writeConfig(config);
    session = new Session(config);
    if (gpuInfo !== null) session.useGpu();
    normHistory = [];
    customRow.hidden = config.dataset !== "custom";
    pointsText.value = encodePoints(config.points);
    render();
  }

  function record(): void {
    session.record();
    normHistory.push([session.step, session.health.map((l) => l.gradNorm)]);
  }

  function render(): void {
    const last = session.history[session.history.length - 1];
    stepOut.textContent = String(session.step);
    trainOut.textContent = last === undefined ? "–" : last.trainLoss.toFixed(4);
    testOut.textContent = last === undefined || !Number.isFinite(last.testLoss) ? "–" : last.testLoss.toFixed(4);
    drawBoundary(canvas, session, showTest.checked);
    lossBox.replaceChildren(lineChart([
      { name: "train", color: "#1f77b4", points: session.history.map((m) => [m.step, m.trainLoss]) },
      { name: "test", color: "#ff7f0e", points: session.history.map((m) => [m.step, m.testLoss]) },
    ], { label: "Loss curves", log: true }));
    const health = session.health;
    healthBox.replaceChildren(logBars(health.map((l) => ({ name: l.name, value: l.gradNorm, note: l.dead === null ? "" : ` · ${percent(l.dead.fraction)} dead` })), "Gradient norm of each layer's weights, and the share of dead units in the ReLU after it"));
    healthNote.replaceChildren(...describeHealth(session));
    const layers = health.length;
    const series = Array.from({ length: layers }, (_, i) => ({
      name: health[i]?.name ?? `layer ${i + 1}`, color: LAYER_COLORS[i % LAYER_COLORS.length] ?? "#000", points: normHistory.map(([st, n]) => [st, n[i] ?? NaN] as [number, number]),
    }));
    normBox.replaceChildren(lineChart(series, { label: "Gradient norm per layer over time", log: true }), legend(series));
  }

  function trainFor(budgetMs: number, minSteps: number): void {
    const start = performance.now();
    let n = 0;
    while (n < minSteps || performance.now() - start < budgetMs) {
      session.trainStep();
      n++;
      // On the GPU the model is read back once per frame, and recorded then.
      if (session.gpu === null && session.step % RECORD_EVERY === 0) record();
      if (session.step === 0) break; // no data to train on
    }
  }

  async function frame(): Promise<void> {
    if (!running) return;
    const current = session;
    trainFor(FRAME_BUDGET, 1);
    if (current.gpu !== null) {
      await current.syncFromGpu();
      if (current !== session) return; // reset meanwhile
      record();
    }
    render();
    requestAnimationFrame(() => void frame());
  }

  function setRunning(on: boolean): void {
    running = on;
    play.replaceChildren(icon(on ? "pause" : "play"), on ? " Pause" : " Train");
    play.setAttribute("aria-pressed", String(on));
    if (on) requestAnimationFrame(() => void frame());
  }

  play.addEventListener("click", () => setRunning(!running));
  stepBtn.addEventListener("click", () => {
    setRunning(false);
    session.trainStep();
    const current = session;
    void current.syncFromGpu().then(() => {
      if (current !== session) return;
      record();
      render();
    });
  });
  reset.addEventListener("click", () => { setRunning(false); restart(); });
  for (const el of [dataset, noise, hidden, act, opt, lr, reg, regRate, dropout, batch, seed]) el.addEventListener("change", restart);
  showTest.addEventListener("change", render);
  clearPts.addEventListener("click", () => { config.points = []; restart(); });
  pointsText.addEventListener("change", () => { config.points = decodePoints(pointsText.value); restart(); });
  canvas.addEventListener("click", (ev) => {
    if (config.dataset !== "custom") return;
    const [x, y] = canvasToData(canvas, session, ev.clientX, ev.clientY);
    config.points = [...config.points, [x, y, Number(pointClass.value)]];
    restart();
  });
  restart();
}

function clamp(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

/** A fraction as the bars and cr.diagnostics' messages print it: "38%". */
const percent = (v: number): string => `${(100 * v).toFixed(0)}%`;

/**
 * What cr.diagnostics flagged, with the lesson's remedies, or that it flagged nothing; then the dead units the bars
 * show, with the rule they are judged by. A layer can have dead units without being flagged (a few are normal), so
 * the note never says "no dead units" beside a bar that shows some.
 */
function describeHealth(session: Session): (string | HTMLElement)[] {
  if (session.health.length === 0) return ["Train a step to see each layer's gradient."];
  const limit = percent(session.deadThreshold);
  const out: (string | HTMLElement)[] = session.flags.length === 0
    ? [h("span", { class: "flag none" }, `No problem flagged: no vanishing or exploding gradients, and no layer with more than ${limit} of its units dead.`)]
    : session.flags.map((f) => h("span", { class: `flag ${f.kind}` }, h("strong", {}, f.message), h("br"), `Try: ${f.remedies.join("; ")}.`));
  const dead = session.health.filter((l) => l.dead !== null && l.dead.fraction > 0);
  if (dead.length > 0) {
    const list = dead.map((l) => `layer ${l.dead?.layer} (the ReLU after ${l.name}) ${percent(l.dead?.fraction ?? 0)}`).join(", ");
    out.push(h("span", { class: "dead-units" }, `Dead units, as the bars show them (0 for every sample of this batch): ${list}. A layer is flagged above ${limit}; a few dead units are normal.`));
  }
  return out.flatMap((el, i) => (i === 0 ? [el] : [h("br"), el]));
}
