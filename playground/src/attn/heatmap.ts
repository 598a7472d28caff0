// SVG heatmaps of the attention lab: an attention map (rows sum to 1) and signed gradient strips.
import { fmt, s } from "../dom.js";

const CELL = 22;

/** An `[L, L]` attention map: row = query position, column = key position, darker = more weight. */
export function attentionMap(map: readonly (readonly number[])[], labels: readonly number[], title: string): SVGSVGElement {
  const n = map.length;
  const pad = 16;
  const size = pad + n * CELL;
  const svg = s("svg", { viewBox: `0 0 ${size} ${size}`, class: "attn-map", role: "img", "aria-label": title });
  labels.forEach((t, i) => {
    svg.append(s("text", { x: pad + i * CELL + CELL / 2, y: pad - 4, class: "tick mid" }, String(t)));
    svg.append(s("text", { x: pad - 4, y: pad + i * CELL + CELL / 2 + 4, class: "tick end" }, String(t)));
  });
  map.forEach((row, q) => row.forEach((w, k) => {
    svg.append(s("rect", { x: pad + k * CELL, y: pad + q * CELL, width: CELL - 1, height: CELL - 1, fill: `rgba(29, 95, 191, ${Math.min(1, Math.max(0, w)).toFixed(3)})`, "data-w": w.toFixed(4) },
      s("title", {}, `query ${q} (${labels[q]}) → key ${k} (${labels[k]}): ${fmt(w, 3)}`)));
  }));
  return svg;
}

/**
 * Rows of signed vectors as colour strips on one shared scale (red positive, blue negative), each labelled; the
 * numbers travel in `data-values` so they can be read back exactly.
 */
export function gradientStrips(rows: readonly { label: string; values: readonly number[]; kind: string }[], title: string): SVGSVGElement {
  const width = Math.max(1, ...rows.map((r) => r.values.length));
  const cell = 10;
  const labelW = 130;
  const rowH = 16;
  const scale = Math.max(1e-30, ...rows.flatMap((r) => r.values.map(Math.abs)));
  const svg = s("svg", { viewBox: `0 0 ${labelW + width * cell + 70} ${rows.length * rowH + 4}`, class: "grad-strips", role: "img", "aria-label": title });
  rows.forEach((r, i) => {
    const y = 2 + i * rowH;
    const g = s("g", { class: `strip ${r.kind}`, "data-values": JSON.stringify(r.values) });
    g.append(s("text", { x: labelW - 6, y: y + 11, class: "tick end" }, r.label));
    r.values.forEach((v, j) => {
      const a = Math.min(1, Math.abs(v) / scale).toFixed(3);
      g.append(s("rect", { x: labelW + j * cell, y, width: cell - 1, height: rowH - 3, fill: v >= 0 ? `rgba(214, 39, 40, ${a})` : `rgba(31, 119, 180, ${a})` }));
    });
    const norm = Math.hypot(...r.values);
    g.append(s("text", { x: labelW + width * cell + 4, y: y + 11, class: "tick" }, `‖·‖ ${fmt(norm, 3)}`));
    svg.append(g);
  });
  return svg;
}
