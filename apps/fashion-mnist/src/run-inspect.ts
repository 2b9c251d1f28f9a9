// `fmnist evaluate` (test loss, accuracy and per-class accuracy of a checkpoint) and
// `fmnist predict` (one test image drawn in the terminal with the class probabilities).

import { loadCheckpoint } from "./checkpoint.js";
import { loadSplit } from "./data.js";
import { printable, UsageError } from "./errors.js";
import { classProbabilities, evaluate } from "./evaluate.js";
import type { Io } from "./io.js";
import { countParameters } from "./models.js";
import type { EvaluateOptions, PredictOptions } from "./options.js";
import { asciiImage, colourImage } from "./terminal-image.js";

/** Prints the test figures of a checkpoint; returns the exit code. */
export async function runEvaluate(opts: EvaluateOptions, checkpointPath: string, io: Io): Promise<number> {
  const { architecture, model } = loadCheckpoint(checkpointPath, opts.model);
  const test = await loadSplit("test", { dataDir: opts.dataDir, limit: opts.limit });
  const outcome = evaluate(model, test, opts.batchSize);
  if (!Number.isFinite(outcome.loss)) {
    // finite weights so large that the logits overflow: the figures would be meaningless
    throw new UsageError(`checkpoint ${checkpointPath} gives a test loss of ${outcome.loss} (its logits overflow); it cannot be evaluated`);
  }
  io.print(`${architecture} model (${countParameters(model).toLocaleString("en-US")} parameters) from ${printable(checkpointPath)}`);
  io.print(`test images ${test.images.shape[0]} | test loss ${outcome.loss.toFixed(4)} | test accuracy ${percent(outcome.accuracy)}`);
  const width = Math.max(...test.classes.map((c) => c.length));
  outcome.confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const share = total === 0 ? "-" : percent(row[i] / total);
    io.print(`  ${test.classes[i].padEnd(width)}  ${share.padStart(7)} of ${total}`);
  });
  return 0;
}

/** Prints one test image and the model's class probabilities; returns the exit code. */
export async function runPredict(opts: PredictOptions, checkpointPath: string, io: Io): Promise<number> {
  const { model } = loadCheckpoint(checkpointPath, opts.model);
  const test = await loadSplit("test", { dataDir: opts.dataDir, limit: null });
  const n = test.images.shape[0];
  if (opts.index >= n) throw new UsageError(`--index ${opts.index} is out of range: the test set has ${n} images (0 to ${n - 1})`);
  const probabilities = classProbabilities(model, test, opts.index);
  if (!probabilities.every(Number.isFinite)) {
    throw new UsageError(`checkpoint ${checkpointPath} gives probabilities that are not finite for test image ${opts.index} (its logits overflow)`);
  }
  const truth = test.labels.dataSync()[opts.index];
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const pixels = Float32Array.from(test.images.slice(0, opts.index, opts.index + 1).dataSync());
  io.print(`test image ${opts.index}, true class: ${test.classes[truth]}`);
  for (const line of io.stdout.isTTY === true ? colourImage(pixels) : asciiImage(pixels)) io.print(line);
  const width = Math.max(...test.classes.map((c) => c.length));
  probabilities.forEach((p, k) => {
    const bar = "#".repeat(Math.round(p * 40));
    const mark = k === predicted ? " <- predicted" : "";
    io.print(`  ${test.classes[k].padEnd(width)} ${percent(p).padStart(7)} ${bar}${mark}`);
  });
  io.print(`prediction: ${test.classes[predicted]} (${predicted === truth ? "correct" : `wrong, it is ${test.classes[truth]}`})`);
  return 0;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
