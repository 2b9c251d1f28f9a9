import { PassThrough } from "node:stream";
import { controlCharacters } from "./testing/cli.js";
import { describe, expect, it } from "vitest";
import { formatDuration, formatEpochLine, formatLoss, roughDuration, TrainingProgress, type ProgressStream } from "./progress.js";
import { fakeEpochs } from "./testing/fixtures.js";

function capture(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("TrainingProgress", () => {
  it("writes plain lines without control characters when the stream is not a terminal", async () => {
    const { stream, text } = capture(false);
    const printed: string[] = [];
    const progress = new TrainingProgress(stream, (line) => printed.push(line), 2);
    progress.startEpoch(1, 10);
    for (let step = 1; step <= 10; step++) progress.update({ epoch: 1, step, steps: 10, loss: 0.5, lr: 1e-3, samplesPerSecond: 1234, secondsLeft: 10 - step });
    progress.endEpoch(fakeEpochs(1)[0]);
    await new Promise((resolve) => setImmediate(resolve));
    const out = text();
    expect(controlCharacters(out)).toEqual([]);
    expect(out).toContain("epoch 1/2 step 0/10 | loss - | - samples/s | ETA -");
    expect(out).toContain("epoch 1/2 step 10/10 | loss 0.5000 | 1234 samples/s | ETA 0s");
    expect(out.endsWith("\n")).toBe(true);
    expect(printed).toEqual([formatEpochLine(fakeEpochs(1)[0], 2)]);
  });

  it("draws a bar on a terminal", async () => {
    const { stream, text } = capture(true);
    const progress = new TrainingProgress(stream, () => undefined, 10);
    progress.startEpoch(3, 4);
    progress.update({ epoch: 3, step: 2, steps: 4, loss: 1.25, lr: 1e-3, samplesPerSecond: 99, secondsLeft: 75 });
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toMatch(/epoch {2}3\/10 █+░+ 50% \| loss 1\.2500 \| 99 samples\/s \| ETA 1m15s/);
  });
});

describe("formatEpochLine", () => {
  it("gives the epoch's losses, accuracies and time on one line", () => {
    const [m] = fakeEpochs(1);
    expect(formatEpochLine(m, 10)).toBe(
      "epoch  1/10 | train loss 0.8000 | train acc 80.00% | test loss 0.8000 | test acc 79.00% | 10.0 s (6000 samples/s)",
    );
  });
});

describe("formatDuration", () => {
  it("writes seconds, and minutes past a minute", () => {
    expect([0.4, 42, 59.6, 187, 3600].map(formatDuration)).toEqual(["0s", "42s", "1m00s", "3m07s", "60m00s"]);
  });
});

describe("roughDuration", () => {
  it("writes any duration to about two figures in the unit that reads best", () => {
    const day = 86400;
    const cases = [0.0654, 42, 187, 3 * 3600 + 600, 12 * day, 3.1 * 365.25 * day];
    expect(cases.map(roughDuration)).toEqual(["0.065 s", "42 s", "3m07s", "3.2 hours", "12 days", "3.10 years"]);
  });
});

describe("formatLoss", () => {
  it("keeps four decimals for usual losses and four figures for a diverging one", () => {
    expect([0.43125, 2.302585, 9999.5].map(formatLoss)).toEqual(["0.4313", "2.3026", "9999.5000"]);
    expect([5.0816962437002626e26, 136761795046778355712, 12345.678].map(formatLoss)).toEqual(["5.082e+26", "1.368e+20", "1.235e+4"]);
  });
});
