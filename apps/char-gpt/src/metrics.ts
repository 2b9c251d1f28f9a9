// What a run records and metrics.json, rewritten atomically at every evaluation so an interrupted
// run still leaves a valid file.

import { renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { GptConfig } from "./model.js";
import type { TrainOptions } from "./options.js";

/** One optimizer step: its loss and the learning rate it used. */
export interface StepRecord {
  step: number;
  loss: number;
  lr: number;
}

/** A validation estimate, with the mean training loss since the previous one and a sample. */
export interface EvalPoint {
  step: number;
  trainLoss: number;
  valLoss: number;
  /** 200 characters generated after a newline (temperature 0.8, the run's seed). */
  sample: string;
  /** Seconds since training started. */
  seconds: number;
}

/** Mean |gradient| of each group of parameters (embeddings, each block, final norm) per step. */
export interface GradientFlow {
  groups: string[];
  /** values[group][step - 1] */
  values: number[][];
}

/** The content of metrics.json. */
export interface MetricsFile {
  status: "running" | "complete" | "interrupted";
  settings: Omit<TrainOptions, "command" | "out">;
  data: { source: string; characters: number; vocabSize: number; trainTokens: number; valTokens: number };
  model: GptConfig & { parameters: number };
  machine: { cpus: number; node: string; platform: string };
  steps: StepRecord[];
  evals: EvalPoint[];
  /** The last evaluation and the speed; null before the first evaluation. */
  final: { step: number; trainLoss: number; valLoss: number; seconds: number; tokensPerSecond: number } | null;
}

/** The machine a run happened on. */
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
