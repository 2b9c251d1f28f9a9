// `fmnist train`: claims the run folder, loads the data, trains with progress on the terminal, and
// fills the folder (metrics.json and model.safetensors after every epoch; pictures and report.html
// at the end). Ctrl-C or SIGTERM stops after the current step and still writes the report of the
// finished epochs; a loss or gradient that stops being finite ends the run with exit code 3.

import { basename, join } from "node:path";
import { saveCheckpoint } from "./checkpoint.js";
import { loadSplit, type Split } from "./data.js";
import { EXIT_DIVERGED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, printable } from "./errors.js";
import type { Io, StopSignal } from "./io.js";
import { describeMachine, writeFileAtomic, writeMetrics, type MetricsFile } from "./metrics.js";
import { countParameters } from "./models.js";
import type { TrainOptions } from "./options.js";
import type { ShowcaseSample } from "./pixels.js";
import { roughDuration, TrainingProgress } from "./progress.js";
import { reportHtml, RUN_FILES, writePictures } from "./report.js";
import { claimRunFolder } from "./run-folder.js";
import { estimateEpochSeconds, train, type Divergence, type TrainResult } from "./train.js";

/** How many test images the prediction showcase shows. */
export const SHOWCASE_SIZE = 32;

/** Runs `train` into the folder `out`; returns the exit code. */
export async function runTrain(opts: TrainOptions, out: string, io: Io): Promise<number> {
  const folder = claimRunFolder(out, opts.force);
  let stopSignal: StopSignal | null = null;
  let progress: TrainingProgress | null = null;
  let finished = 0;
  let recorded: { metrics: MetricsFile; path: string } | null = null;
  const onSignal = (signal: StopSignal): void => {
    progress?.stop();
    const code = signal === "SIGTERM" ? EXIT_TERMINATED : EXIT_INTERRUPTED;
    if (stopSignal !== null) {
      // a second signal quits at once; metrics.json is whole, and says the run did not finish
      if (recorded !== null && recorded.metrics.status === "running") {
        recorded.metrics.status = "interrupted";
        writeMetrics(recorded.path, recorded.metrics);
      }
      folder.release();
      io.exit(code);
    }
    stopSignal = signal;
    const what = signal === "SIGTERM" ? "terminated" : "interrupted";
    io.print(`${what}: writing the report of the ${finished} finished epoch(s); Ctrl-C again to quit now`);
  };
  io.onInterrupt(onSignal);
  try {
    const data = { dataDir: opts.dataDir, limit: opts.limit };
    const trainSplit = await loadSplit("train", data);
    const testSplit = await loadSplit("test", data);
    folder.clearEarlierRun(); // only now: a run that cannot load its data leaves the earlier run be
    const metrics = initialMetrics(opts, trainSplit, testSplit);
    const metricsPath = join(out, RUN_FILES.metrics);
    recorded = { metrics, path: metricsPath };
    io.print(`training ${opts.model} on ${metrics.settings.trainImages} images for ${opts.epochs} epoch(s) into ${printable(out)}`);
    const perEpoch = estimateEpochSeconds(opts, trainSplit);
    io.print(`about ${roughDuration(perEpoch)} per epoch, ${roughDuration(perEpoch * opts.epochs)} for all ${opts.epochs} (timed on a few steps)`);
    const bar = new TrainingProgress(io.stderr, io.print, opts.epochs);
    progress = bar;
    const result = await train(opts, trainSplit, testSplit, {
      onModel: (model) => {
        metrics.model.parameters = countParameters(model);
        writeMetrics(metricsPath, metrics);
      },
      onEpochStart: (epoch, steps) => bar.startEpoch(epoch, steps),
      onStep: (info) => bar.update(info),
      onEpochEnd: (m, outcome, model) => {
        metrics.epochs.push(m);
        finished = metrics.epochs.length;
        metrics.final = { epoch: m.epoch, testAccuracy: outcome.accuracy, testLoss: outcome.loss, confusion: outcome.confusion };
        saveCheckpoint(join(out, RUN_FILES.checkpoint), model, opts.model, { epoch: String(m.epoch), seed: String(opts.seed) });
        writeMetrics(metricsPath, metrics);
        bar.endEpoch(m);
      },
      onWarning: (message) => bar.note(`warning: ${message}; a lower --lr than ${opts.lr} may help`),
      shouldStop: () => stopSignal !== null,
    });
    bar.stop();
    metrics.status = result.diverged !== null ? "diverged" : result.interrupted ? "interrupted" : "complete";
    if (result.diverged !== null) metrics.divergence = result.diverged;
    writeMetrics(metricsPath, metrics);
    await writeReport(out, metrics, result, testSplit, io);
    if (result.diverged !== null) {
      io.stderr.write(`fmnist: ${divergenceLine(result.diverged, opts.lr)}\n`);
      return EXIT_DIVERGED;
    }
    if (result.interrupted) return stopSignal === "SIGTERM" ? EXIT_TERMINATED : EXIT_INTERRUPTED;
    return EXIT_OK;
  } finally {
    progress?.stop();
    io.offInterrupt(onSignal);
    folder.release();
  }
}

/** The one line a diverged run ends with: where, what, and what to try. */
export function divergenceLine(d: Divergence, lr: number): string {
  const kept = d.epoch > 1 ? `; the checkpoint of epoch ${d.epoch - 1} is kept` : "";
  return `training diverged at epoch ${d.epoch}, step ${d.step} of ${d.steps}: ${d.what}${kept}; try a lower --lr (this run used ${lr})`;
}

function initialMetrics(opts: TrainOptions, trainSplit: Split & { classes: string[] }, testSplit: Split): MetricsFile {
  return {
    status: "running",
    settings: {
      model: opts.model,
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      lr: opts.lr,
      weightDecay: opts.weightDecay,
      optimizer: opts.optimizer,
      schedule: opts.schedule,
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
}

async function writeReport(out: string, metrics: MetricsFile, result: TrainResult, testSplit: Split, io: Io): Promise<void> {
  if (result.outcome === null) {
    io.print(`no epoch finished; ${printable(join(out, RUN_FILES.metrics))} records the settings only`);
    return;
  }
  const samples = showcase(testSplit, result.outcome.predictions);
  const pictures = await writePictures(out, { metrics, flow: result.flow, samples });
  writeFileAtomic(join(out, RUN_FILES.report), reportHtml(basename(out), metrics, pictures));
  io.print(`report: ${printable(join(out, RUN_FILES.report))}`);
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
