// Made-up run results for the picture and report tests: no training needed.

import type { EpochMetrics, GradientFlow, MetricsFile } from "../metrics.js";
import type { ShowcaseSample } from "../pixels.js";

/** Fashion-MNIST's class names, in label order. */
export const CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/** Per-epoch figures that improve steadily. */
export function fakeEpochs(count: number): EpochMetrics[] {
  return Array.from({ length: count }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 0.6 / (i + 1) + 0.2,
    trainAccuracy: 0.8 + 0.01 * i,
    testLoss: 0.5 / (i + 1) + 0.3,
    testAccuracy: 0.79 + 0.009 * i,
    seconds: 10 + i,
    samplesPerSecond: 6000,
    residentMiB: 300,
  }));
}

/** Gradient magnitudes that decay over `steps` steps, one series per layer. */
export function fakeFlow(layers: string[], steps: number): GradientFlow {
  return {
    layers,
    values: layers.map((_, k) => Array.from({ length: steps }, (_, i) => 0.001 * (k + 1) * Math.exp(-i / steps))),
  };
}

/** Disc images; every third one is a mistake. */
export function fakeSamples(count: number): ShowcaseSample[] {
  return Array.from({ length: count }, (_, k) => {
    const pixels = new Float32Array(28 * 28);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.floor(i / 28) - 14) ** 2 + ((i % 28) - 14) ** 2 < 60 ? 1 : 0;
    return { index: k, pixels, predicted: k % 10, truth: k % 3 === 0 ? (k + 1) % 10 : k % 10 };
  });
}

/** A confusion matrix with 90 on the diagonal and i + j elsewhere. */
export function fakeConfusion(): number[][] {
  return CLASSES.map((_, i) => CLASSES.map((_, j) => (i === j ? 90 : i + j)));
}

/** A complete metrics file for `epochs` epochs. */
export function fakeMetrics(epochs: number): MetricsFile {
  const list = fakeEpochs(epochs);
  const last = list[list.length - 1];
  return {
    status: "complete",
    settings: { model: "mlp", epochs, batchSize: 64, lr: 0.001, weightDecay: 0.01, optimizer: "adamw", schedule: "cosine", seed: 0, limit: null, trainImages: 60000, testImages: 10000 },
    model: { architecture: "mlp", parameters: 235146 },
    machine: { cpus: 2, node: "v20.0.0", platform: "linux-x64" },
    classes: CLASSES,
    epochs: list,
    final: { epoch: last.epoch, testAccuracy: last.testAccuracy, testLoss: last.testLoss, confusion: fakeConfusion() },
  };
}
