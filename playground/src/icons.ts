// Button icons drawn as inline SVG, not font glyphs: "⏸" is missing from the fonts Chromium finds on Linux (it
// showed as an empty box), and "▶" turns into a colour emoji on some platforms. SVG looks the same everywhere.
import { s } from "./dom.js";

export type IconName = "play" | "pause" | "back" | "forward" | "reset";

// 16×16 shapes, filled (or stroked) with the button's text colour.
const SHAPES: Record<IconName, () => SVGElement[]> = {
  play: () => [s("path", { d: "M4.5 2.5v11l9-5.5z" })],
  forward: () => [s("path", { d: "M4.5 2.5v11l9-5.5z" })],
  back: () => [s("path", { d: "M11.5 2.5v11l-9-5.5z" })],
  pause: () => [s("rect", { x: 3.5, y: 2.5, width: 3.2, height: 11, rx: 0.6 }), s("rect", { x: 9.3, y: 2.5, width: 3.2, height: 11, rx: 0.6 })],
  reset: () => [
    s("path", { d: "M3.2 8a4.8 4.8 0 1 0 1.5-3.5", fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linecap": "round" }),
    s("path", { d: "M2.2 2.2v3.9h3.9z" }),
  ],
};

/**
 * An icon for a button, hidden from screen readers (the button's text names it).
 * @example h("button", {}, icon("play"), " Train")
 */
export function icon(name: IconName): SVGSVGElement {
  return s("svg", { class: `icon icon-${name}`, viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true", focusable: "false", fill: "currentColor" }, ...SHAPES[name]());
}
