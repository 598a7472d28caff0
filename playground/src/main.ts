// The playground's entry point: four labs behind accessible tabs; the URL says which one is open.
import "./style.css";
import { h } from "./dom.js";
import { expressionLab } from "./expr/lab.js";
import { lessonLab } from "./lessons/lab.js";
import { networkLab } from "./net/lab.js";
import { attentionLab } from "./attn/lab.js";
import { getChoice, setParams } from "./url-state.js";
import * as cr from "chainrule";
import { backendLine, webgpu } from "./gpu-status.js";

const LABS = [
  ["expr", "Expression lab", expressionLab],
  ["net", "Network lab", networkLab],
  ["lessons", "Lesson experiments", lessonLab],
  ["attn", "Attention lab", attentionLab],
] as const;
type LabId = (typeof LABS)[number][0];

const app = document.getElementById("app") as HTMLElement;
const tabs = h("div", { role: "tablist", "aria-label": "Labs", class: "tabs" });
const panel = h("main", { role: "tabpanel", id: "panel", tabindex: -1 });
const status = h("p", { class: "backend-status", id: "backend-status", "aria-live": "polite" }, `backend: ${cr.getBackend()}`);
app.append(tabs, status, panel);
void webgpu.then((info) => (status.textContent = backendLine(info)));

const buttons = LABS.map(([id, title]) => {
  const b = h("button", { type: "button", role: "tab", id: `tab-${id}`, "aria-controls": "panel" }, title);
  b.addEventListener("click", () => open(id, true));
  tabs.append(b);
  return b;
});

// Arrow keys move between tabs, as the WAI-ARIA tabs pattern asks.
tabs.addEventListener("keydown", (ev) => {
  const i = buttons.findIndex((b) => b === document.activeElement);
  if (i < 0 || (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft")) return;
  const next = buttons[(i + (ev.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
  next?.focus();
  next?.click();
});

function open(id: LabId, fresh: boolean): void {
  // A tab switch starts that lab from its defaults; a loaded link keeps its parameters.
  if (fresh) setParams({ lab: id });
  buttons.forEach((b, i) => {
    const on = LABS[i]?.[0] === id;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
  });
  panel.setAttribute("aria-labelledby", `tab-${id}`);
  // A fresh element per lab: the old lab's listeners and timers go with it.
  const root = h("div", { class: "lab", "data-lab": id });
  panel.replaceChildren(root);
  LABS.find(([l]) => l === id)?.[2](root);
}

open(getChoice("lab", LABS.map(([id]) => id), "expr"), false);
