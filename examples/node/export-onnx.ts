// Exports a model to ONNX and serves it with ONNX Runtime, checking the answers against chainrule's own.
// Needs `npm install onnxruntime-node` (a dev dependency of this repository).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import * as cr from "chainrule";

cr.manualSeed(0);
const model = new cr.nn.Sequential(
  new cr.nn.Conv2d(1, 4, 3, { padding: 1 }), new cr.nn.BatchNorm2d(4), new cr.nn.ReLU(), new cr.nn.MaxPool2d(2),
  new cr.nn.Flatten(), new cr.nn.Linear(4 * 4 * 4, 10),
);
model.eval();

const file = join(mkdtempSync(join(tmpdir(), "onnx-")), "cnn.onnx");
cr.onnx.export(model, cr.randn([1, 1, 8, 8]), file, { inputNames: ["image"], outputNames: ["logits"] });
console.log(`wrote ${file}`);

const session = await ort.InferenceSession.create(readFileSync(file));
for (const batch of [1, 16]) {
  const x = cr.randn([batch, 1, 8, 8]);
  const { logits } = await session.run({ image: new ort.Tensor("float32", x.toTypedArray() as Float32Array, [batch, 1, 8, 8]) });
  const own = cr.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
  const served = logits!.data as Float32Array;
  const worst = Math.max(...own.map((v, i) => Math.abs(v - served[i]!)));
  console.log(`batch ${batch}: ONNX Runtime's logits ${logits!.dims.join("x")}, largest difference from chainrule ${worst.toExponential(1)}`);
  if (!(worst < 1e-4)) throw new Error("ONNX Runtime disagrees with chainrule");
}
