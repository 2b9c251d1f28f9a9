// What the page has learned from the worker about the run, and how it shows it: the numbers, the
// line charts (redrawn at most once per animation frame, only when something changed) and the
// per-epoch results.

import { drawConfusion, drawLineChart, drawPredictionGrid } from "./charts.js";
import { CLASSES } from "./models.js";
import type { StepBatch } from "./protocol.js";
import type { EpochRecord } from "./trainer.js";

/** The history of a run as the charts draw it. */
export class RunView {
  losses: number[] = [];
  accuracies: number[] = [];
  gradients: number[][] = [];
  layers: string[] = [];
  tests: { step: number; loss: number; accuracy: number }[] = [];
  epochs: { record: EpochRecord; wallSeconds: number }[] = [];
  stepsPerEpoch = 0;
  totalSteps = 0;
  samplesPerSecond = 0;
  /** Line-chart redraws so far, and the time (ms) spent drawing them. */
  chartFrames = 0;
  drawMs = 0;
  private dirty = false;

  constructor(private readonly element: (id: string) => HTMLElement) {}

  /** Forgets the previous run. */
  reset(layers: string[], stepsPerEpoch: number, epochs: number): void {
    this.losses = [];
    this.accuracies = [];
    this.gradients = layers.map(() => []);
    this.layers = layers;
    this.tests = [];
    this.epochs = [];
    this.stepsPerEpoch = stepsPerEpoch;
    this.totalSteps = stepsPerEpoch * epochs;
    this.samplesPerSecond = 0;
    this.dirty = true;
  }

  /** Takes a report of steps. */
  addSteps(batch: StepBatch): void {
    this.losses.push(...batch.loss);
    this.accuracies.push(...batch.accuracy);
    batch.gradients.forEach((g, k) => (this.gradients[k] ??= []).push(...g));
    this.stepsPerEpoch = batch.stepsPerEpoch;
    this.samplesPerSecond = batch.samplesPerSecond;
    this.element("stat-epoch").textContent = String(batch.epoch);
    this.element("stat-step").textContent = `${batch.step} / ${batch.stepsPerEpoch}`;
    this.element("stat-loss").textContent = mean(this.losses.slice(-20)).toFixed(4);
    this.element("stat-train-acc").textContent = percent(mean(this.accuracies.slice(-50)));
    this.element("stat-speed").textContent = Math.round(batch.samplesPerSecond).toLocaleString("en");
    this.dirty = true;
  }

  /** Takes the end of an epoch and draws its test results. */
  addEpoch(record: EpochRecord, wallSeconds: number, testPixels: Uint8Array, testTargets: Int32Array): void {
    this.epochs.push({ record, wallSeconds });
    this.tests.push({ step: this.losses.length, loss: record.test.loss, accuracy: record.test.accuracy });
    this.element("stat-test-acc").textContent = percent(record.test.accuracy);
    this.element("stat-epoch-time").textContent = `${wallSeconds.toFixed(1)} s`;
    this.showTest(record.test.confusion, record.test.predictions, record.test.accuracy, testPixels, testTargets);
    this.dirty = true;
  }

  /** Draws a confusion matrix and the prediction grid. */
  showTest(confusion: number[][], predictions: Int32Array, accuracy: number, testPixels: Uint8Array, testTargets: Int32Array): void {
    const matrix = this.element("confusion") as HTMLCanvasElement;
    drawConfusion(matrix, confusion, CLASSES);
    matrix.setAttribute("aria-label", `Confusion matrix on ${testTargets.length} test images: ${percent(accuracy)} right`);
    const grid = this.element("grid") as HTMLCanvasElement;
    const mistakes = drawPredictionGrid(grid, testPixels, testTargets, predictions, CLASSES);
    grid.setAttribute("aria-label", `The first test images with the model's guesses: ${mistakes} mistakes framed in red`);
  }

  /** Redraws the line charts if anything changed since the last call. */
  draw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const started = performance.now();
    const xMax = Math.max(this.totalSteps, this.losses.length);
    const testXs = this.tests.map((t) => t.step);
    drawLineChart(this.canvas("loss-chart"), [
      { label: "train (per step)", ys: this.losses },
      { label: "test (per epoch)", ys: this.tests.map((t) => t.loss), xs: testXs, dots: true },
    ], { title: "Cross-entropy loss", xLabel: "step", xMax });
    drawLineChart(this.canvas("accuracy-chart"), [
      { label: "train (per batch)", ys: this.accuracies },
      { label: "test (per epoch)", ys: this.tests.map((t) => t.accuracy), xs: testXs, dots: true },
    ], { title: "Accuracy", xLabel: "step", xMax, yMin: 0, yMax: 1 });
    drawLineChart(this.canvas("gradient-chart"), this.layers.map((label, k) => ({ label, ys: this.gradients[k] ?? [] })),
      { title: "Gradient flow: mean |gradient| of each layer's weight", xLabel: "step", xMax, logY: true });
    const last = this.losses.length;
    if (last > 0) {
      this.canvas("loss-chart").setAttribute("aria-label", `Loss per step: ${last} steps, now ${mean(this.losses.slice(-20)).toFixed(3)}, from ${this.losses[0].toFixed(3)}`);
      this.canvas("accuracy-chart").setAttribute("aria-label", `Accuracy per step: now ${percent(mean(this.accuracies.slice(-50)))} on training batches`);
      this.canvas("gradient-chart").setAttribute("aria-label", `Gradient flow of ${this.layers.length} layers over ${last} steps`);
    }
    this.chartFrames++;
    this.drawMs += performance.now() - started;
  }

  private canvas(id: string): HTMLCanvasElement {
    return this.element(id) as HTMLCanvasElement;
  }
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Fills a list with the ten classes, each with a bar and its probability (the likeliest in bold). */
export function showProbabilities(list: HTMLElement, probabilities: number[]): void {
  const best = probabilities.indexOf(Math.max(...probabilities));
  list.replaceChildren(...probabilities.map((p, k) => {
    const item = document.createElement("li");
    if (k === best) item.className = "top";
    const name = document.createElement("span");
    name.textContent = CLASSES[k];
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${(p * 100).toFixed(1)}%`;
    bar.setAttribute("aria-hidden", "true");
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = percent(p).replace(/(\.\d)\d%$/, "$1%");
    value.dataset.probability = String(p);
    item.append(name, bar, value);
    return item;
  }));
}

/** 0.8431 → "84.31%". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
