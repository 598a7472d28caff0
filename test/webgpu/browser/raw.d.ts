// Vite's `?raw` imports (a file's text), which the browser bundle's node:fs stand-in uses.
declare module "*.json?raw" {
  const text: string;
  export default text;
}
