// Stands in for the webgpu bindings (see package.json): nothing in the bench asks js-pytorch for a GPU.
module.exports = {};
