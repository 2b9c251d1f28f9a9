// The command line: `fmnist <train|evaluate|predict> [options]`, parsed by node:util's parseArgs
// and checked here, so every bad value becomes a one-line UsageError before any work starts.

import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

/** The two model architectures the demo trains. */
export type Architecture = "mlp" | "cnn";
/** The optimizers `train` offers. */
export type OptimizerName = "adamw" | "sgd";
/** How the learning rate moves during a run: a cosine from `--lr` down to 0 over every step, or fixed. */
export type LrSchedule = "cosine" | "constant";

/** Settings of `fmnist train`. */
export interface TrainOptions {
  command: "train";
  model: Architecture;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  optimizer: OptimizerName;
  schedule: LrSchedule;
  seed: number;
  /** Use only the first `limit` training and test images; null for all of them. */
  limit: number | null;
  dataDir: string | null;
  /** The run folder; null for `runs/<model>-<date>` in the app folder. */
  out: string | null;
  /** Delete the files of an earlier run in `out` before starting, instead of refusing the folder. */
  force: boolean;
}
/** Settings of `fmnist evaluate`. */
export interface EvaluateOptions {
  command: "evaluate";
  checkpoint: string;
  /** The architecture the checkpoint must hold; null to take whatever it holds. */
  model: Architecture | null;
  batchSize: number;
  limit: number | null;
  dataDir: string | null;
}
/** Settings of `fmnist predict`. */
export interface PredictOptions {
  command: "predict";
  checkpoint: string;
  /** The architecture the checkpoint must hold; null to take whatever it holds. */
  model: Architecture | null;
  index: number;
  dataDir: string | null;
}
/** A parsed command line. */
export type CommandLine = TrainOptions | EvaluateOptions | PredictOptions | { command: "help" };

const COMMANDS = ["train", "evaluate", "predict"] as const;
type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  model: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
  optimizer: { type: "string" },
  schedule: { type: "string" },
  seed: { type: "string" },
  limit: { type: "string" },
  "data-dir": { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  checkpoint: { type: "string" },
  index: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
type OptionName = keyof typeof OPTIONS;

const ALLOWED: Record<CommandName, readonly OptionName[]> = {
  train: ["model", "epochs", "batch-size", "lr", "weight-decay", "optimizer", "schedule", "seed", "limit", "data-dir", "out", "force"],
  evaluate: ["checkpoint", "model", "batch-size", "limit", "data-dir"],
  predict: ["checkpoint", "model", "index", "data-dir"],
};

/** The learning rate `train` uses when `--lr` is not given, per optimizer. */
export const DEFAULT_LR: Record<OptimizerName, number> = { adamw: 1e-3, sgd: 0.01 };
/** The weight decay `train` uses when `--weight-decay` is not given, per optimizer. */
export const DEFAULT_WEIGHT_DECAY: Record<OptimizerName, number> = { adamw: 1e-2, sgd: 5e-4 };

/** The text `fmnist --help` prints. */
export const HELP = `fmnist: train and inspect a tg model on Fashion-MNIST

Usage:
  fmnist train [options]                          train, validate every epoch, write a report
  fmnist evaluate --checkpoint FILE [options]     test accuracy of a saved model
  fmnist predict --checkpoint FILE --index I      class probabilities for one test image

train options:
  --model mlp|cnn          architecture (default mlp)
  --epochs N               passes over the training set (default 10)
  --batch-size N           images per step (default 64)
  --lr X                   learning rate (default 0.001 for adamw, 0.01 for sgd)
  --weight-decay X         weight decay (default 0.01 for adamw, 0.0005 for sgd)
  --optimizer adamw|sgd    AdamW, or SGD with momentum 0.9 (default adamw)
  --schedule cosine|constant
                           learning rate along a cosine from --lr down to 0 over the whole run
                           (PyTorch's CosineAnnealingLR, stepped every batch), or fixed at --lr
                           (default cosine)
  --seed N                 seed of the initial weights, shuffling and dropout (default 0)
  --limit N                use only the first N training and test images
  --out DIR                run folder (default runs/<model>-<date> in the app folder); it must
                           be new, empty, or hold an earlier run's files and --force
  --force                  delete the earlier run's files in --out first

evaluate and predict options:
  --checkpoint FILE        a model.safetensors written by train
  --model mlp|cnn          fail unless the checkpoint holds this architecture
  --index I                test image to predict, 0 to 9999 (predict)
  --batch-size N, --limit N  as for train (evaluate; default batch size 500)

common options:
  --data-dir DIR           read the IDX files in DIR as they are (train-images-idx3-ubyte[.gz] and
                           the other three); default: loadFashionMNIST's search order, which
                           downloads into ~/.cache/tg/fashion-mnist when no folder has the files
  -h, --help               show this help

Numbers are written in decimal digits (--lr and --weight-decay also take an exponent: 1e-4).
Exit codes: 0 done, 1 unexpected failure, 2 bad options, files or run folder, 3 training diverged
(the loss or a gradient stopped being finite), 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).`;

/** Parses `argv` (without node and the script) into a checked command; throws UsageError. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // NOTE: `pnpm run fmnist -- train …` hands the script a leading "--"; it separates nothing here
  const { values, positionals } = parseOrExplain(argv[0] === "--" ? argv.slice(1) : argv);
  if (values.help === true) return { command: "help" };
  if (positionals.length === 0) throw new UsageError("missing command: expected train, evaluate or predict (see --help)");
  const [name, ...rest] = positionals;
  if (name === "help") return { command: "help" };
  if (!isCommand(name)) throw new UsageError(`unknown command '${name}': expected train, evaluate or predict`);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' after '${name}'`);
  for (const key of Object.keys(values)) {
    if (!(ALLOWED[name] as readonly string[]).includes(key)) {
      throw new UsageError(`option --${key} does not apply to '${name}' (see --help)`);
    }
  }
  const get = (key: OptionName): string | undefined => {
    const value = values[key];
    return typeof value === "string" ? value : undefined;
  };
  const limit = optional(get("limit"), (text) => integer("--limit", text, 1));
  const dataDir = get("data-dir") ?? null;
  if (name === "train") {
    const optimizer = choice("--optimizer", get("optimizer") ?? "adamw", ["adamw", "sgd"] as const);
    return {
      command: "train",
      model: choice("--model", get("model") ?? "mlp", ["mlp", "cnn"] as const),
      epochs: integer("--epochs", get("epochs") ?? "10", 1),
      batchSize: integer("--batch-size", get("batch-size") ?? "64", 1),
      lr: positive("--lr", get("lr") ?? String(DEFAULT_LR[optimizer])),
      weightDecay: nonNegative("--weight-decay", get("weight-decay") ?? String(DEFAULT_WEIGHT_DECAY[optimizer])),
      optimizer,
      schedule: choice("--schedule", get("schedule") ?? "cosine", ["cosine", "constant"] as const),
      seed: integer("--seed", get("seed") ?? "0", 0),
      limit,
      dataDir,
      out: optional(get("out"), folder),
      force: values.force === true,
    };
  }
  const checkpoint = get("checkpoint");
  if (checkpoint === undefined) throw new UsageError(`'${name}' needs --checkpoint FILE`);
  const model = optional(get("model"), (text) => choice("--model", text, ["mlp", "cnn"] as const));
  if (name === "evaluate") {
    const batchSize = integer("--batch-size", get("batch-size") ?? "500", 1);
    return { command: "evaluate", checkpoint, model, batchSize, limit, dataDir };
  }
  const index = get("index");
  if (index === undefined) throw new UsageError("'predict' needs --index I (a test image, 0 to 9999)");
  return { command: "predict", checkpoint, model, index: integer("--index", index, 0), dataDir };
}

function parseOrExplain(argv: readonly string[]): ReturnType<typeof parseWith> {
  try {
    return parseWith(joinNegativeValues(argv));
  } catch (err) {
    // parseArgs throws TypeErrors with a code and a multi-line message; keep one short line
    const code = err instanceof Error && "code" in err ? String(err.code) : "";
    const message = err instanceof Error ? err.message : String(err);
    const option = /'(?:-[A-Za-z], )?(-[^' ]*)/.exec(message)?.[1] ?? "?"; // "'-h, --help' ..." names --help
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option '${option}' (see --help)`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      if (message.includes("does not take")) throw new UsageError(`option '${option}' takes no value`);
      throw new UsageError(`option '${option}' needs a value`);
    }
    throw new UsageError(message.split("\n")[0]);
  }
}

function parseWith(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
}

/** `--epochs -1` becomes `--epochs=-1`, so a negative number is reported as a bad value. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : "";
    const takesValue = isOption(name) && OPTIONS[name].type === "string";
    if (takesValue && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

function isOption(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

function optional<T>(text: string | undefined, parse: (text: string) => T): T | null {
  return text === undefined ? null : parse(text);
}

function choice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === text);
  if (found === undefined) throw new UsageError(`${flag} must be one of ${choices.join(", ")}, got '${text}'`);
  return found;
}

/** Decimal digits only: `1e9`, `0x10`, `+3`, ` 3` and `3.0` are refused as probable typos. */
const INTEGER = /^-?[0-9]+$/;
/** Decimal digits with an optional point and exponent (`0.001`, `.5`, `1e-4`); no hex, no Infinity. */
const REAL = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(value) || value < min) {
    const hint = !INTEGER.test(text) && text.trim() !== "" && Number.isInteger(Number(text)) ? " (write integers in decimal digits only)" : "";
    throw new UsageError(`${flag} must be an integer >= ${min}, got '${text}'${hint}`);
  }
  return value;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!REAL.test(text) || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${flag} must be a number > 0, got '${text}'${notDecimal(text)}`);
  }
  return value;
}

function nonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (!REAL.test(text) || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${flag} must be a number >= 0, got '${text}'${notDecimal(text)}`);
  }
  return value;
}

/** A hint when `text` is a number JavaScript reads but not one in plain decimal digits. */
function notDecimal(text: string): string {
  return text.trim() !== "" && Number.isFinite(Number(text)) && !REAL.test(text) ? " (write numbers in decimal digits)" : "";
}

function folder(text: string): string {
  if (text.trim() === "") throw new UsageError(`--out must name a folder, got '${text}'`);
  return text;
}
