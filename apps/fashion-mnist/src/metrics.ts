// What a run records (per-epoch figures, gradient flow, test predictions) and metrics.json,
// which is rewritten atomically after every epoch so an interrupted run still leaves a valid file.

import { renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { TrainOptions } from "./options.js";

/** The figures of one finished epoch. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Wall-clock seconds of the epoch's training steps (validation not included). */
  seconds: number;
  samplesPerSecond: number;
  /** Resident memory of the process after the epoch's validation, in MiB (flat from epoch 2 on). */
  residentMiB: number;
}

/** Mean |gradient| of each layer's weight at every optimizer step. */
export interface GradientFlow {
  layers: string[];
  /** values[layer][step] */
  values: number[][];
}

/** Test-set outcome of a model: the predicted class of every image and the confusion matrix. */
export interface TestOutcome {
  loss: number;
  accuracy: number;
  predictions: Int32Array;
  /** confusion[true class][predicted class] = count */
  confusion: number[][];
}

/** The settings recorded in metrics.json (paths left out, so runs compare by content). */
export type RecordedSettings = Omit<TrainOptions, "command" | "out" | "dataDir" | "force"> & {
  trainImages: number;
  testImages: number;
};

/**
 * The content of metrics.json. Every figure in it is a finite number: a run whose loss or gradient
 * stops being finite ends with status "diverged" and `divergence` saying where.
 */
export interface MetricsFile {
  status: "running" | "complete" | "interrupted" | "diverged";
  /** Where a diverged run stopped: the epoch, the step (whose update was not applied) and what was not finite. */
  divergence?: { epoch: number; step: number; what: string };
  settings: RecordedSettings;
  model: { architecture: string; parameters: number };
  machine: { cpus: number; node: string; platform: string };
  classes: string[];
  epochs: EpochMetrics[];
  /** The last finished epoch's test figures and confusion matrix; null before the first. */
  final: { epoch: number; testAccuracy: number; testLoss: number; confusion: number[][] } | null;
}

/** The machine a run happened on, as metrics.json records it. */
export function describeMachine(): MetricsFile["machine"] {
  return { cpus: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` };
}

/** Writes `content` to `path` through a temporary file and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** Writes metrics.json (pretty-printed) atomically. */
export function writeMetrics(path: string, metrics: MetricsFile): void {
  writeFileAtomic(path, `${JSON.stringify(metrics, null, 2)}\n`);
}
