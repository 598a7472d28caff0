// The attention lab: a small transformer trained live on copy, reverse or sort; its attention maps per layer and
// head; and the lesson's BERT claim made visible — one embedding row's gradient is the sum of what every position
// that used it sent back (grad +=, from every attention path).
import { legend, lineChart } from "../chart.js";
import { field, fmt, h, numberInput, select } from "../dom.js";
import { icon } from "../icons.js";
import { getChoice, getNumber, getString, setParams } from "../url-state.js";
import * as cr from "chainrule";
import { AttnSession, sumError, type AttnConfig, type GradientSplit } from "./session.js";
import { attentionMap, gradientStrips } from "./heatmap.js";
import { SEQ_LEN, TASKS, VOCAB, parseSequence } from "./task.js";

/** Time per animation frame spent training, in ms, so the page stays responsive. */
const FRAME_BUDGET = 30;
/** Split parts and the whole agree when they differ by at most this much relative to the row (float32 sums). */
const SUM_TOLERANCE = 1e-4;
const DEFAULT_EXAMPLE = [3, 1, 4, 1, 5, 2];

function readConfig(): AttnConfig {
  const example = parseSequence(getString("seq", "")) ?? DEFAULT_EXAMPLE;
  const token = getNumber("token", example[1] ?? 0, 0, VOCAB - 1);
  return {
    task: getChoice("task", TASKS, "reverse"),
    layers: Number(getChoice("layers", ["1", "2", "3", "4"], "2")),
    heads: Number(getChoice("heads", ["1", "2", "4"], "2")),
    dim: 32,
    lr: getNumber("lr", 0.005, 1e-5, 1),
    batch: Math.round(getNumber("batch", 32, 1, 512)),
    seed: Math.round(getNumber("seed", 1, 0, 1e9)),
    example,
    token: example.includes(token) ? token : (example[0] ?? 0),
  };
}

function writeConfig(c: AttnConfig): void {
  setParams({ lab: "attn", task: c.task, layers: c.layers, heads: c.heads, lr: c.lr, batch: c.batch, seed: c.seed, seq: c.example.join(" "), token: c.token });
}

export function attentionLab(root: HTMLElement): void {
  let config = readConfig();
  const task = select("task", TASKS, config.task);
  const layers = select("layers", ["1", "2", "3", "4"], String(config.layers));
  const heads = select("heads", ["1", "2", "4"], String(config.heads));
  const lr = numberInput("lr", config.lr, 0.00001, 1, 0.001);
  const batch = numberInput("batch", config.batch, 1, 512, 1);
  const seed = numberInput("seed", config.seed, 0, 1e9, 1);
  const example = h("input", { name: "seq", type: "text", value: config.example.join(" "), "aria-describedby": "seq-help" });
  const token = select("token", [], "");

  const play = h("button", { type: "button", id: "attn-play", class: "primary", "aria-pressed": "false" }, icon("play"), " Train");
  const stepBtn = h("button", { type: "button", id: "attn-step" }, "Step one batch");
  const reset = h("button", { type: "button", id: "attn-reset" }, "Reset ", icon("reset"));
  const stepOut = h("output", { id: "attn-steps" }, "0");
  const lossOut = h("output", { id: "attn-loss" }, "–");
  const accOut = h("output", { id: "attn-acc" }, "–");
  const seqError = h("p", { class: "error", id: "seq-error", "aria-live": "polite" });
  const prediction = h("p", { class: "stats", id: "attn-prediction" });
  const where = h("p", { class: "backend", id: "attn-backend" }, `training on ${cr.getBackend()}`);
  const lossBox = h("div", { class: "chart-box", id: "attn-loss-chart" });
  const maps = h("div", { class: "attn-maps", id: "attn-maps" });
  const splitBox = h("div", { class: "grad-split", id: "grad-split" });

  root.append(
    h("section", { class: "panel", "aria-labelledby": "attn-title" },
      h("h2", { id: "attn-title" }, "Attention lab"),
      h("p", { class: "help" }, `A small transformer (chainrule's nn.MultiheadAttention, bidirectional as in BERT) learns a task on sequences of ${SEQ_LEN} digits, live in this page.`),
      h("div", { class: "attn-grid" },
        h("fieldset", { class: "settings" },
          h("legend", {}, "Task and model"),
          field("Task", task), field("Layers", layers), field("Heads", heads), field("Learning rate (Adam)", lr),
          field("Batch size", batch), field("Seed", seed),
          h("label", { class: "field" }, h("span", {}, "Example sequence"), example, h("small", { id: "seq-help" }, `${SEQ_LEN} digits 0–${VOCAB - 1}, e.g. 3 1 4 1 5 2`)),
          seqError,
          field("Embedding row (token)", token)),
        h("div", { class: "live" },
          h("div", { class: "row controls" }, play, stepBtn, reset),
          h("p", { class: "stats" }, "step ", stepOut, " · loss ", lossOut, " · token accuracy ", accOut),
          where,
          prediction,
          h("h3", {}, "Loss"), lossBox, legend([{ name: "loss", color: "#1f77b4" }, { name: "token accuracy", color: "#2ca02c" }]))),
      h("h3", {}, "Attention on the example, per layer and head"),
      h("p", { class: "help" }, "Rows are queries, columns the keys they read; each row sums to 1."),
      maps,
      h("h3", {}, "One embedding row's gradient is the sum of what every position sent back"),
      h("p", { class: "help" }, "The lesson: in BERT one token embedding is used by many attention operations, and the gradients of all paths add up (grad +=). Here each position's loss is backpropagated on its own: every position reaches the row through attention, and the parts sum to the row of tok.weight.grad that one ordinary backward() accumulates."),
      splitBox),
  );

  let session = new AttnSession(config);
  let running = false;

  function fillTokens(): void {
    const present = [...new Set(config.example)].sort((a, b) => a - b).map(String);
    token.replaceChildren(...present.map((t) => h("option", { value: t, selected: t === String(config.token) }, t)));
    token.value = String(config.token);
  }

  function readForm(): AttnConfig {
    const seq = parseSequence(example.value);
    seqError.textContent = seq === null ? `Give ${SEQ_LEN} digits between 0 and ${VOCAB - 1}; keeping ${config.example.join(" ")}.` : "";
    const ex = seq ?? config.example;
    // Before the first fill the row list is empty: the row comes from the link then.
    const t = token.value === "" ? config.token : Number(token.value);
    return {
      task: TASKS.find((k) => k === task.value) ?? "reverse",
      layers: Number(layers.value), heads: Number(heads.value), dim: 32,
      lr: clamp(lr.valueAsNumber, 1e-5, 1, 0.005),
      batch: Math.round(clamp(batch.valueAsNumber, 1, 512, 32)),
      seed: Math.round(clamp(seed.valueAsNumber, 0, 1e9, 1)),
      example: ex,
      token: ex.includes(t) ? t : (ex[0] ?? 0),
    };
  }

  function restart(): void {
    config = readForm();
    writeConfig(config);
    fillTokens();
    session = new AttnSession(config);
    render();
  }

  function render(): void {
    const last = session.history[session.history.length - 1];
    stepOut.textContent = String(session.step);
    lossOut.textContent = last === undefined ? "–" : last[1].toFixed(4);
    accOut.textContent = last === undefined ? "–" : `${(100 * last[2]).toFixed(0)}%`;
    lossBox.replaceChildren(lineChart([
      { name: "loss", color: "#1f77b4", points: session.history.map(([st, l]) => [st, l]) },
      { name: "token accuracy", color: "#2ca02c", points: session.history.map(([st, , a]) => [st, a]) },
    ], { label: "Training loss and token accuracy", log: false }));
    const view = session.attention();
    prediction.replaceChildren(`input ${config.example.join(" ")} → model `, h("strong", { id: "attn-predicted" }, view.predicted.join(" ")), ` · target ${view.target.join(" ")}`);
    maps.replaceChildren(...view.maps.map((layer, l) => h("div", { class: "attn-layer", "data-layer": l },
      h("span", { class: "attn-layer-name" }, `layer ${l + 1}`),
      ...layer.map((map, hd) => h("figure", { class: "attn-head", "data-layer": l, "data-head": hd },
        attentionMap(map, config.example, `Layer ${l + 1}, head ${hd + 1}: attention weights`),
        h("figcaption", {}, `layer ${l + 1} · head ${hd + 1}`))))));
    splitBox.replaceChildren(...describeSplit(session.gradientSplit()));
  }

  function frame(): void {
    if (!running) return;
    const start = performance.now();
    do session.trainStep(); while (performance.now() - start < FRAME_BUDGET);
    render();
    requestAnimationFrame(frame);
  }

  function setRunning(on: boolean): void {
    running = on;
    play.replaceChildren(icon(on ? "pause" : "play"), on ? " Pause" : " Train");
    play.setAttribute("aria-pressed", String(on));
    if (on) requestAnimationFrame(frame);
  }

  play.addEventListener("click", () => setRunning(!running));
  stepBtn.addEventListener("click", () => { setRunning(false); session.trainStep(); render(); });
  reset.addEventListener("click", () => { setRunning(false); restart(); });
  for (const el of [task, layers, heads, lr, batch, seed, example]) el.addEventListener("change", () => { setRunning(false); restart(); });
  // Another row needs no new model: only the split is redrawn.
  token.addEventListener("change", () => {
    config = { ...config, token: Number(token.value) };
    writeConfig(config);
    session.config = config;
    render();
  });
  restart();
}

/** The split as strips and a check line: Σ of each split against the .grad row, with the largest difference. */
function describeSplit(split: GradientSplit): HTMLElement[] {
  const scale = Math.max(1e-12, ...split.grad.map(Math.abs));
  const check = (name: string, parts: number[][]): HTMLElement => {
    const err = sumError(parts, split.grad);
    const ok = err <= SUM_TOLERANCE * scale;
    return h("p", { class: "claim", "data-split": name, "data-error": String(err) },
      `Σ ${name} − tok.weight.grad[${split.token}]: largest difference ${fmt(err, 2)} `,
      h("span", { class: ok ? "ok" : "bad" }, ok ? "(they agree)" : "(they disagree)"));
  };
  const sum = (parts: number[][]): number[] => split.grad.map((_, i) => parts.reduce((s, p) => s + (p[i] ?? 0), 0));
  const useParts = split.byUse.map((u) => u.grad);
  return [
    h("div", {}, h("figure", { class: "split", id: "split-by-loss" },
      h("figcaption", {}, `By the position whose loss it came from: ${split.byLoss.length} parts, one per position`),
      gradientStrips([
        ...split.byLoss.map((values, q) => ({ label: `loss at position ${q}`, values, kind: "part" })),
        { label: "Σ of the parts", values: sum(split.byLoss), kind: "sum" },
        { label: `tok.weight.grad[${split.token}]`, values: split.grad, kind: "grad" },
      ], "Each position's loss sends a part of the row's gradient; their sum and the .grad row")),
    check("by loss position", split.byLoss)),
    h("div", {}, h("figure", { class: "split", id: "split-by-use" },
      h("figcaption", {}, `By the position that looked the row up: token ${split.token} sits at ${split.byUse.map((u) => u.position).join(" and ")}`),
      gradientStrips([
        ...split.byUse.map((u) => ({ label: `used at position ${u.position}`, values: u.grad, kind: "part" })),
        { label: "Σ of the parts", values: sum(useParts), kind: "sum" },
        { label: `tok.weight.grad[${split.token}]`, values: split.grad, kind: "grad" },
      ], "The gradient each lookup of the token received; their sum and the .grad row")),
    check("by use", useParts)),
  ];
}

function clamp(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}
