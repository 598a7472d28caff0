import * as cr from "chainrule";
import { readFileSync } from "node:fs";
for (const line of readFileSync("/tmp/d3/cands.txt", "utf8").split("\n")) {
  if (!line.trim()) continue;
  try { const r = new Function("cr", `return (${line});`)(cr); console.log(line, "=>", JSON.stringify(r instanceof cr.Tensor ? [r.tolist(), r.dtype] : r)); }
  catch (e) { console.log(line, "=> THROWS", (e as Error).name, (e as Error).message.slice(0, 100)); }
}
