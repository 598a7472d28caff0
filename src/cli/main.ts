#!/usr/bin/env node
// The `chainrule` command. Its argument parsing is commander's; each command lives in its own file.
import { Command } from "commander";
import { runTour } from "./tour.js";

const program = new Command()
  .name("chainrule")
  .description("Automatic differentiation and deep learning in TypeScript")
  .showHelpAfterError();

program
  .command("tour")
  .description("compute the lesson's examples of backpropagation with chainrule and print the evidence")
  .action(() => runTour());

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`chainrule: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
