// Training data for the epoch and CNN benchmarks: Fashion-MNIST's training split when a copy is
// on disk (never downloaded by the benchmark), otherwise random data of the same shapes.

import { loadFashionMNIST } from "@tg/data/node";

/** Images as rows of 784 floats in [0, 1] and their class labels. */
export interface TrainingData {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  /** Where the data came from, for the report. */
  source: string;
}

/** The training split, or 60,000 random images and labels when no copy is found. */
export async function trainingData(): Promise<TrainingData> {
  try {
    const { images, labels, dir } = await loadFashionMNIST({ split: "train", download: false, progress: false });
    const x = images.dataSync();
    const y = labels.dataSync();
    if (x instanceof Float32Array && y instanceof Int32Array) {
      return { images: x, labels: y, count: y.length, source: `Fashion-MNIST from ${dir}` };
    }
  } catch {
    // no copy on disk: fall through to random data
  }
  const count = 60000;
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return {
    images: Float32Array.from({ length: count * 784 }, next),
    labels: Int32Array.from({ length: count }, () => Math.floor(10 * next())),
    count,
    source: "random data of Fashion-MNIST's shapes (no copy of the dataset was found)",
  };
}

/** Batch size of every training benchmark. */
export const BATCH = 64;
