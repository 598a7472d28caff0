// Small SVG charts: line charts (loss curves, linear or log scale) and horizontal bars (gradient norms).
import { fmt, s } from "./dom.js";

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

/** A line chart of several series; `log` plots log10(y), so curves spanning decades stay readable. */
export function lineChart(series: readonly Series[], opts: { width?: number; height?: number; log?: boolean; label: string }): SVGSVGElement {
  const width = opts.width ?? 320;
  const height = opts.height ?? 160;
  const pad = { l: 44, r: 8, t: 8, b: 22 };
  const tf = (y: number): number => (opts.log === true ? Math.log10(Math.max(y, 1e-12)) : y);
  const all = series.flatMap((se) => se.points).filter(([, y]) => Number.isFinite(y));
  const xMax = Math.max(1, ...all.map(([x]) => x));
  let yMin = Math.min(...all.map(([, y]) => tf(y)));
  let yMax = Math.max(...all.map(([, y]) => tf(y)));
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  if (opts.log !== true) yMin = Math.min(0, yMin);
  const px = (x: number): number => pad.l + (x / xMax) * (width - pad.l - pad.r);
  const py = (y: number): number => pad.t + (1 - (tf(y) - yMin) / (yMax - yMin)) * (height - pad.t - pad.b);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": opts.label });
  svg.append(s("line", { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: "axis" }));
  svg.append(s("line", { x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, class: "axis" }));
  const yTop = opts.log === true ? 10 ** yMax : yMax;
  const yBottom = opts.log === true ? 10 ** yMin : yMin;
  svg.append(s("text", { x: pad.l - 4, y: pad.t + 8, class: "tick end" }, fmt(yTop, 2)));
  svg.append(s("text", { x: pad.l - 4, y: height - pad.b, class: "tick end" }, fmt(yBottom, 2)));
  svg.append(s("text", { x: width - pad.r, y: height - 6, class: "tick end" }, String(xMax)));
  for (const se of series) {
    const pts = se.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    svg.append(s("path", { d, fill: "none", stroke: se.color, "stroke-width": 2 }));
  }
  return svg;
}

/** A legend for a chart's series. */
export function legend(series: readonly Pick<Series, "name" | "color">[]): HTMLElement {
  const el = document.createElement("p");
  el.className = "legend";
  for (const se of series) {
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = se.color;
    el.append(sw, ` ${se.name} `);
  }
  return el;
}

/** Horizontal bars on a log10 scale from 1e-8 to 1e2: vanishing gradients sit at the left, exploding ones at the right. */
export function logBars(rows: readonly { name: string; value: number; note?: string }[], label: string): SVGSVGElement {
  const width = 320;
  const rowH = 20;
  const height = rows.length * rowH + 22;
  const lo = -8;
  const hi = 2;
  const left = 70;
  const px = (v: number): number => left + ((Math.min(hi, Math.max(lo, Math.log10(Math.max(v, 1e-30)))) - lo) / (hi - lo)) * (width - left - 60);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label });
  rows.forEach((r, i) => {
    const y = i * rowH + 4;
    const w = Math.max(1, px(r.value) - left);
    // Grey below 1e-5 (barely learning), red above 1e3 (exploding), as the health notes judge them.
    const cls = r.value < 1e-5 ? "bar vanishing" : r.value > 1e3 ? "bar exploding" : "bar";
    svg.append(s("text", { x: left - 4, y: y + 12, class: "tick end" }, r.name));
    svg.append(s("rect", { x: left, y, width: w, height: rowH - 6, class: cls }));
    svg.append(s("text", { x: left + w + 4, y: y + 12, class: "tick" }, `${fmt(r.value, 2)}${r.note ?? ""}`));
  });
  const axisY = rows.length * rowH + 14;
  for (let e = lo; e <= hi; e += 2) svg.append(s("text", { x: px(10 ** e), y: axisY, class: "tick mid" }, `1e${e}`));
  return svg;
}
