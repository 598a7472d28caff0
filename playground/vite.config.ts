// Vite config of the playground: chainrule is bundled from the repository's own sources, offline.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const src = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const vizSrc = fileURLToPath(new URL("../packages/viz/src/index.ts", import.meta.url));
// Cross-origin isolation, so the page gets SharedArrayBuffer and the wasm backend its worker threads.
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // Relative asset URLs, so the built page works from any folder or static server.
  base: "./",
  resolve: { alias: { "@chainrule/viz": vizSrc, chainrule: src } },
  // The largest chunk is Graphviz's WebAssembly (about 0.8 MB), loaded lazily by cr.viz.toSvg when asked for.
  // Minified, but keeping function and class names: chainrule reports layers by class name (Linear, ReLU).
  build: {
    outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1000,
    rolldownOptions: { output: { minify: { mangle: { keepNames: true }, compress: { keepNames: { function: true, class: true } } } } },
  },
  preview: { host: "127.0.0.1", port: 5174, headers },
  server: { host: "127.0.0.1", port: 5173, headers },
});
