// A gradient-health report as text: a per-layer table, then each flag with its remedies.
import type { HealthReport } from "./watch.js";

const num = (v: number | null) => (v === null ? "—" : Number.isFinite(v) ? (v === 0 ? "0" : v.toExponential(2)) : String(v));
const pct = (v: number | null) => (v === null ? "—" : `${(100 * v).toFixed(0)}%`);

/**
 * Lays a report out as a fixed-width table (plain text, so it prints in a terminal or a <pre>), then
 * each flag with its remedies. `watch(model).format()` is `formatReport(watch(model).report())`.
 * @example console.log(cr.diagnostics.formatReport(w.report()));
 */
export function formatReport(r: HealthReport): string {
  const head = ["layer", "type", "grad norm", "update/weight", "dead", "act mean", "act std"];
  const rows = r.layers.map((l) => [l.name === "" ? "(model)" : l.name, l.type, num(l.gradNorm), num(l.updateRatio), pct(l.deadFraction), num(l.activationMean), num(l.activationStd)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  if (r.flags.length === 0) out.push("", "no problems found: gradients neither vanish nor explode, and no layer is dead");
  for (const f of r.flags) {
    out.push("", `⚠ ${f.message}`, "  remedies:");
    for (const remedy of f.remedies) out.push(`  - ${remedy}`);
  }
  return out.join("\n");
}
