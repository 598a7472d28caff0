// Measures anomaly mode's cost on a real training step (MLP 784-256-128-10, batch 128, Adam) and prints the ratio.
// Run: node --conditions=chainrule-source --import tsx tools/bench-anomaly.ts [steps]
import * as cr from "chainrule";

const steps = Number(process.argv[2] ?? 30);
cr.manualSeed(0);
const model = new cr.nn.Sequential(new cr.nn.Linear(784, 256), new cr.nn.ReLU(), new cr.nn.Linear(256, 128), new cr.nn.ReLU(), new cr.nn.Linear(128, 10));
const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
const x = cr.rand([128, 784]);
const y = cr.randint(0, 10, [128]);

function step(): void {
  opt.zeroGrad();
  const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
}

// One step's CPU time in ms (this process only, so other programs on the machine disturb it less than wall time).
function cpuMs(anomaly: boolean): number {
  using _ = cr.autograd.setDetectAnomaly(anomaly);
  const t0 = process.cpuUsage();
  step();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

for (let i = 0; i < 5; i++) step(); // warm up the JIT
// The modes alternate step by step, so drift in machine load hits both alike; medians drop outliers (GC).
const off: number[] = [];
const on: number[] = [];
for (let i = 0; i < steps; i++) {
  off.push(cpuMs(false));
  on.push(cpuMs(true));
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`training step, MLP 784-256-128-10, batch 128, Adam (${steps} steps per mode, alternating; median CPU time)`);
console.log(`  anomaly off: ${med(off).toFixed(2)} ms/step`);
console.log(`  anomaly on:  ${med(on).toFixed(2)} ms/step`);
console.log(`  ratio on/off: ${(med(on) / med(off)).toFixed(3)}`);
