// In the browser bundle of the webgpu suites: readFileSync for the fixture files the imported tests read, bundled.
import ops from "../../fixtures/torch-ops.json?raw";
import elementwise from "../../fixtures/torch-elementwise.json?raw";

const FILES: Record<string, string> = { "torch-ops": ops, "torch-elementwise": elementwise };

export function readFileSync(path: URL | string): string {
  // The bundler renames the files it finds in `new URL(…, import.meta.url)` (torch-ops-<hash>.json).
  const name = String(path).split("/").pop()!;
  const text = FILES[name.replace(/(-[\w-]{8})?\.json$/, "")];
  if (text === undefined) throw new Error(`readFileSync: ${name} is not bundled (test/webgpu/browser/node-fs.ts)`);
  return text;
}
