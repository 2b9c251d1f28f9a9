// Training progress with cli-progress: on a terminal one bar over the steps (loss, tokens/s, ETA);
// elsewhere (CI, pipes) the same figures as plain lines every few seconds, no control characters.

import { SingleBar } from "cli-progress";
import type { ProgressStream } from "./io.js";
import type { EvalPoint } from "./metrics.js";
import type { StepInfo } from "./train.js";

/** Seconds between plain progress lines when the stream is not a terminal. */
export const PLAIN_LINE_SECONDS = 10;

/** Draws a bar over the steps on `stream` and prints each evaluation's line through `print`. */
export class TrainingProgress {
  private bar: SingleBar | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private readonly print: (line: string) => void,
    private readonly steps: number,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Moves the bar to a step, starting it on the first call. */
  update(info: StepInfo): void {
    if (this.bar === null) this.start();
    this.bar?.update(info.step, { loss: info.loss.toFixed(4), speed: Math.round(info.tokensPerSecond), left: formatDuration(info.secondsLeft) });
  }

  /** Prints an evaluation's line above the bar. */
  evaluation(point: EvalPoint): void {
    const wasRunning = this.bar !== null;
    const value = point.step;
    this.stop();
    this.print(formatEvalLine(point, this.steps));
    if (wasRunning && value < this.steps) this.start(value);
  }

  /** Removes the bar (also on Ctrl-C), leaving the terminal as it was. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  private start(value = 0): void {
    const figures = "loss {loss} | {speed} tokens/s | ETA {left}";
    this.bar = new SingleBar({
      stream: this.stream,
      format: this.tty ? `train {bar} {percentage}% | step {value}/{total} | ${figures}` : `step {value}/{total} | ${figures}`,
      barsize: 30,
      barCompleteChar: "█",
      barIncompleteChar: "░",
      hideCursor: this.tty,
      clearOnComplete: true,
      gracefulExit: false,
      noTTYOutput: !this.tty,
      notTTYSchedule: PLAIN_LINE_SECONDS * 1000,
    });
    this.bar.start(this.steps, value, { loss: "-", speed: "-", left: "-" });
  }
}

/** The line printed at an evaluation. */
export function formatEvalLine(p: EvalPoint, steps: number): string {
  const width = String(steps).length;
  return `step ${String(p.step).padStart(width)}/${steps} | train loss ${p.trainLoss.toFixed(4)} | val loss ${p.valLoss.toFixed(4)} | ${formatDuration(p.seconds)}`;
}

/** Seconds as `42s` or `3m07s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
