// The four Fashion-MNIST IDX files, from whatever source (a file picker, drag-and-drop, the dev
// server), recognised by name and parsed with @tg/data into tensors: images [N,1,28,28] float32
// in [0,1] and labels [N] int32, checked against each other.

import { parseIdx } from "@tg/data";
import { Tensor, tensor } from "@tg/tensor";

/** The four files a data set needs, by role. */
export const FILE_ROLES = ["trainImages", "trainLabels", "testImages", "testLabels"] as const;
/** One of the four files. */
export type FileRole = (typeof FILE_ROLES)[number];

/** The official file name (without .gz) of each role. */
export const FILE_NAMES: Record<FileRole, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** The role of a file by its name (official names, also as saved by browsers: "name (1).gz", "name.idx3-ubyte"), or null. */
export function roleOf(fileName: string): FileRole | null {
  const name = fileName.toLowerCase();
  const isTest = name.startsWith("t10k") || name.startsWith("test");
  const isTrain = name.startsWith("train");
  const isImages = name.includes("images") || name.includes("idx3");
  const isLabels = name.includes("labels") || name.includes("idx1");
  if (isTrain === isTest || isImages === isLabels) return null;
  if (isTrain) return isImages ? "trainImages" : "trainLabels";
  return isImages ? "testImages" : "testLabels";
}

/** A labelled split as tensors, with the raw pixels kept for drawing. */
export interface Split {
  images: Tensor;
  labels: Tensor;
  /** The images as bytes, 784 per image. */
  pixels: Uint8Array;
  /** The labels as numbers. */
  targets: Int32Array;
}

/** Parses an images file and a labels file (IDX, plain or gzipped) into a split; throws an Error naming the file at fault. */
export function parseSplit(imagesBytes: Uint8Array, labelsBytes: Uint8Array, names: { images: string; labels: string }): Split {
  const images = parseNamed(imagesBytes, names.images);
  const labels = parseNamed(labelsBytes, names.labels);
  if (!(images.data instanceof Uint8Array) || images.shape.length !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28) {
    throw new Error(`${names.images} should hold u8 images [N,28,28], found [${images.shape.join(",")}]`);
  }
  const count = images.shape[0];
  if (!(labels.data instanceof Uint8Array) || labels.shape.length !== 1 || labels.shape[0] !== count) {
    throw new Error(`${names.labels} should hold ${count} u8 labels, found [${labels.shape.join(",")}]`);
  }
  const targets = Int32Array.from(labels.data);
  const bad = targets.findIndex((t) => t > 9);
  if (bad >= 0) throw new Error(`${names.labels}: label ${targets[bad]} at ${bad} is not a class 0 to 9`);
  const pixels = images.data;
  const floats = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) floats[i] = pixels[i] / 255;
  return {
    images: tensor(floats, { shape: [count, 1, 28, 28] }),
    labels: tensor(targets, { shape: [count], dtype: "int32" }),
    pixels,
    targets,
  };
}

function parseNamed(bytes: Uint8Array, name: string): ReturnType<typeof parseIdx> {
  try {
    return parseIdx(bytes);
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
