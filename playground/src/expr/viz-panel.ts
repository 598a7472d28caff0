// The expression's graph as cr.viz draws it: Graphviz SVG, DOT and Mermaid, after a full backward pass.
import type * as cr from "chainrule";
// Registers Graphviz as cr.viz.toSvg's renderer (the core ships without it); loaded with this panel.
import "@chainrule/viz";
import { h } from "../dom.js";

/**
 * A collapsed <details> section; Graphviz's WebAssembly loads only when it is opened. The stepping
 * view keeps its own small layout, because it redraws on every step and Graphviz lays out asynchronously.
 */
/** `update` takes a function that builds the graph, so nothing is built while the section is closed. */
export function vizPanel(): { element: HTMLElement; update: (make: (() => cr.viz.Graph) | null) => void } {
  const svgBox = h("div", { class: "graph-box viz-svg", id: "viz-svg" });
  const dot = h("pre", { class: "code", id: "viz-dot" });
  const mermaid = h("pre", { class: "code", id: "viz-mermaid" });
  const details = h("details", { class: "viz-panel" },
    h("summary", {}, "Graphviz drawing, DOT and Mermaid (cr.viz)"),
    svgBox, h("h4", {}, "DOT"), dot, h("h4", {}, "Mermaid"), mermaid);
  let latest: (() => cr.viz.Graph) | null = null;
  let version = 0;

  async function render(): Promise<void> {
    const mine = ++version;
    if (latest === null) {
      svgBox.replaceChildren();
      dot.textContent = mermaid.textContent = "";
      return;
    }
    const g = latest();
    dot.textContent = g.toDot();
    mermaid.textContent = g.toMermaid();
    const svg = await svgOf(g);
    if (mine !== version) return; // a newer expression was typed meanwhile
    svgBox.replaceChildren(svg);
  }

  details.addEventListener("toggle", () => { if (details.open) void render(); });
  return {
    element: details,
    update: (make) => {
      latest = make;
      if (details.open) void render();
    },
  };
}

/** Graphviz's SVG for a graph, parsed as an SVG document, never as HTML: nothing in it can run. */
export async function svgOf(g: cr.viz.Graph): Promise<Element> {
  const doc = new DOMParser().parseFromString(await g.toSvg(), "image/svg+xml");
  return document.importNode(doc.documentElement, true);
}
