// Turns the children's JSON results into one markdown table: a row per workload, a column per system/backend, ratios to chainrule's best.

/** Rows in the order; `higher` says which direction is better for the unit. */
export function rowsFor(quick, mnist) {
  const sizes = quick ? [128, 256] : [128, 256, 512, 1024];
  const rows = sizes.map((n) => ({ key: `W1 N=${n}`, label: `W1 matmul N=${n}`, unit: "GFLOP/s", higher: true }));
  rows.push(
    { key: "W2", label: "W2 MLP train step", unit: "ms", higher: false },
    { key: "W3", label: "W3 scalar graph f+b", unit: "ms", higher: false },
    { key: "W4", label: "W4 sum(relu(x·w+b)) f+b", unit: "ms", higher: false },
    { key: "W5", label: "W5 peak RSS after W2", unit: "MiB", higher: false },
    { key: "W7", label: "W7 GPT train iteration", unit: "ms", higher: false },
    { key: "W8", label: "W8 GPT generation, KV cache", unit: "tokens/s", higher: true },
  );
  if (mnist) rows.push({ key: "MNIST", label: "MNIST to 97.5% test", unit: "s", higher: false });
  return rows;
}

/**
 * One record per system, backend and workload: the median of its rounds' values (`rounds` lists them); the
 * first of every other record (versions, notes).
 */
export function combineRounds(results) {
  const groups = new Map();
  const out = [];
  for (const r of results) {
    if (r.workload === undefined || typeof r.value !== "number") {
      if (!out.some((o) => JSON.stringify(o) === JSON.stringify(r))) out.push(r);
      continue;
    }
    const key = `${r.system}\u0000${r.backend}\u0000${r.workload}`;
    const group = groups.get(key);
    if (group === undefined) {
      const first = { ...r, rounds: [r.value] };
      groups.set(key, first);
      out.push(first);
    } else group.rounds.push(r.value);
  }
  for (const g of groups.values()) {
    const sorted = [...g.rounds].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    g.value = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
  return out;
}

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The value of each column on a row, and chainrule's best value there (the ratios' denominator). */
function cells(row, columns, results) {
  const byColumn = new Map();
  for (const r of results) if (r.workload === row.key && typeof r.value === "number") byColumn.set(`${r.system} ${r.backend}`, r.value);
  const ours = columns.filter((c) => c.startsWith("chainrule ")).map((c) => byColumn.get(c)).filter((v) => v !== undefined);
  const best = ours.length === 0 ? undefined : row.higher ? Math.max(...ours) : Math.min(...ours);
  return { byColumn, best };
}

/** Markdown: `value (×ratio)` per cell, ratio = value / chainrule's best on that row; "—" where not measured. */
export function renderTable(rows, columns, results) {
  const header = ["workload", "unit", ...columns];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`];
  for (const row of rows) {
    const { byColumn, best } = cells(row, columns, results);
    const out = columns.map((c) => {
      const v = byColumn.get(c);
      if (v === undefined) return "—";
      return best === undefined ? fmt(v) : `${fmt(v)} (×${fmt(v / best)})`;
    });
    lines.push(`| ${row.label} | ${row.unit}${row.higher ? " ↑" : " ↓"} | ${out.join(" | ")} |`);
  }
  return lines.join("\n");
}
