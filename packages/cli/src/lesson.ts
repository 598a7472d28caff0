// `chainrule lesson`: runs the lesson's experiments (src/lesson) and prints their evidence; --list names them.
import * as cr from "chainrule";
import v8 from "node:v8";
import vm from "node:vm";

/** Options of the `lesson` command. */
export interface LessonCommandOptions {
  list?: boolean;
  seed?: number;
  color?: boolean;
}

/** Node's garbage collector, reachable after --expose-gc is set at run time; undefined where V8 refuses. */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    return typeof gc === "function" ? () => void gc() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Prints the experiments named (all by default) with their evidence, then how many claims held.
 * Returns false when a claim did not hold, so the command can exit non-zero.
 */
export function runLessonCommand(names: readonly string[], o: LessonCommandOptions = {}, print: cr.lesson.Print = (l) => console.log(l)): boolean {
  if (o.list) {
    const width = Math.max(...cr.lesson.EXPERIMENTS.map((e) => e.name.length));
    for (const e of cr.lesson.EXPERIMENTS) print(`${e.name.padEnd(width)}  ${e.title}`);
    print("");
    print("run one with `chainrule lesson <name>`, all of them with `chainrule lesson`");
    return true;
  }
  const chosen = names.length > 0 ? names.map((n) => cr.lesson.experiment(n).name) : cr.lesson.EXPERIMENTS.map((e) => e.name);
  const opts: cr.lesson.LessonOptions = {
    print,
    seed: o.seed ?? 0,
    color: o.color ?? false,
    memory: () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    },
  };
  const gc = exposeGc();
  if (gc) opts.gc = gc;
  // CPU time of the process (all threads): on a shared machine wall time swings with the neighbours' load.
  opts.clock = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  opts.clockName = "CPU time of all threads";
  print("chainrule lesson: backpropagation is the chain rule applied to a computational graph; each claim, run.\n");
  const results = cr.lesson.runLesson(chosen, opts);
  const held = results.filter((r) => r.holds).length;
  print(`${held} of ${results.length} claim${results.length === 1 ? "" : "s"} hold${results.length === 1 && held === 1 ? "s" : ""}` + (held < results.length ? `; not held: ${results.filter((r) => !r.holds).map((r) => r.name).join(", ")}` : ""));
  return held === results.length;
}
