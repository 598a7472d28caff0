// `chainrule sample model.safetensors --prompt "Call me" --tokens 500 --temperature 0.8 --top-k 40`:
// continues the prompt with a GPT trained by `chainrule train --model gpt`, writing each character as it comes.
import * as cr from "chainrule";
import { InvalidArgumentError } from "commander";
import type { Command } from "commander";
import { loadGptFile } from "./gpt-file.js";

/** Options of `chainrule sample`. */
export interface SampleCommandOptions {
  prompt: string;
  tokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
  cache: boolean;
}

/**
 * Generates from the model file at `path`, streaming the text to `write` (the prompt first); returns
 * the whole text. `report` gets a line of statistics (stderr on the command line, so stdout is the text alone).
 */
export function runSample(path: string, o: SampleCommandOptions, write: (text: string) => void, report: (line: string) => void = () => undefined): string {
  const { model, tokenizer } = loadGptFile(path);
  model.eval();
  const prompt = tokenizer.encode(o.prompt);
  if (prompt.length === 0) throw new cr.ArgumentError("--prompt is empty: give at least one character to continue");
  const decoder = tokenizer.decoder();
  let text = o.prompt;
  write(o.prompt);
  const t0 = performance.now();
  model.generate(cr.tensor([Array.from(prompt)], { dtype: "int32" }), o.tokens, {
    temperature: o.temperature,
    topK: o.topK ?? null,
    topP: o.topP ?? null,
    generator: new cr.Generator(o.seed),
    useCache: o.cache,
    onToken: ([token]) => {
      const piece = decoder.write([token!]);
      text += piece;
      if (piece !== "") write(piece);
    },
  });
  const rest = decoder.end();
  text += rest;
  write(`${rest}\n`);
  const seconds = (performance.now() - t0) / 1000;
  report(`${o.tokens} tokens in ${seconds.toFixed(1)}s (${Math.round(o.tokens / seconds)} tokens/s${o.cache ? ", key/value cache" : ""})`);
  return text;
}

function intArg(flag: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer >= ${min}`);
    return n;
  };
}
function numArg(flag: string, min: number, max = Infinity, minOpen = false) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < min || (minOpen && n === min) || n > max) {
      throw new InvalidArgumentError(`${flag} must be a number in ${minOpen ? "(" : "["}${min}, ${max}]`);
    }
    return n;
  };
}

/** Adds `chainrule sample` to the program. */
export function registerSampleCommand(program: Command): void {
  program
    .command("sample")
    .description("continue a prompt with a GPT trained by chainrule train --model gpt, printing the text as it is generated")
    .argument("<model>", "a .safetensors file written by chainrule train --model gpt")
    .option("--prompt <text>", "the text to continue", "\n")
    .option("--tokens <n>", "how many tokens to generate", intArg("--tokens", 0), 500)
    .option("--temperature <t>", "below 1 sharper, above 1 more random; 0 always takes the likeliest token", numArg("--temperature", 0), 0.8)
    .option("--top-k <k>", "sample among the k likeliest tokens only", intArg("--top-k", 1), 200)
    .option("--top-p <p>", "sample among the likeliest tokens whose probabilities sum to p (nucleus sampling)", numArg("--top-p", 0, 1, true))
    .option("--seed <n>", "random seed for sampling", intArg("--seed", 0), 0)
    .option("--no-cache", "recompute the whole context at every step instead of keeping past keys and values")
    .action((model: string, o: SampleCommandOptions) => {
      runSample(model, o, (text) => process.stdout.write(text), (line) => process.stderr.write(`${line}\n`));
    });
}
