// Stands in for headless-gl (see package.json): js-pytorch's GPU library loads it, the bench never draws with it.
module.exports = function createContext() {
  throw new Error("chainrule's gl stub: no headless WebGL here (js-pytorch runs on its cpu path in the bench)");
};
