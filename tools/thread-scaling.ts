// Whether two threads get two cores' worth on this host: W1's 1024×1024 float32 product on wasm, timed
// (a) in one process on one thread, (b) in two one-thread processes at once (no shared memory, no
// synchronisation between them), (c) in one process on two threads, in turns for a few rounds. If (c) is
// about (b), the threaded product loses nothing to its split and what is left is the host's.
//   node --conditions=chainrule-source --import tsx tools/thread-scaling.ts [rounds]
import { spawn } from "node:child_process";
import * as cr from "chainrule";

const N = 1024;
const MEASURE_MS = 3000;

/** A child: multiplies until `startAt` has passed, then for MEASURE_MS, and prints its GFLOP/s. */
async function child(threads: number, startAt: number): Promise<void> {
  cr.setNumThreads(threads);
  cr.backends.wasm.warmUp();
  for (let i = 0; i < 200 && threads > 1 && cr.backends.wasm.memoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
  cr.setBackend("wasm");
  const a = cr.keep(cr.randn([N, N])), b = cr.keep(cr.randn([N, N]));
  const product = () => cr.tidy(() => void cr.realize(a.matmul(b)));
  while (Date.now() < startAt) product();
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < MEASURE_MS) {
    product();
    count++;
  }
  console.log(((2 * N ** 3 * count) / (performance.now() - t0) / 1e6).toFixed(1));
}

/** Runs children (one per entry: its thread count) that start measuring together; their GFLOP/s. */
function runTogether(threadCounts: readonly number[]): Promise<number[]> {
  const startAt = Date.now() + 2500; // time to start, compile and warm up
  return Promise.all(
    threadCounts.map(
      (threads) =>
        new Promise<number>((resolve, reject) => {
          const p = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--child", String(threads), String(startAt)], { stdio: ["ignore", "pipe", "inherit"] });
          let out = "";
          p.stdout.on("data", (d: Buffer) => (out += d.toString()));
          p.on("close", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`child exited with ${code}`))));
        }),
    ),
  );
}

if (process.argv[2] === "--child") {
  await child(Number(process.argv[3]), Number(process.argv[4]));
  process.exit(0);
} else {
  const rounds = Number(process.argv[2] ?? 3);
  console.log(`W1 N=${N} on wasm, GFLOP/s over ${MEASURE_MS / 1000} s each, ${rounds} rounds in turns`);
  // The pair and the threaded run swap places every round: a host that slows down after seconds of both
  // cores busy would otherwise always penalise the one that runs second.
  const sums = { pair: 0, threaded: 0 };
  for (let r = 1; r <= rounds; r++) {
    const [alone] = await runTogether([1]);
    let pair: number[], threaded: number;
    if (r % 2 === 1) {
      pair = await runTogether([1, 1]);
      [threaded] = (await runTogether([2])) as [number];
    } else {
      [threaded] = (await runTogether([2])) as [number];
      pair = await runTogether([1, 1]);
    }
    sums.pair += pair[0]! + pair[1]!;
    sums.threaded += threaded;
    const order = r % 2 === 1 ? "pair first" : "threads first";
    console.log(`round ${r} (${order}): one thread alone ${alone!.toFixed(1)}; two one-thread processes at once ${pair.map((v) => v.toFixed(1)).join(" + ")} = ${(pair[0]! + pair[1]!).toFixed(1)}; one process on two threads ${threaded.toFixed(1)}`);
  }
  console.log(`mean: two processes ${(sums.pair / rounds).toFixed(1)}, two threads ${(sums.threaded / rounds).toFixed(1)} GFLOP/s`);
}
