// Anomaly mode: the first NaN or infinity, in forward or backward, names its op and the line of this file that called it.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";

const here = new URL(import.meta.url).pathname;

/** The line of the caller in this file. */
function line(): number {
  const frame = new Error().stack!.split("\n")[2]!;
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

function isAnomaly(op: string, backwardName: string, atLine: number, phase: "forward" | "backward") {
  return (e: unknown) => {
    assert.ok(e instanceof cr.autograd.AnomalyError, `expected an AnomalyError, got ${String(e)}`);
    assert.ok(e instanceof cr.AutogradError);
    assert.equal(e.op, op);
    assert.equal(e.backwardName, backwardName);
    assert.match(e.message, new RegExp(`anomaly in the ${phase} pass`));
    assert.ok(e.source !== null && e.source.startsWith(`${here}:${atLine}:`), `source ${e.source} should be ${here}:${atLine}`);
    assert.ok(e.message.includes(e.source!), "the message shows the place");
    return true;
  };
}

test("anomaly: log(0) in forward names log, LogBackward, the shapes and this line", () => {
  const x = cr.tensor([1, 0, 2], { requiresGrad: true });
  cr.autograd.detectAnomaly(() => {
    const y = x.mul(2);
    const l = line(); assert.throws(() => y.log(), isAnomaly("log", "LogBackward", l, "forward"));
    try {
      y.log();
    } catch (e) {
      assert.match((e as Error).message, /log produced 1 -inf of 3 values \(output shape \[3\]\) from finite inputs of shapes \[3\]/);
    }
  });
  assert.equal(cr.autograd.isAnomalyEnabled(), false);
  assert.deepEqual(x.log().tolist(), [0, -Infinity, Math.fround(Math.log(2))]); // off again: no check
});

test("anomaly: 0/0 gives NaN in forward, reported at div", () => {
  const a = cr.tensor([0, 1]);
  cr.autograd.detectAnomaly(() => {
    const l = line(); assert.throws(() => a.div(a), isAnomaly("div", "DivBackward", l, "forward"));
  });
});

test("anomaly: NaN coming in from the data is not blamed on the op that reads it", () => {
  cr.autograd.detectAnomaly(() => {
    const x = cr.tensor([NaN, 1]);
    assert.equal(Number.isNaN(x.mul(2).add(1).toTypedArray()[0]!), true);
  });
});

test("anomaly: an infinite gradient first made in backward (sqrt at 0) names SqrtBackward and where sqrt was called", () => {
  const x = cr.tensor([0, 4], { requiresGrad: true });
  using _ = cr.autograd.setDetectAnomaly(true);
  const l = line(); const y = x.sqrt();
  assert.throws(() => y.sum().backward(), isAnomaly("sqrt", "SqrtBackward", l, "backward"));
  assert.equal(x.grad, null, "nothing was accumulated");
});

test("anomaly: a custom Function whose backward returns NaN is named by its class", () => {
  class Bad extends cr.autograd.Function {
    static forward(_ctx: cr.autograd.FunctionCtx, x: cr.Tensor): cr.Tensor {
      return x.mul(2);
    }
    static backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor): cr.Tensor {
      return g.mul(NaN);
    }
  }
  const x = cr.tensor([1, 2], { requiresGrad: true });
  cr.autograd.detectAnomaly(() => {
    const l = line(); const y = Bad.apply(x).mul(3);
    assert.throws(() => y.sum().backward(), isAnomaly("Bad", "BadBackward", l, "backward"));
  });
});

test("anomaly: the `using` form restores the previous setting; off, NaN flows through silently", () => {
  {
    using _ = cr.autograd.setDetectAnomaly(true);
    assert.equal(cr.autograd.isAnomalyEnabled(), true);
  }
  assert.equal(cr.autograd.isAnomalyEnabled(), false);
  const x = cr.tensor([0], { requiresGrad: true });
  x.sqrt().sum().backward();
  assert.equal(x.grad!.item(), Infinity);
});

test("anomaly: inside an nn module, the reported line is the user's call, not chainrule's", () => {
  const lin = new cr.nn.Linear(2, 1);
  cr.noGrad(() => lin.weight.fill_(0));
  cr.autograd.detectAnomaly(() => {
    const x = cr.tensor([[1, 2]]);
    const l = line(); const y = lin.forward(x);
    const m = line(); assert.throws(() => y.div(0).sum(), isAnomaly("div", "DivBackward", m, "forward"));
    assert.ok(l > 0);
  });
});
