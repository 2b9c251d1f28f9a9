import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { HELP, parseCommandLine } from "./options.js";

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(" ")} to fail`);
}

describe("parseCommandLine", () => {
  it("fills train's defaults: the signature MLP, 10 epochs, AdamW, batch 64", () => {
    expect(parseCommandLine(["train"])).toEqual({
      command: "train",
      model: "mlp",
      epochs: 10,
      batchSize: 64,
      lr: 0.001,
      weightDecay: 0.01,
      optimizer: "adamw",
      schedule: "cosine",
      seed: 0,
      limit: null,
      dataDir: null,
      out: null,
      force: false,
    });
  });

  it("reads every train option", () => {
    const argv = ["train", "--model", "cnn", "--epochs=3", "--batch-size", "32", "--lr", "0.05", "--weight-decay", "0"];
    argv.push("--optimizer", "sgd", "--schedule", "constant", "--seed", "7", "--limit", "1000", "--data-dir", "d", "--out", "o", "--force");
    expect(parseCommandLine(argv)).toEqual({
      command: "train",
      model: "cnn",
      epochs: 3,
      batchSize: 32,
      lr: 0.05,
      weightDecay: 0,
      optimizer: "sgd",
      schedule: "constant",
      seed: 7,
      limit: 1000,
      dataDir: "d",
      out: "o",
      force: true,
    });
  });

  it("takes SGD's own learning rate and weight decay when none is given", () => {
    expect(parseCommandLine(["train", "--optimizer", "sgd"])).toMatchObject({ lr: 0.01, weightDecay: 0.0005 });
  });

  it("reads evaluate and predict", () => {
    expect(parseCommandLine(["evaluate", "--checkpoint", "m.safetensors"])).toEqual({
      command: "evaluate",
      checkpoint: "m.safetensors",
      model: null,
      batchSize: 500,
      limit: null,
      dataDir: null,
    });
    expect(parseCommandLine(["predict", "--checkpoint", "m.safetensors", "--index", "0", "--model", "cnn"])).toEqual({
      command: "predict",
      checkpoint: "m.safetensors",
      model: "cnn",
      index: 0,
      dataDir: null,
    });
  });

  it("takes numbers in decimal digits, with an exponent for real values, and large epoch counts", () => {
    expect(parseCommandLine(["train", "--epochs", "1000000000", "--lr", "1e-4", "--weight-decay", ".5"])).toMatchObject({
      epochs: 1_000_000_000,
      lr: 1e-4,
      weightDecay: 0.5,
    });
    expect(parseCommandLine(["train", "--lr", "2.", "--weight-decay", "0"])).toMatchObject({ lr: 2, weightDecay: 0 });
  });

  it("ignores the leading -- that pnpm run passes on", () => {
    expect(parseCommandLine(["--", "train", "--epochs", "2"])).toMatchObject({ command: "train", epochs: 2 });
  });

  it("answers --help, -h and help", () => {
    for (const argv of [["--help"], ["-h"], ["help"], ["train", "--help"]]) expect(parseCommandLine(argv)).toEqual({ command: "help" });
    expect(HELP).toContain("fmnist train");
  });

  it.each([
    [["train", "--epochs", "-1"], "--epochs must be an integer >= 1, got '-1'"],
    [["train", "--epochs", "2.5"], "--epochs must be an integer >= 1, got '2.5'"],
    [["train", "--model", "resnet"], "--model must be one of mlp, cnn, got 'resnet'"],
    [["train", "--optimizer", "adam"], "--optimizer must be one of adamw, sgd, got 'adam'"],
    [["train", "--schedule", "step"], "--schedule must be one of cosine, constant, got 'step'"],
    [["train", "--lr", "0"], "--lr must be a number > 0, got '0'"],
    [["train", "--lr", "fast"], "--lr must be a number > 0, got 'fast'"],
    [["train", "--weight-decay", "-0.1"], "--weight-decay must be a number >= 0, got '-0.1'"],
    [["train", "--batch-size", ""], "--batch-size must be an integer >= 1, got ''"],
    [["train", "--limit", "0"], "--limit must be an integer >= 1, got '0'"],
    [["train", "--epochs"], "option '--epochs' needs a value"],
    [["train", "--speed", "9"], "unknown option '--speed' (see --help)"],
    [["train", "--help=yes"], "option '--help' takes no value"],
    [["train", "--index", "3"], "option --index does not apply to 'train' (see --help)"],
    [["fit"], "unknown command 'fit': expected train, evaluate or predict"],
    [[], "missing command: expected train, evaluate or predict (see --help)"],
    [["train", "extra"], "unexpected argument 'extra' after 'train'"],
    [["evaluate"], "'evaluate' needs --checkpoint FILE"],
    [["predict", "--checkpoint", "m"], "'predict' needs --index I (a test image, 0 to 9999)"],
    [["predict", "--checkpoint", "m", "--index", "-3"], "--index must be an integer >= 0, got '-3'"],
    [["evaluate", "--checkpoint", "m", "--model", "vit"], "--model must be one of mlp, cnn, got 'vit'"],
    [["train", "--epochs", "1e9"], "--epochs must be an integer >= 1, got '1e9' (write integers in decimal digits only)"],
    [["train", "--epochs", "0x10"], "--epochs must be an integer >= 1, got '0x10' (write integers in decimal digits only)"],
    [["train", "--seed", "0b11"], "--seed must be an integer >= 0, got '0b11' (write integers in decimal digits only)"],
    [["train", "--batch-size", " 64"], "--batch-size must be an integer >= 1, got ' 64' (write integers in decimal digits only)"],
    [["train", "--limit", "+5"], "--limit must be an integer >= 1, got '+5' (write integers in decimal digits only)"],
    [["train", "--epochs", "3.0"], "--epochs must be an integer >= 1, got '3.0' (write integers in decimal digits only)"],
    [["train", "--lr", "0x10"], "--lr must be a number > 0, got '0x10' (write numbers in decimal digits)"],
    [["train", "--lr", "Infinity"], "--lr must be a number > 0, got 'Infinity'"],
    [["train", "--weight-decay", "0o7"], "--weight-decay must be a number >= 0, got '0o7' (write numbers in decimal digits)"],
    [["train", "--out", ""], "--out must name a folder, got ''"],
    [["train", "--out", "  "], "--out must name a folder, got '  '"],
    [["train", "--force=yes"], "option '--force' takes no value"],
    [["evaluate", "--checkpoint", "m", "--force"], "option --force does not apply to 'evaluate' (see --help)"],
  ])("rejects %j with one line", (argv, message) => {
    const text = usageError(argv);
    expect(text).toBe(message);
    expect(text).not.toContain("\n");
  });
});
