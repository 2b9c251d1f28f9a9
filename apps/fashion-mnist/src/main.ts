// Dispatches a command line to train, evaluate or predict, and turns every failure into one
// line on stderr with its exit code (2 for anything the user can fix), never a stack trace.

import { isAbsolute, join, resolve } from "node:path";
import { errorLine, EXIT_OK, exitCodeOf } from "./errors.js";
import type { Io } from "./io.js";
import { HELP, parseCommandLine, type TrainOptions } from "./options.js";
import { runEvaluate, runPredict } from "./run-inspect.js";
import { runTrain } from "./run-train.js";

/** Runs `fmnist` with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    const path = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
    switch (command.command) {
      case "help":
        io.print(HELP);
        return EXIT_OK;
      case "train": {
        const dataDir = command.dataDir === null ? null : path(command.dataDir);
        const out = command.out === null ? join(io.runsDir, defaultRunName(command)) : path(command.out);
        return await runTrain({ ...command, dataDir }, out, io);
      }
      case "evaluate":
        return await runEvaluate({ ...command, dataDir: command.dataDir === null ? null : path(command.dataDir) }, path(command.checkpoint), io);
      case "predict":
        return await runPredict({ ...command, dataDir: command.dataDir === null ? null : path(command.dataDir) }, path(command.checkpoint), io);
    }
  } catch (err) {
    io.stderr.write(`fmnist: ${errorLine(err)}\n`);
    return exitCodeOf(err);
  }
}

/** `<model>-<YYYYMMDD-HHMMSS>` in local time, e.g. `mlp-20250101-120000`. */
export function defaultRunName(opts: Pick<TrainOptions, "model">, now = new Date()): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `${opts.model}-${date}-${time}`;
}
