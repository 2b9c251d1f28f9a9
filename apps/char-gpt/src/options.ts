// The command line: `gpt <train|sample|evaluate> [options]`, parsed by node:util's parseArgs and
// checked here, so every bad value becomes a one-line UsageError before any work starts.

import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";

/** Settings of `gpt train`. */
export interface TrainOptions {
  command: "train";
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Steps of linear learning-rate warm-up before the cosine decay. */
  warmup: number;
  layers: number;
  heads: number;
  width: number;
  context: number;
  seed: number;
  /** Steps between validation estimates, samples and checkpoints. */
  evalEvery: number;
  /** Batches per validation estimate. */
  evalBatches: number;
  /** A text file to train on; null for Debian's fortunes. */
  text: string | null;
  /** Use only the first `limit` characters of the text; null for all. */
  limit: number | null;
  /** The run folder; null for `runs/gpt-<date>` in the app folder. */
  out: string | null;
}

/** Settings of `gpt sample`. */
export interface SampleOptions {
  command: "sample";
  checkpoint: string;
  prompt: string;
  tokens: number;
  temperature: number;
  /** Keep only the k most likely tokens at each step; null for all. */
  topK: number | null;
  seed: number;
}

/** Settings of `gpt evaluate`. */
export interface EvaluateOptions {
  command: "evaluate";
  checkpoint: string;
  text: string | null;
  limit: number | null;
  batchSize: number;
  evalBatches: number;
  seed: number;
}

/** A parsed command line. */
export type CommandLine = TrainOptions | SampleOptions | EvaluateOptions | { command: "help" };

const COMMANDS = ["train", "sample", "evaluate"] as const;
type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  steps: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
  warmup: { type: "string" },
  layers: { type: "string" },
  heads: { type: "string" },
  width: { type: "string" },
  context: { type: "string" },
  seed: { type: "string" },
  "eval-every": { type: "string" },
  "eval-batches": { type: "string" },
  text: { type: "string" },
  limit: { type: "string" },
  out: { type: "string" },
  checkpoint: { type: "string" },
  prompt: { type: "string" },
  tokens: { type: "string" },
  temperature: { type: "string" },
  "top-k": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
type OptionName = keyof typeof OPTIONS;

const ALLOWED: Record<CommandName, readonly OptionName[]> = {
  train: ["steps", "batch-size", "lr", "weight-decay", "warmup", "layers", "heads", "width", "context", "seed", "eval-every", "eval-batches", "text", "limit", "out"],
  sample: ["checkpoint", "prompt", "tokens", "temperature", "top-k", "seed"],
  evaluate: ["checkpoint", "text", "limit", "batch-size", "eval-batches", "seed"],
};

/** The defaults of `gpt train`, also printed by --help. */
export const TRAIN_DEFAULTS = {
  steps: 600,
  batchSize: 16,
  lr: 2e-3,
  weightDecay: 0.1,
  warmup: 50,
  layers: 4,
  heads: 4,
  width: 128,
  context: 128,
  seed: 0,
  evalEvery: 100,
  evalBatches: 8,
} as const;

/** The text `gpt --help` prints. */
export const HELP = `gpt: train a character-level GPT with tg, sample from it, evaluate it

Usage:
  gpt train [options]                         train, validate every --eval-every steps, write a report
  gpt sample --checkpoint FILE [options]      generate text from a trained model
  gpt evaluate --checkpoint FILE [options]    validation loss of a trained model

train options:
  --steps N            optimizer steps (default ${TRAIN_DEFAULTS.steps})
  --batch-size N       windows per step (default ${TRAIN_DEFAULTS.batchSize})
  --lr X               peak learning rate of AdamW (default ${TRAIN_DEFAULTS.lr})
  --weight-decay X     AdamW weight decay of the weight matrices (default ${TRAIN_DEFAULTS.weightDecay})
  --warmup N           steps of linear warm-up before the cosine decay (default ${TRAIN_DEFAULTS.warmup})
  --layers N           transformer blocks (default ${TRAIN_DEFAULTS.layers})
  --heads N            attention heads per block (default ${TRAIN_DEFAULTS.heads})
  --width N            embedding width, a multiple of --heads (default ${TRAIN_DEFAULTS.width})
  --context N          context length in characters (default ${TRAIN_DEFAULTS.context})
  --seed N             seed of the weights, batches and samples (default ${TRAIN_DEFAULTS.seed})
  --eval-every N       steps between validation, samples and checkpoints (default ${TRAIN_DEFAULTS.evalEvery})
  --eval-batches N     batches per validation estimate (default ${TRAIN_DEFAULTS.evalBatches})
  --text FILE          train on this UTF-8 text (default: Debian's fortunes, /usr/share/games/fortunes)
  --limit N            use only the first N characters of the text
  --out DIR            run folder (default runs/gpt-<date> in the app folder)

sample options:
  --checkpoint FILE    a model.safetensors written by train (or its run folder)
  --prompt TEXT        text to continue (default: a newline)
  --tokens N           characters to generate (default 300)
  --temperature X      divide the logits by X (default 0.8)
  --top-k K            sample among the K most likely characters only (default: all)
  --seed N             seed of the sampling (default 0)

evaluate options:
  --checkpoint FILE, --text FILE, --limit N, --batch-size N, --eval-batches N, --seed N
                       as above; the loss is measured on the validation split (the last 10%)

Exit codes: 0 done, 1 unexpected failure, 2 bad options or files, 130 interrupted (Ctrl-C).`;

/** Parses `argv` (without node and the script) into a checked command; throws UsageError. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { values, positionals } = parseOrExplain(argv[0] === "--" ? argv.slice(1) : argv);
  if (values.help === true) return { command: "help" };
  if (positionals.length === 0) throw new UsageError("missing command: expected train, sample or evaluate (see --help)");
  const [name, ...rest] = positionals;
  if (name === "help") return { command: "help" };
  if (!isCommand(name)) throw new UsageError(`unknown command '${name}': expected train, sample or evaluate`);
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' after '${name}'`);
  for (const key of Object.keys(values)) {
    if (!(ALLOWED[name] as readonly string[]).includes(key)) throw new UsageError(`option --${key} does not apply to '${name}' (see --help)`);
  }
  const get = (key: OptionName): string | undefined => {
    const value = values[key];
    return typeof value === "string" ? value : undefined;
  };
  const int = (key: OptionName, fallback: number, min: number) => integer(`--${key}`, get(key) ?? String(fallback), min);
  const d = TRAIN_DEFAULTS;
  const limit = get("limit") === undefined ? null : int("limit", 0, 2);
  if (name === "train") {
    const heads = int("heads", d.heads, 1);
    const width = int("width", d.width, 1);
    if (width % heads !== 0) throw new UsageError(`--width ${width} must be a multiple of --heads ${heads}`);
    return {
      command: "train",
      steps: int("steps", d.steps, 1),
      batchSize: int("batch-size", d.batchSize, 1),
      lr: positive("--lr", get("lr") ?? String(d.lr)),
      weightDecay: nonNegative("--weight-decay", get("weight-decay") ?? String(d.weightDecay)),
      warmup: int("warmup", d.warmup, 0),
      layers: int("layers", d.layers, 1),
      heads,
      width,
      context: int("context", d.context, 1),
      seed: int("seed", d.seed, 0),
      evalEvery: int("eval-every", d.evalEvery, 1),
      evalBatches: int("eval-batches", d.evalBatches, 1),
      text: get("text") ?? null,
      limit,
      out: get("out") ?? null,
    };
  }
  const checkpoint = get("checkpoint");
  if (checkpoint === undefined) throw new UsageError(`'${name}' needs --checkpoint FILE`);
  if (name === "sample") {
    return {
      command: "sample",
      checkpoint,
      prompt: get("prompt") ?? "\n",
      tokens: int("tokens", 300, 1),
      temperature: positive("--temperature", get("temperature") ?? "0.8"),
      topK: get("top-k") === undefined ? null : int("top-k", 0, 1),
      seed: int("seed", 0, 0),
    };
  }
  return {
    command: "evaluate",
    checkpoint,
    text: get("text") ?? null,
    limit,
    batchSize: int("batch-size", d.batchSize, 1),
    evalBatches: int("eval-batches", d.evalBatches, 1),
    seed: int("seed", d.seed, 0),
  };
}

function parseOrExplain(argv: readonly string[]): ReturnType<typeof parseWith> {
  try {
    return parseWith(joinNegativeValues(argv));
  } catch (err) {
    // parseArgs throws TypeErrors with a code and a multi-line message; keep one short line
    const code = err instanceof Error && "code" in err ? String(err.code) : "";
    const message = err instanceof Error ? err.message : String(err);
    const option = /'(?:-[A-Za-z], )?(-[^' ]*)/.exec(message)?.[1] ?? "?";
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

/** `--steps -1` becomes `--steps=-1`, so a negative number is reported as a bad value. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : "";
    const takesValue = Object.hasOwn(OPTIONS, name) && OPTIONS[name as OptionName].type === "string";
    if (takesValue && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[i + 1]}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be an integer >= ${min}, got '${text}'`);
  }
  return value;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a number > 0, got '${text}'`);
  return value;
}

function nonNegative(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new UsageError(`${flag} must be a number >= 0, got '${text}'`);
  return value;
}
