// The messages between the page and its training worker. The page asks; the worker answers and,
// while it trains, reports every few dozen milliseconds (never once per step: a step of the MLP
// takes a few milliseconds, and a message per step would cost more than the drawing).

import type { Architecture } from "./models.js";
import type { FileRole } from "./data.js";
import type { EpochRecord, Outcome, Settings } from "./trainer.js";

/** One of the four IDX files, as bytes. */
export interface IdxFile {
  name: string;
  bytes: ArrayBuffer;
}

/** What the page asks of the worker. */
export type Request =
  | { type: "init"; threads: number }
  | { type: "threads"; count: number }
  | { type: "data"; files: Record<FileRole, IdxFile> }
  | { type: "start"; settings: Settings }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" }
  /** The images whose class probabilities the page shows: a sketch (784 floats) and a test image. */
  | { type: "watch"; sketch: Float32Array | null; testIndex: number | null }
  | { type: "export" }
  | { type: "load"; name: string; bytes: ArrayBuffer }
  /** The logits of the current model for images of 784 floats each (for scripts driving the page). */
  | { type: "logits"; id: number; pixels: Float32Array };

/** The training state the page shows and its buttons follow. */
export type TrainState = "idle" | "training" | "paused" | "stopped" | "done";

/** Steps since the last report, column by column. */
export interface StepBatch {
  epoch: number;
  /** The epoch's steps so far, the epoch's total, and the run's steps so far. */
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  loss: number[];
  accuracy: number[];
  /** gradients[k][i]: mean |gradient| of layer k at the i-th step of this batch. */
  gradients: number[][];
  /** Training samples per second since the last report (wall clock, messages included). */
  samplesPerSecond: number;
}

/** What the worker tells the page. */
export type Report =
  | { type: "ready"; isolated: boolean; wasm: boolean; relaxedSimd: boolean; threads: number; maxThreads: number }
  | { type: "threads"; threads: number }
  | { type: "data"; trainCount: number; testCount: number; testPixels: Uint8Array; testTargets: Int32Array }
  | { type: "state"; state: TrainState; architecture: Architecture | null; layers: string[] }
  | { type: "steps"; batch: StepBatch }
  | { type: "epoch"; record: EpochRecord; wallSeconds: number }
  | { type: "probabilities"; sketch: number[] | null; test: number[] | null }
  | { type: "exported"; bytes: Uint8Array; fileName: string }
  | { type: "loaded"; name: string; architecture: Architecture; test: Outcome | null }
  | { type: "logits"; id: number; logits: Float32Array[] }
  /** A request failed: `request` is the kind of request, so the page shows the message where it belongs. */
  | { type: "error"; request: Request["type"]; message: string };

/** What `window.playground.status()` returns: the run so far, for scripts that drive the page. */
export interface PageStatus {
  state: TrainState;
  engine: { isolated: boolean; wasm: boolean; relaxedSimd: boolean; threads: number; maxThreads: number };
  hasData: boolean;
  /** The loss of every step so far. */
  losses: number[];
  epochs: { epoch: number; seconds: number; wallSeconds: number; samplesPerSecond: number; testAccuracy: number; testLoss: number }[];
  samplesPerSecond: number;
  /** Line-chart redraws so far, and the milliseconds they took. */
  chartFrames: number;
  drawMs: number;
  /** Animation frames the page has painted since it loaded (it keeps painting while training). */
  animationFrames: number;
  /** Every error the page showed, oldest first. */
  errors: string[];
}

/** What `window.playground` offers to scripts that drive the page (the tests and the benchmark). */
export interface PlaygroundHandle {
  /** The run so far. */
  status(): PageStatus;
  /** The current model's logits for images of 784 values in [0,1] each. */
  logits(pixels: number[]): Promise<number[][]>;
}

declare global {
  interface Window {
    /** Set by the playground page for scripts that drive it. */
    playground: PlaygroundHandle;
  }
}
