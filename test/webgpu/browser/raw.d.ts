// Vite's `?raw` imports (a file's text), which the browser bundle's node:fs stand-in uses.
declare module "*.json?raw" {
  const text: string;
  export default text;
}

// Vite's import.meta.glob, as node-fs.ts uses it (eager, one named export of each file).
interface ImportMeta {
  glob<T>(pattern: string, options: { query: string; import: string; eager: true }): Record<string, T>;
}
