// The images: by default from loadFashionMNIST (its search order, checksums and download); with
// --data-dir, the four IDX files of that folder read as they are (a subset, or another 28×28
// ten-class set in the same format). Either way cut to --limit.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, loadFashionMNIST, parseIdx, type Idx } from "@tg/data/node";
import { tensor, type Tensor } from "@tg/tensor";
import { errorLine, UsageError } from "./errors.js";

/** Images [N,1,28,28] float32 in [0,1] and labels [N] int32 of one split. */
export interface Split {
  images: Tensor;
  labels: Tensor;
}

/** Where to read the data and how much of it to use. */
export interface DataOptions {
  /** A folder with the IDX files to read as they are; null for loadFashionMNIST's search order. */
  dataDir: string | null;
  /** Keep only the first `limit` images of each split; null for all. */
  limit: number | null;
}

/** Loads one split; missing, unreadable or empty data becomes a one-line UsageError. */
export async function loadSplit(split: "train" | "test", { dataDir, limit }: DataOptions): Promise<Split & { classes: string[] }> {
  let images: Tensor;
  let labels: Tensor;
  try {
    ({ images, labels } = dataDir === null ? await loadFashionMNIST({ split }) : readIdxFolder(dataDir, split));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot load the Fashion-MNIST ${split} images: ${errorLine(err)}`);
  }
  if (images.shape[0] === 0) {
    const where = dataDir === null ? "" : ` in --data-dir ${dataDir}`;
    throw new UsageError(`the ${split} set${where} holds no images; at least one is needed`);
  }
  const classes = [...FASHION_MNIST_CLASSES];
  if (limit === null || limit >= images.shape[0]) return { images, labels, classes };
  return { images: images.slice(0, 0, limit), labels: labels.slice(0, 0, limit), classes };
}

/** Reads `train-…`/`t10k-…` images and labels (plain or .gz) from `dir`, checking their shapes. */
export function readIdxFolder(dir: string, split: "train" | "test"): Split {
  if (!(existsSync(dir) && statSync(dir).isDirectory())) throw new UsageError(`--data-dir ${dir} is not a folder`);
  const files = split === "train" ? [FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels] : [FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels];
  const [images, labels] = files.map(({ name }) => readIdx(dir, name));
  const n = images.idx.shape[0];
  if (!(images.idx.data instanceof Uint8Array) || images.idx.shape.length !== 3 || images.idx.shape[1] !== 28 || images.idx.shape[2] !== 28) {
    throw new UsageError(`${images.path} should hold u8 images [N,28,28], found [${images.idx.shape.join(",")}]`);
  }
  if (!(labels.idx.data instanceof Uint8Array) || labels.idx.shape.length !== 1 || labels.idx.shape[0] !== n) {
    throw new UsageError(`${labels.path} should hold ${n} u8 labels, found [${labels.idx.shape.join(",")}]`);
  }
  const bad = labels.idx.data.findIndex((label) => label >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0) throw new UsageError(`${labels.path} holds label ${labels.idx.data[bad]} at ${bad}, expected 0..9`);
  return {
    images: tensor(Float32Array.from(images.idx.data, (v) => v / 255), { shape: [n, 1, 28, 28] }),
    labels: tensor(Int32Array.from(labels.idx.data), { shape: [n], dtype: "int32" }),
  };
}

function readIdx(dir: string, name: string): { path: string; idx: Idx } {
  const path = [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
  if (path === undefined) throw new UsageError(`--data-dir ${dir} has no ${name} or ${name}.gz`);
  try {
    return { path, idx: parseIdx(readFileSync(path)) };
  } catch (err) {
    throw new UsageError(`${path} is not a readable IDX file (${errorLine(err)})`);
  }
}
