// The model-file check predicts the parameters of cr.models.build without building them: it must
// agree with what build makes, for every kind of model, or good files would be refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";
import { parameterShapes } from "../packages/cli/src/model-file.js";

test("parameterShapes names and shapes exactly the parameters cr.models.build makes", () => {
  const configs: cr.models.ModelConfig[] = [
    { kind: "mlp", inputs: 2, hidden: [], outputs: 1, activation: "relu" },
    { kind: "mlp", inputs: 3, hidden: [5, 4, 7], outputs: 2, activation: "tanh" },
    { kind: "cnn", channels: 1, height: 28, width: 28, outputs: 10, activation: "relu" },
    { kind: "cnn", channels: 3, height: 16, width: 21, outputs: 4, activation: "gelu" },
  ];
  for (const config of configs) {
    const built = Object.entries(cr.models.build(config).stateDict()).map(([name, t]) => [name, t.shape]);
    assert.deepEqual([...parameterShapes(config)].sort(), built.sort(), JSON.stringify(config));
  }
});
