// In the browser bundle of the webgpu suites: readFileSync for the fixture files the imported tests read. Every
// JSON fixture is bundled (backend-conformance.test.ts imports the fixture suites, which read theirs at import,
// and more come with new ops), each by its name.
const RAW = import.meta.glob<string>("../../fixtures/*.json", { query: "?raw", import: "default", eager: true });
const FILES: Record<string, string> = Object.fromEntries(Object.entries(RAW).map(([path, text]) => [path.split("/").pop()!.replace(/\.json$/, ""), text]));

export function readFileSync(path: URL | string): string {
  // The bundler renames the files it finds in `new URL(…, import.meta.url)` (torch-ops-<hash>.json).
  const name = String(path).split("/").pop()!;
  const text = FILES[name.replace(/(-[\w-]{8})?\.json$/, "")];
  if (text === undefined) throw new Error(`readFileSync: ${name} is not bundled (test/webgpu/browser/node-fs.ts)`);
  return text;
}
