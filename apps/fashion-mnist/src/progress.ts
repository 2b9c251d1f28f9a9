// Training progress with cli-progress: on a terminal a bar per epoch (loss, samples/s, ETA);
// elsewhere (CI, pipes) the same figures as plain lines every few seconds, no control characters.

import { SingleBar } from "cli-progress";
import type { EpochMetrics } from "./metrics.js";
import type { StepInfo } from "./train.js";

/** A stream the progress is drawn on (process.stderr, or a test's stand-in). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Seconds between plain progress lines when the stream is not a terminal. */
export const PLAIN_LINE_SECONDS = 10;

/** Draws one progress bar per epoch on `stream`, and prints each epoch's summary through `print`. */
export class TrainingProgress {
  private bar: SingleBar | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private readonly print: (line: string) => void,
    private readonly epochs: number,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Starts the bar of `epoch`, which has `steps` optimizer steps. */
  startEpoch(epoch: number, steps: number): void {
    this.stop();
    const width = String(this.epochs).length;
    const label = `epoch ${String(epoch).padStart(width)}/${this.epochs}`;
    const figures = "loss {loss} | {speed} samples/s | ETA {left}";
    this.bar = new SingleBar({
      stream: this.stream,
      format: this.tty ? `${label} {bar} {percentage}% | ${figures}` : `${label} step {value}/{total} | ${figures}`,
      barsize: 30,
      barCompleteChar: "█",
      barIncompleteChar: "░",
      hideCursor: this.tty,
      clearOnComplete: true,
      gracefulExit: false,
      noTTYOutput: !this.tty,
      notTTYSchedule: PLAIN_LINE_SECONDS * 1000,
    });
    this.bar.start(steps, 0, { loss: "-", speed: "-", left: "-" });
  }

  /** Moves the bar to a step. */
  update(info: StepInfo): void {
    this.bar?.update(info.step, { loss: formatLoss(info.loss), speed: Math.round(info.samplesPerSecond), left: formatDuration(info.secondsLeft) });
  }

  /** Ends the bar and prints the epoch's summary line. */
  endEpoch(m: EpochMetrics): void {
    this.stop();
    this.print(formatEpochLine(m, this.epochs));
  }

  /** Writes a line on the progress stream without mixing it into the bar's line. */
  note(line: string): void {
    this.stream.write(this.tty && this.bar !== null ? `\n${line}\n` : `${line}\n`);
  }

  /** Removes the bar (also on Ctrl-C), leaving the terminal as it was. */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** The summary line of a finished epoch. */
export function formatEpochLine(m: EpochMetrics, epochs: number): string {
  const width = String(epochs).length;
  return [
    `epoch ${String(m.epoch).padStart(width)}/${epochs}`,
    `train loss ${formatLoss(m.trainLoss)}`,
    `train acc ${percent(m.trainAccuracy)}`,
    `test loss ${formatLoss(m.testLoss)}`,
    `test acc ${percent(m.testAccuracy)}`,
    `${m.seconds.toFixed(1)} s (${Math.round(m.samplesPerSecond)} samples/s)`,
  ].join(" | ");
}

/** A loss to four decimals (`0.4312`), or to four figures once it is huge (`5.082e+26`, not 27 digits). */
export function formatLoss(loss: number): string {
  return Math.abs(loss) < 1e4 ? loss.toFixed(4) : loss.toPrecision(4);
}

/** Seconds as `42s` or `3m07s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** A duration of any length, to two figures, in the unit that reads best: `0.065 s`, `42 s`, `3m07s`, `5.2 hours`, `12 days`, `3.1 years`. */
export function roughDuration(seconds: number): string {
  const hours = seconds / 3600;
  if (seconds < 59.5) return `${Number(seconds.toPrecision(2))} s`;
  if (hours < 1) return formatDuration(seconds);
  if (hours < 48) return `${hours.toFixed(1)} hours`;
  const days = hours / 24;
  return days < 730 ? `${Math.round(days)} days` : `${(days / 365.25).toPrecision(3)} years`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
