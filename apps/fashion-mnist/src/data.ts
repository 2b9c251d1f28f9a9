// Loads Fashion-MNIST through @tg/data (its search order and download) and cuts it to --limit.

import { existsSync, statSync } from "node:fs";
import { loadFashionMNIST } from "@tg/data/node";
import type { Tensor } from "@tg/tensor";
import { errorLine, UsageError } from "./errors.js";

/** Images [N,1,28,28] float32 in [0,1] and labels [N] int32 of one split. */
export interface Split {
  images: Tensor;
  labels: Tensor;
}

/** Where to read the data and how much of it to use. */
export interface DataOptions {
  /** A folder with the four files; null for loadFashionMNIST's search order. */
  dataDir: string | null;
  /** Keep only the first `limit` images of each split; null for all. */
  limit: number | null;
}

/** Loads one split; a missing folder or unreadable files become a one-line UsageError. */
export function loadSplit(split: "train" | "test", { dataDir, limit }: DataOptions): Split & { classes: string[] } {
  if (dataDir !== null && !(existsSync(dataDir) && statSync(dataDir).isDirectory())) {
    throw new UsageError(`--data-dir ${dataDir} is not a folder`);
  }
  let loaded: ReturnType<typeof loadFashionMNIST>;
  try {
    loaded = loadFashionMNIST({ split, ...(dataDir === null ? {} : { root: dataDir }) });
  } catch (err) {
    throw new UsageError(`cannot load the Fashion-MNIST ${split} images: ${errorLine(err)}`);
  }
  const { images, labels, classes } = loaded;
  if (limit === null || limit >= images.shape[0]) return { images, labels, classes };
  return { images: images.slice(0, 0, limit), labels: labels.slice(0, 0, limit), classes };
}
