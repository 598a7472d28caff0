#!/usr/bin/env node
// The `chainrule` command. Argument parsing is commander's; each command lives in its own file.
import * as cr from "chainrule";
import { Command, Option } from "commander";
import { runEval } from "./evaluate.js";
import { decimal, integer, sizes } from "./flags.js";
import { GRAPH_FORMATS, runGraph } from "./graph.js";
import type { GraphCommandOptions } from "./graph.js";
import { runLessonCommand } from "./lesson.js";
import { runPredict } from "./predict.js";
import { registerSampleCommand } from "./sample.js";
import { addGptTrainOptions, isGptTraining, runGptTrainCommand } from "./train-gpt.js";
import { runTour } from "./tour.js";
import { MAX_SAMPLES } from "./datasets.js";
import { OPTIMIZERS, SCHEDULERS, runTrain } from "./train.js";
import type { OptimizerName, SchedulerName, TrainOptions } from "./train.js";
import { packageVersion } from "./version.js";
import { useBackend } from "./backend.js";

const positiveInt = (flag: string, max?: number) => integer(flag, 1, max);
const nonNegativeInt = (flag: string) => integer(flag, 0);
const number = decimal;

const program = new Command()
  .name("chainrule")
  .description("Automatic differentiation and deep learning in TypeScript")
  .version(packageVersion(), "-v, --version", "print chainrule's version")
  .configureOutput({ outputError: (str, write) => write(str.split("\n")[0] + "\n") });

const train = program
  .command("train")
  .description("train a network on xor, moons, circles, spirals, mnist or a CSV file, or a GPT on text, and save it")
  .argument("[dataset]", "xor | moons | circles | spirals | mnist | file.csv | moby-dick | file.txt (the last two: --model gpt)")
  .addOption(new Option("--model <kind>", "network").choices(["mlp", "cnn", "gpt"]).default("mlp"))
  .option("--hidden <sizes>", "hidden layer widths of the MLP, such as 256,128", sizes)
  .addOption(new Option("--activation <name>", "activation").choices([...cr.models.ACTIVATIONS]).default("relu"))
  .addOption(new Option("--optimizer <name>", "optimizer").choices([...OPTIMIZERS]).default("adam"))
  .addOption(new Option("--scheduler <name>", "learning-rate schedule over the run, stepped every batch").choices([...SCHEDULERS]).default("cosine"))
  .option("--lr <rate>", "learning rate (default: the optimizer's PyTorch default; 0.1 for sgd)", number("--lr", 0))
  .option("--momentum <m>", "momentum for sgd and rmsprop", number("--momentum", 0), 0)
  .option("--weight-decay <w>", "weight decay (L2 penalty)", number("--weight-decay", 0), 0)
  .option("--epochs <n>", "passes over the training data (default: 4 for mnist, 100 otherwise)", positiveInt("--epochs"))
  .option("--batch-size <n>", "samples per step (default: 128 for mnist, 32 otherwise)", positiveInt("--batch-size"))
  .option("--seed <n>", "random seed for initialisation, shuffling and splits", nonNegativeInt("--seed"), 0)
  .option("--samples <n>", "number of points for the generated datasets", positiveInt("--samples", MAX_SAMPLES))
  .option("--target <column>", "the CSV column to predict")
  .option("--until <accuracy>", "stop once the test accuracy reaches this fraction, such as 0.975", number("--until", 0))
  .option("--save <file>", "where to write the model (default: runs/chainrule-<dataset>-<model>.safetensors)")
  .option("--plot <file>", "where to write the loss/accuracy plot (default: beside the model, .svg)")
  .option("--no-progress", "no progress bars")
  .option("--no-capture", "run every step eagerly instead of replaying it from a captured graph (cr.captureGraph)")
  .addOption(new Option("--backend <name>", "where the kernels run (default: the fastest here; webgpu: the GPU, through WebGPU)").choices(["cpu", "wasm", "webgpu"]))
  .action(async (dataset: string | undefined, o: Record<string, unknown>, cmd: Command) => {
    if (o.backend !== undefined) await useBackend(o.backend as string, isGptTraining(dataset, o) ? "gpt" : "mlp", cmd);
    if (isGptTraining(dataset, o)) return runGptTrainCommand(dataset, o, cmd);
    if (dataset === undefined) cmd.error("error: missing required argument 'dataset'");
    const opts: TrainOptions = {
      model: o.model as "mlp" | "cnn",
      activation: o.activation as cr.models.ActivationName,
      optimizer: o.optimizer as OptimizerName,
      scheduler: o.scheduler as SchedulerName,
      momentum: o.momentum as number,
      weightDecay: o.weightDecay as number,
      seed: o.seed as number,
      progress: (o.progress as boolean) && process.stderr.isTTY === true,
      capture: o.capture as boolean,
      ...(o.backend !== undefined ? { backend: o.backend as string } : {}),
      ...(o.hidden ? { hidden: o.hidden as number[] } : {}),
      ...(o.lr !== undefined ? { lr: o.lr as number } : {}),
      ...(o.epochs !== undefined ? { epochs: o.epochs as number } : {}),
      ...(o.batchSize !== undefined ? { batchSize: o.batchSize as number } : {}),
      ...(o.samples !== undefined ? { samples: o.samples as number } : {}),
      ...(o.target !== undefined ? { target: o.target as string } : {}),
      ...(o.until !== undefined ? { until: o.until as number } : {}),
      ...(o.save !== undefined ? { save: o.save as string } : {}),
      ...(o.plot !== undefined ? { plot: o.plot as string } : {}),
    };
    await runTrain(dataset, opts);
  });
addGptTrainOptions(train);
registerSampleCommand(program);

program
  .command("eval")
  .description("evaluate a saved model on the test split of a dataset (by default the one it was trained on)")
  .argument("<model>", "a .safetensors file written by chainrule train")
  .argument("[dataset]", "xor | moons | circles | spirals | mnist | file.csv")
  .option("--target <column>", "the CSV column to predict (default: the one the model was trained on)")
  .option("--samples <n>", "number of points for the generated datasets", positiveInt("--samples", MAX_SAMPLES))
  .action((model: string, dataset: string | undefined, o: { target?: string; samples?: number }) => {
    runEval(model, dataset, o);
  });

program
  .command("predict")
  .description("predict with a saved model: features from --input, or an MNIST test image")
  .argument("<model>", "a .safetensors file written by chainrule train")
  .option("--input <values>", "comma-separated input features, such as 0.5,-1.2")
  .option("--mnist-index <n>", "the index of an MNIST test image", nonNegativeInt("--mnist-index"))
  .action((model: string, o: { input?: string; mnistIndex?: number }) => {
    runPredict(model, o);
  });

program
  .command("graph")
  .description("compute a formula with autograd, print its gradients, and draw its graph with values and gradients")
  .argument("<formula>", 'a formula in quotes, such as "sin(x^2)" or "(x+y)*z", then --x 1.3 … for its variables')
  .option("--out <file>", "where to write the drawing (default: runs/graph.svg, runs/graph.dot or runs/graph.mmd)")
  .addOption(new Option("--format <format>", "drawing format (default: from --out's extension, else svg)").choices([...GRAPH_FORMATS]))
  .allowUnknownOption()
  .allowExcessArguments()
  .action(async (_formula: string, o: GraphCommandOptions, cmd: Command) => {
    await runGraph(cmd.args, o); // cmd.args: the formula and its --x 1.3 flags, which commander cannot declare
  });

program
  .command("tour")
  .description("compute the lesson's examples of backpropagation with chainrule and print the evidence")
  .action(() => runTour());

program
  .command("lesson")
  .description("run the lesson's claims about backpropagation as experiments and print the evidence")
  .argument("[experiments...]", "which to run (default: all); see --list")
  .option("--list", "list the experiments")
  .option("--seed <n>", "random seed for weights and data", nonNegativeInt("--seed"), 0)
  .action((names: string[], o: { list?: boolean; seed: number }) => {
    if (!runLessonCommand(names, { ...o, color: process.stdout.isTTY === true })) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  // The whole message (a failed loadStateDict lists every key on its own line), never the stack.
  console.error(`chainrule: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
