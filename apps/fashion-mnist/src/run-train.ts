// `fmnist train`: loads the data, trains with progress on the terminal, and fills the run folder
// (metrics.json and model.safetensors after every epoch; pictures and report.html at the end).
// The first Ctrl-C stops after the current step and still writes the report of the finished epochs.

import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { saveCheckpoint } from "./checkpoint.js";
import { loadSplit, type Split } from "./data.js";
import { EXIT_INTERRUPTED, EXIT_OK } from "./errors.js";
import type { Io } from "./io.js";
import { describeMachine, writeFileAtomic, writeMetrics, type MetricsFile } from "./metrics.js";
import { countParameters } from "./models.js";
import type { TrainOptions } from "./options.js";
import type { ShowcaseSample } from "./pixels.js";
import { TrainingProgress } from "./progress.js";
import { reportHtml, RUN_FILES, writePictures } from "./report.js";
import { train } from "./train.js";

/** How many test images the prediction showcase shows. */
export const SHOWCASE_SIZE = 32;

/** Runs `train` into the folder `out`; returns the exit code. */
export async function runTrain(opts: TrainOptions, out: string, io: Io): Promise<number> {
  const data = { dataDir: opts.dataDir, limit: opts.limit };
  const trainSplit = await loadSplit("train", data);
  const testSplit = await loadSplit("test", data);
  mkdirSync(out, { recursive: true });
  const metricsPath = join(out, RUN_FILES.metrics);
  const metrics: MetricsFile = {
    status: "running",
    settings: {
      model: opts.model,
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      lr: opts.lr,
      weightDecay: opts.weightDecay,
      optimizer: opts.optimizer,
      seed: opts.seed,
      limit: opts.limit,
      trainImages: trainSplit.images.shape[0],
      testImages: testSplit.images.shape[0],
    },
    model: { architecture: opts.model, parameters: 0 },
    machine: describeMachine(),
    classes: trainSplit.classes,
    epochs: [],
    final: null,
  };
  const progress = new TrainingProgress(io.stderr, io.print, opts.epochs);
  let stopRequested = false;
  const onSigint = (): void => {
    progress.stop();
    if (stopRequested) io.exit(EXIT_INTERRUPTED); // a second Ctrl-C quits at once; metrics.json is already whole
    stopRequested = true;
    io.print(`interrupted: writing the report of the ${metrics.epochs.length} finished epoch(s); Ctrl-C again to quit now`);
  };
  io.onInterrupt(onSigint);
  io.print(`training ${opts.model} on ${metrics.settings.trainImages} images for ${opts.epochs} epoch(s) into ${out}`);
  try {
    const result = await train(opts, trainSplit, testSplit, {
      onModel: (model) => {
        metrics.model.parameters = countParameters(model);
        writeMetrics(metricsPath, metrics);
      },
      onEpochStart: (epoch, steps) => progress.startEpoch(epoch, steps),
      onStep: (info) => progress.update(info),
      onEpochEnd: (m, outcome, model) => {
        metrics.epochs.push(m);
        metrics.final = { epoch: m.epoch, testAccuracy: outcome.accuracy, testLoss: outcome.loss, confusion: outcome.confusion };
        saveCheckpoint(join(out, RUN_FILES.checkpoint), model, opts.model, { epoch: String(m.epoch), seed: String(opts.seed) });
        writeMetrics(metricsPath, metrics);
        progress.endEpoch(m);
      },
      shouldStop: () => stopRequested,
    });
    progress.stop();
    metrics.status = result.interrupted ? "interrupted" : "complete";
    writeMetrics(metricsPath, metrics);
    if (result.outcome !== null) {
      const samples = showcase(testSplit, result.outcome.predictions);
      const pictures = await writePictures(out, { metrics, flow: result.flow, samples });
      writeFileAtomic(join(out, RUN_FILES.report), reportHtml(basename(out), metrics, pictures));
      io.print(`report: ${join(out, RUN_FILES.report)}`);
    } else {
      io.print(`no epoch finished; ${join(out, RUN_FILES.metrics)} records the settings only`);
    }
    return result.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
  } finally {
    progress.stop();
    io.offInterrupt(onSigint);
  }
}

/** The first test images with their predictions, for the showcase. */
export function showcase(test: Split, predictions: Int32Array, count = SHOWCASE_SIZE): ShowcaseSample[] {
  const n = Math.min(count, test.images.shape[0]);
  const labels = test.labels.dataSync();
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    pixels: Float32Array.from(test.images.slice(0, i, i + 1).dataSync()),
    predicted: predictions[i],
    truth: labels[i],
  }));
}
