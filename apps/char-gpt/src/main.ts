// Dispatches a command line to train, sample or evaluate, and turns every failure into one line
// on stderr with its exit code (2 for anything the user can fix), never a stack trace.

import { isAbsolute, join, resolve } from "node:path";
import { loadCheckpoint } from "./checkpoint.js";
import { makeCorpus, readText } from "./data.js";
import { errorLine, EXIT_OK, exitCodeOf, UsageError } from "./errors.js";
import type { Io } from "./io.js";
import { HELP, parseCommandLine, type EvaluateOptions, type SampleOptions } from "./options.js";
import { runTrain } from "./run-train.js";
import { generate } from "./sample.js";
import { estimateLoss } from "./train.js";
import { TokenWindowDataset } from "@tg/data";

/** Runs `gpt` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    const path = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
    switch (command.command) {
      case "help":
        io.print(HELP);
        return EXIT_OK;
      case "train": {
        const out = command.out === null ? join(io.runsDir, defaultRunName()) : path(command.out);
        return await runTrain({ ...command, text: command.text === null ? null : path(command.text) }, out, io);
      }
      case "sample":
        return runSample({ ...command, checkpoint: path(command.checkpoint) }, io);
      case "evaluate":
        return runEvaluate({ ...command, checkpoint: path(command.checkpoint), text: command.text === null ? null : path(command.text) }, io);
    }
  } catch (err) {
    io.stderr.write(`gpt: ${errorLine(err)}\n`);
    return exitCodeOf(err);
  }
}

/** Prints the prompt and its continuation. */
function runSample(opts: SampleOptions, io: Io): number {
  const { model, tokenizer } = loadCheckpoint(opts.checkpoint);
  const unknown = [...opts.prompt].find((c) => !tokenizer.vocabulary.includes(c));
  if (unknown !== undefined) throw new UsageError(`--prompt has ${JSON.stringify(unknown)}, which the model's vocabulary lacks`);
  if (opts.topK !== null && opts.topK > tokenizer.vocabSize) {
    throw new UsageError(`--top-k ${opts.topK} exceeds the vocabulary of ${tokenizer.vocabSize} characters`);
  }
  io.print(opts.prompt + generate(model, tokenizer, opts));
  return EXIT_OK;
}

/** Prints the validation loss of a checkpoint on the validation split of the text. */
function runEvaluate(opts: EvaluateOptions, io: Io): number {
  const { model, tokenizer } = loadCheckpoint(opts.checkpoint);
  const { source, text } = readText(opts.text, opts.limit);
  const corpus = makeCorpus(source, text, model.config.context, tokenizer);
  const val = new TokenWindowDataset(corpus.val, model.config.context);
  const loss = estimateLoss(model, val, opts.evalBatches, opts.batchSize, opts.seed + 2);
  io.print(`validation loss ${loss.toFixed(4)} (${opts.evalBatches} batches of ${opts.batchSize} × ${model.config.context} characters of ${source})`);
  return EXIT_OK;
}

/** `gpt-<YYYYMMDD-HHMMSS>` in local time. */
export function defaultRunName(now = new Date()): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `gpt-${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
}
