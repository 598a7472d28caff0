// The example app's Vite config. Inside this repository chainrule is bundled from its own sources (the alias);
// in your own project, `npm install chainrule` and drop the alias: nothing else is needed.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Cross-origin isolation lets chainrule use worker threads in the page (see docs/guides/browser.md).
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  resolve: { alias: { chainrule: fileURLToPath(new URL("../../src/index.ts", import.meta.url)) } },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { headers },
  preview: { headers },
});
