// Tiny DOM helpers: build elements declaratively without a UI framework.

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Creates an HTML element with attributes (`on*` values are not accepted; add listeners explicitly) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Creates an SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
}

/** A labelled form control in one block: `<label>text <control></label>`. */
export function field(text: string, control: HTMLElement): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", {}, text), control);
}

/** A `<select>` with the given options and value. */
export function select(name: string, options: readonly string[], value: string): HTMLSelectElement {
  const el = h("select", { name });
  for (const o of options) el.append(h("option", { value: o, selected: o === value }, o));
  el.value = value;
  return el;
}

/** A number input. */
export function numberInput(name: string, value: number, min: number, max: number, step: number): HTMLInputElement {
  return h("input", { name, type: "number", value, min, max, step, inputmode: "decimal" });
}

/** Formats a number for display: short, and readable for tiny and huge magnitudes. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}
