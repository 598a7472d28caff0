import * as cr from "chainrule";
for (const [name, C] of Object.entries(cr.nn)) {
  if (typeof C !== "function" || !(C.prototype instanceof cr.nn.Module)) continue;
  for (const args of [[], [1], [2, 2]]) {
    let m: any; try { m = new (C as any)(...args); } catch { continue; }
    for (const shape of [[2, 2, 4, 4], [2, 4]]) {
      try { cr.onnx.exportBytes(m, cr.rand([...shape])); break; } catch (e) { if ((e as Error).name === "OnnxExportError") console.log(name, args, shape, (e as Error).message.slice(0, 90)); }
    }
    break;
  }
}
