// Measures cr.data.loadCsv on a generated CSV of a million rows (about 30 MB): seconds and peak RSS.
// Each load runs in a fresh process so its peak RSS is its own.
//   node tools/csv-load-bench.mjs [rows] [chainrule entry, default: this checkout's dist/index.js]
// Run `npm run build` first; pass another checkout's dist/index.js to compare with it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const rows = Number(process.argv[2] ?? 1_000_000);
const entry = resolve(process.argv[3] ?? join(import.meta.dirname, "..", "dist", "index.js"));
if (!Number.isInteger(rows) || rows < 1) {
  console.error("usage: node tools/csv-load-bench.mjs [rows] [chainrule entry]");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "chainrule-csv-bench-"));
try {
  const file = join(dir, "table.csv");
  // Four features of the widths real tables have, and three classes; a fixed generator, so runs compare.
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ["a,b,c,d,label"];
  for (let i = 0; i < rows; i++) lines.push(`${(next() * 4 - 2).toFixed(5)},${(next() * 4 - 2).toFixed(5)},${(next() * 100).toFixed(3)},${Math.floor(next() * 1000)},${i % 3}`);
  writeFileSync(file, lines.join("\n") + "\n");
  const code = `
    const cr = await import(${JSON.stringify(pathToFileURL(entry).href)});
    const t0 = performance.now();
    const d = cr.data.loadCsv(${JSON.stringify(file)}, { target: "label" });
    const seconds = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, shape: d.x.shape, classes: d.classes }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = JSON.parse(r.stdout);
  console.log(`${entry}: ${rows.toLocaleString("en-US")} rows, ${(statSync(file).size / 2 ** 20).toFixed(1)} MB: ${m.seconds.toFixed(2)} s, peak RSS ${m.maxRssMB.toFixed(0)} MB (x ${m.shape.join("×")}, classes ${m.classes.join(",")})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
