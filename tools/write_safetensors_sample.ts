// Writes a chainrule state dict as safetensors plus a JSON of its values, for check_safetensors_in_torch.py.
//
//   node --conditions=chainrule-source --import tsx tools/write_safetensors_sample.ts /tmp/cr.safetensors
//   /usr/bin/python3 tools/check_safetensors_in_torch.py /tmp/cr.safetensors /tmp/cr.json
import { writeFileSync } from "node:fs";
import * as cr from "chainrule";
import { safetensors } from "../src/io/index.js";

const out = process.argv[2];
if (out === undefined || !out.endsWith(".safetensors")) {
  console.error("usage: write_safetensors_sample.ts OUT.safetensors (OUT.json is written beside it)");
  process.exit(2);
}

// Special floats as strings, as tools/safetensors_struct.py encodes them (JSON has no NaN, and -0 prints as 0).
function values(t: cr.Tensor): (number | boolean | string)[] {
  return Array.from(t.toTypedArray(), (v) => {
    if (t.dtype === "bool") return v !== 0;
    if (Number.isNaN(v)) return "NaN";
    if (Object.is(v, -0)) return "-0";
    if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    return v;
  });
}

const g = new cr.Generator(7);
const sizes = [3, 8, 2];
const state: Record<string, cr.Tensor> = {};
for (let i = 0; i < sizes.length - 1; i++) {
  // nn.Sequential(Linear, ReLU, Linear): the Linear layers are children 0 and 2, weights [out, in].
  state[`layers.${2 * i}.weight`] = cr.randn([sizes[i + 1]!, sizes[i]!], { generator: g });
  state[`layers.${2 * i}.bias`] = cr.randn([sizes[i + 1]!], { generator: g });
}
Object.assign(state, {
  "stats.mean": cr.randn([2, 3], { dtype: "float64", generator: g }),
  "stats.count": cr.tensor(12345, { dtype: "int32" }),
  "vocab.ids": cr.tensor([0, -7, 2147483647, -2147483648], { dtype: "int32" }),
  mask: cr.tensor([[true, false], [false, true], [true, true]]),
  empty: cr.zeros([4, 0]),
  specials: cr.tensor([Number.NaN, Infinity, -Infinity, -0, 1e-45]),
});
const metadata = { format: "pt", producer: "chainrule tools/write_safetensors_sample.ts" };

const x = cr.randn([4, 3], { generator: g });
let h = x;
for (let i = 0; i < sizes.length - 1; i++) {
  h = h.matmul(state[`layers.${2 * i}.weight`]!.transpose(0, 1)).add(state[`layers.${2 * i}.bias`]!);
  if (i < sizes.length - 2) h = h.relu();
}

safetensors.save(state, out, metadata);
const expected = {
  metadata,
  tensors: Object.fromEntries(Object.entries(state).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: values(t) }])),
  mlp: { sizes, input: values(x), inputShape: x.shape, output: values(h), outputShape: h.shape },
};
const jsonPath = out.replace(/\.safetensors$/, ".json");
writeFileSync(jsonPath, JSON.stringify(expected, null, 1) + "\n");
console.log(`wrote ${out} and ${jsonPath}`);
