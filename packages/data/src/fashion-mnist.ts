// Fashion-MNIST (node-only): finds the IDX files (root, $FASHION_MNIST_DIR, the user cache, Debian's
// dataset-fashion-mnist), downloads them into the cache when no copy exists, checks their SHA-256
// digests and returns tensors. IDX parsing is in idx.ts; the download in fashion-mnist-download.ts.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Tensor } from "@tg/tensor";
import { downloadFile, makeProgress, type FetchLike } from "./fashion-mnist-download.js";
import { parseIdx, type Idx } from "./idx.js";

/** The ten class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** The official host of the four files. */
export const FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";

/** One of the four files: its name without `.gz` and its SHA-256 digests, gzipped and plain. */
export interface FashionMNISTFile {
  /** The file name without `.gz`. */
  name: string;
  /** SHA-256 of the official gzipped file. */
  gzSha256: string;
  /** SHA-256 of the uncompressed IDX contents. */
  rawSha256: string;
}

// gzSha256: the official .gz files (the digests published next to the data set by the batchup and
// mnists loaders; the publisher itself lists MD5s). rawSha256: the uncompressed IDX contents, which
// match published raw digests and Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1, whose
// .gz files are compressed differently. Local copies are checked by their contents (rawSha256),
// so any gzip of the official data, or the plain files, is accepted.
/** The four official files and their digests. */
export const FASHION_MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte",
    gzSha256: "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    rawSha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte",
    gzSha256: "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
    rawSha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
  },
  testImages: {
    name: "t10k-images-idx3-ubyte",
    gzSha256: "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
    rawSha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte",
    gzSha256: "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
    rawSha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  },
} as const satisfies Record<string, FashionMNISTFile>;

/** Settings of `loadFashionMNIST`. */
export interface FashionMNISTOptions {
  /** Which split: 60,000 training or 10,000 test images. */
  split: "train" | "test";
  /** A folder to look in first. */
  root?: string;
  /** Download the files into the cache when no copy is found (default true). */
  download?: boolean;
  /** Where downloads go (default `~/.cache/tg/fashion-mnist`). */
  cacheDir?: string;
  /** Base URL of the four `.gz` files (default the official host). */
  baseUrl?: string;
  /** The fetch function to download with (default the global `fetch`). */
  fetch?: FetchLike;
  /** A download is abandoned after this many milliseconds without data (default 30,000). */
  timeoutMs?: number;
  /** Report download progress on stderr: a bar on a terminal, plain lines otherwise (default true). */
  progress?: boolean;
}

const OPTION_KEYS = [
  "split",
  "root",
  "download",
  "cacheDir",
  "baseUrl",
  "fetch",
  "timeoutMs",
  "progress",
];

/** A loaded split: images [N,1,28,28] float32 in [0,1], labels [N] int32, and the class names. */
export interface FashionMNIST {
  /** [N, 1, 28, 28] float32 in [0, 1]. */
  images: Tensor;
  /** [N] int32 class indices, 0..9. */
  labels: Tensor;
  /** The ten class names, by index. */
  classes: string[];
  /** The folder the files were read from. */
  dir: string;
}

/** A folder to search, with how the error message names it (`dir` null: not configured). */
export interface SearchDir {
  label: string;
  dir: string | null;
}

/** Where to look, where to download to, and which files to expect. */
export interface Locations {
  search: SearchDir[];
  cacheDir: string;
  files: Record<keyof typeof FASHION_MNIST_FILES, FashionMNISTFile>;
}

/**
 * Loads a split of Fashion-MNIST (Xiao et al., 2017) as tensors. Looks in `root`, then
 * `$FASHION_MNIST_DIR`, then `~/.cache/tg/fashion-mnist`, then `/usr/share/datasets/fashion-mnist`
 * (Debian's `dataset-fashion-mnist`), accepting gzipped and plain IDX files; when none has the
 * split, downloads the four official files into the cache (atomically, SHA-256 checked). Node only.
 * @example
 * const { images, labels, classes } = await loadFashionMNIST({ split: "train" });
 * images.shape; // [60000, 1, 28, 28]
 */
export async function loadFashionMNIST(options: FashionMNISTOptions): Promise<FashionMNIST> {
  return loadFashionMNISTFrom(defaultLocations(options), options);
}

/** The search order of `loadFashionMNIST` for these options and environment. */
export function defaultLocations(
  options: Partial<FashionMNISTOptions>,
  env: NodeJS.ProcessEnv = process.env,
): Locations {
  const cacheDir = options.cacheDir ?? join(homedir(), ".cache", "tg", "fashion-mnist");
  const search: SearchDir[] = [
    ...(options.root === undefined ? [] : [{ label: "root option", dir: options.root }]),
    { label: "$FASHION_MNIST_DIR", dir: env.FASHION_MNIST_DIR || null },
    { label: "user cache", dir: cacheDir },
    { label: "Debian's dataset-fashion-mnist", dir: FASHION_MNIST_SYSTEM_DIR },
  ];
  return { search, cacheDir, files: FASHION_MNIST_FILES };
}

/** `loadFashionMNIST` with explicit locations (the search order, cache and expected files). */
export async function loadFashionMNISTFrom(
  locations: Locations,
  options: FashionMNISTOptions,
): Promise<FashionMNIST> {
  checkOptions(options);
  const { files } = locations;
  const wanted =
    options.split === "train"
      ? [files.trainImages, files.trainLabels]
      : [files.testImages, files.testLabels];
  for (const { dir } of locations.search) {
    const paths = dir === null ? null : findFiles(dir, wanted);
    if (paths !== null && dir !== null) return readSplit(dir, paths, wanted);
  }
  if (options.download === false) {
    throw notFound(locations, wanted, "downloading is off (download: false)");
  }
  const baseUrl = options.baseUrl ?? FASHION_MNIST_URL;
  try {
    await downloadMissing(locations, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`, options);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw notFound(locations, wanted, `downloading from ${baseUrl} failed: ${reason}`, e);
  }
  const paths = findFiles(locations.cacheDir, wanted);
  if (paths === null) throw notFound(locations, wanted, "the download left no files in the cache");
  return readSplit(locations.cacheDir, paths, wanted);
}

function checkOptions(options: FashionMNISTOptions): void {
  const { split, download = true, timeoutMs = 30_000 } = options;
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      const known = OPTION_KEYS.join(", ");
      throw new RangeError(
        `loadFashionMNIST: unknown option ${JSON.stringify(key)} (expected one of ${known})`,
      );
    }
  }
  if (split !== "train" && split !== "test") {
    throw new RangeError(
      `loadFashionMNIST: split must be "train" or "test", got ${JSON.stringify(split)}`,
    );
  }
  if (typeof download !== "boolean") {
    throw new RangeError(
      `loadFashionMNIST: download must be true or false, got ${String(download)}`,
    );
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`loadFashionMNIST: timeoutMs must be > 0, got ${timeoutMs}`);
  }
}

/** Downloads each of the four files the cache lacks, one after another. */
async function downloadMissing(
  locations: Locations,
  baseUrl: string,
  options: FashionMNISTOptions,
): Promise<void> {
  const report = makeProgress(options.progress === false ? null : process.stderr);
  const fetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  for (const file of Object.values(locations.files)) {
    if (findFile(locations.cacheDir, file) !== null) continue;
    const url = new URL(`${file.name}.gz`, baseUrl).href;
    const dest = join(locations.cacheDir, `${file.name}.gz`);
    await downloadFile(url, dest, file.gzSha256, { fetch, timeoutMs, report });
  }
}

/** The path of `file` in `dir`, plain or gzipped, or null. */
function findFile(dir: string, file: FashionMNISTFile): string | null {
  for (const name of [file.name, `${file.name}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

function findFiles(dir: string, files: FashionMNISTFile[]): string[] | null {
  const paths = files.map((f) => findFile(dir, f));
  return paths.every((p) => p !== null) ? paths.filter((p) => p !== null) : null;
}

function notFound(
  locations: Locations,
  wanted: FashionMNISTFile[],
  why: string,
  cause?: unknown,
): Error {
  const names = wanted.map((f) => `${f.name}[.gz]`).join(" and ");
  const looked = locations.search
    .map(({ label, dir }) => `  ${label}: ${dir ?? "not set"}`)
    .join("\n");
  return new Error(
    `loadFashionMNIST: found no folder with ${names}, and ${why}.\nLooked in:\n${looked}\n` +
      "To get the data: apt-get install dataset-fashion-mnist (Debian and Ubuntu), or download the four " +
      ".gz files from https://github.com/zalandoresearch/fashion-mnist into one of these folders or a " +
      "folder named by $FASHION_MNIST_DIR or the root option.",
    cause === undefined ? undefined : { cause },
  );
}

/** Reads, checks and converts one split's images and labels. */
function readSplit(
  dir: string,
  [imagesPath, labelsPath]: string[],
  [imagesFile, labelsFile]: FashionMNISTFile[],
): FashionMNIST {
  const images = readChecked(imagesPath, imagesFile);
  const labels = readChecked(labelsPath, labelsFile);
  const n = labels.shape[0];
  const [count, h, w] = images.shape;
  if (!(images.data instanceof Uint8Array) || images.shape.length !== 3 || h !== 28 || w !== 28) {
    throw new Error(
      `loadFashionMNIST: ${imagesPath} should hold u8 images [N,28,28], found [${images.shape.join(",")}]`,
    );
  }
  if (!(labels.data instanceof Uint8Array) || labels.shape.length !== 1 || n !== count) {
    throw new Error(
      `loadFashionMNIST: ${labelsPath} should hold ${count} u8 labels, found [${labels.shape.join(",")}]`,
    );
  }
  // one pass over all pixels into one tensor, no per-image tensors
  const imageTensor = Tensor.zeros([count, 1, 28, 28]);
  const pixels = imageTensor.storage.data;
  const src = images.data;
  for (let i = 0; i < src.length; i++) pixels[i] = src[i] / 255;
  const labelTensor = Tensor.zeros([n], { dtype: "int32" });
  const out = labelTensor.storage.data;
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label >= FASHION_MNIST_CLASSES.length) {
      throw new Error(
        `loadFashionMNIST: ${labelsPath} holds label ${label} at ${i}, expected 0..9`,
      );
    }
    out[i] = label;
  }
  return { images: imageTensor, labels: labelTensor, classes: [...FASHION_MNIST_CLASSES], dir };
}

/** Reads an IDX file, inflating it with Node's zlib (faster than the browser-safe path), and checks its contents' digest. */
function readChecked(path: string, file: FashionMNISTFile): Idx {
  const bytes = readFileSync(path);
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? inflate(path, bytes) : bytes;
  const digest = createHash("sha256").update(raw).digest("hex");
  if (digest !== file.rawSha256) {
    throw new Error(
      `loadFashionMNIST: ${path} does not hold the official ${file.name} (SHA-256 of its contents is ${digest}, ` +
        `expected ${file.rawSha256}); delete it to download a fresh copy`,
    );
  }
  return parseIdx(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
}

function inflate(path: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`loadFashionMNIST: ${path} is not a valid gzip file (${reason})`, { cause: e });
  }
}
