// The speed issue's goals, checked against one run's combined results: each as the value or ratio the
// table shows (medians of the rounds), with the per-round values or ratios beside it, so a run says by
// itself which goals it met and how steady that was.

/** micrograd in CPython on W3's graph, the speed issue's number (the bench does not run CPython). */
export const MICROGRAD_W3_MS = 411;

/**
 * `ours`: "best" (chainrule's best backend on the row, as the table's ratios), "worst" (every backend must
 * meet it), or a column; `peer`: the column a ratio is taken against, else `target` is an absolute value.
 */
export const GOALS = [
  { goal: "W1 N=1024 at least 60 GFLOP/s", workload: "W1 N=1024", ours: "best", target: 60, unit: "GFLOP/s", higher: true },
  { goal: "W1 N=1024 3.5× TF.js wasm", workload: "W1 N=1024", ours: "best", peer: "tfjs wasm", target: 3.5, higher: true },
  { goal: "W2 at most 5 ms", workload: "W2", ours: "best", target: 5, unit: "ms", higher: false },
  { goal: "W2 as fast as PyTorch on 1 thread", workload: "W2", ours: "best", peer: "pytorch cpu 1T", target: 1, higher: false },
  { goal: "W2 3× jax-js", workload: "W2", ours: "best", peer: "jax-js wasm+jit", target: 3, higher: false },
  { goal: `W3 40× micrograd in CPython (${MICROGRAD_W3_MS} ms)`, workload: "W3", ours: "best", target: MICROGRAD_W3_MS / 40, unit: "ms", higher: false },
  { goal: "W4 faster than PyTorch on 2 threads", workload: "W4", ours: "best", peer: "pytorch cpu 2T", target: 1, higher: false },
  { goal: "W5 under 100 MiB", workload: "W5", ours: "worst", target: 100, unit: "MiB", higher: false },
  { goal: "cpu backend 10× TF.js cpu on W1 N=1024", workload: "W1 N=1024", ours: "chainrule cpu", peer: "tfjs cpu", target: 10, higher: true },
  { goal: "cpu backend 10× TF.js cpu on W2", workload: "W2", ours: "chainrule cpu", peer: "tfjs cpu", target: 10, higher: false },
  { goal: "cpu backend 10× TF.js cpu on W4", workload: "W4", ours: "chainrule cpu", peer: "tfjs cpu", target: 10, higher: false },
  { goal: "W7 GPT iteration at most PyTorch's on 1 thread", workload: "W7", ours: "best", peer: "pytorch cpu 1T", target: 1, higher: false },
  { goal: "W8 GPT generation at least PyTorch's tokens/s on 1 thread", workload: "W8", ours: "best", peer: "pytorch cpu 1T", target: 1, higher: true },
];

// One decimal more than the table gives: a value is set against a threshold here (100.9 MiB is not 101).
const fmt = (v) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));

// The record of a column on a workload (combineRounds's: `value` the median, `rounds` in round order).
function recordOf(results, workload, column) {
  return results.find((r) => r.workload === workload && typeof r.value === "number" && `${r.system} ${r.backend}` === column);
}

// chainrule's record a goal is judged on: its best or worst backend on the row, or one column.
function oursFor(goal, results) {
  if (goal.ours.startsWith("chainrule ")) return recordOf(results, goal.workload, goal.ours);
  const ours = results.filter((r) => r.system === "chainrule" && r.workload === goal.workload && typeof r.value === "number");
  if (ours.length === 0) return undefined;
  const better = (a, b) => (goal.higher ? a.value >= b.value : a.value <= b.value);
  return ours.reduce((pick, r) => ((goal.ours === "best") === better(r, pick) ? r : pick));
}

/**
 * Each goal of GOALS on `results` (combineRounds's records): `{ goal, met, text }`, `met` undefined where
 * chainrule or the peer was not measured. A ratio is how many times better chainrule is (peer / ours for
 * times, ours / peer for rates), of the medians as in the table; the rounds' own ratios follow it.
 */
export function evaluateGoals(results, goals = GOALS) {
  return goals.map((goal) => {
    const ours = oursFor(goal, results);
    if (ours === undefined) return { goal: goal.goal, met: undefined, text: "chainrule not measured" };
    const who = `chainrule ${ours.backend}`;
    const rounds = ours.rounds ?? [ours.value];
    if (goal.peer === undefined) {
      const met = goal.higher ? ours.value >= goal.target : ours.value <= goal.target;
      const each = rounds.length > 1 ? ` (rounds ${rounds.map(fmt).join(" / ")})` : "";
      return { goal: goal.goal, met, text: `${who} ${fmt(ours.value)} ${goal.unit}${each}` };
    }
    const peer = recordOf(results, goal.workload, goal.peer);
    if (peer === undefined) return { goal: goal.goal, met: undefined, text: `${goal.peer} not measured` };
    const ratio = (a, b) => (goal.higher ? a / b : b / a);
    const r = ratio(ours.value, peer.value);
    const peerRounds = peer.rounds ?? [peer.value];
    const paired = rounds.length > 1 && rounds.length === peerRounds.length ? ` (rounds ${rounds.map((v, i) => `${fmt(ratio(v, peerRounds[i]))}×`).join(" / ")})` : "";
    return { goal: goal.goal, met: r >= goal.target, text: `${fmt(r)}×${paired}: ${who} ${fmt(ours.value)} against ${goal.peer} ${fmt(peer.value)}` };
  });
}

/** The goals as markdown list lines. */
export function renderGoals(evaluated) {
  const mark = (met) => (met === undefined ? "not measured" : met ? "met" : "NOT met");
  return evaluated.map((g) => `- ${g.goal}: ${mark(g.met)}. ${g.text}.`);
}
