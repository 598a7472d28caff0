// The WebAssembly binary-format helpers the FMA probe assembles its module with: chainrule's own, from
// the build that `npm run bench` makes first.
export { leb, section, vec, name } from "../../dist/backend/wasm/wasm-bytes.js";
