// DataLoader: batches of a Dataset, optionally shuffled with a seed (epoch k's order depends only
// on the seed and k). Datasets are in dataset.ts.

import { getGlobalRng, Rng, stack, Tensor, TensorError } from "@tg/tensor";
import type { BatchedDataset, Dataset } from "./dataset.js";

/** What a batch of items of type T looks like: tensors are stacked, arrays of tensors position by position. */
export type Batch<T> = T extends Tensor ? Tensor : T extends readonly Tensor[] ? Tensor[] : T[];

/** Settings of `DataLoader`. */
export interface DataLoaderOptions {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Visit the items in a new random order each epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Seed of the shuffle, an integer in [0, 2^32); default: drawn from the global Rng at construction. */
  seed?: number;
}

const KEYS = ["batchSize", "shuffle", "dropLast", "seed"];

/**
 * Iterates over a dataset in batches (PyTorch's `DataLoader`, single-process). Each `for … of` pass
 * is one epoch; with `shuffle`, epoch k visits the items in an order that depends only on the seed
 * and k, so runs repeat exactly. Items that are tensors are stacked into one tensor, items that are
 * arrays of tensors are stacked position by position (a `TensorDataset` gives `[x, y]`), any other
 * items come as an array. `length` is the number of batches per epoch.
 * @example
 * const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [x, y] of loader) {
 *   // x: [64,1,28,28], y: [64]; the last batch may be smaller
 * }
 */
export class DataLoader<T> implements Iterable<Batch<T>> {
  /** The dataset batches are drawn from. */
  readonly dataset: Dataset<T>;
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the items in a new order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is skipped. */
  readonly dropLast: boolean;
  /** The seed of the shuffle (drawn from the global Rng when not given). */
  readonly seed: number;
  private epochsStarted = 0;

  /** Batches `dataset`; bad options throw a RangeError here. */
  constructor(dataset: Dataset<T>, options: DataLoaderOptions = {}) {
    if (
      typeof dataset !== "object" ||
      dataset === null ||
      typeof dataset.get !== "function" ||
      !Number.isInteger(dataset.length)
    ) {
      throw new TypeError(
        "DataLoader: expected a dataset with an integer length and a get(index) method",
      );
    }
    checkOptions(options);
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 1;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.seed = options.seed ?? getGlobalRng().nextUint32();
  }

  /** The number of batches in one epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The number of epochs started so far (the next pass is epoch `epoch`). */
  get epoch(): number {
    return this.epochsStarted;
  }

  /** The order in which epoch `epoch` visits the items: 0..n-1, or a seeded permutation of it. */
  order(epoch: number): number[] {
    const n = this.dataset.length;
    const indices = Array.from({ length: n }, (_, i) => i);
    if (!this.shuffle) return indices;
    // Fisher–Yates with a generator seeded from (seed, epoch)
    const rng = new Rng(mixSeed(this.seed, epoch));
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = indices[i];
      indices[i] = indices[j];
      indices[j] = tmp;
    }
    return indices;
  }

  /** Starts the next epoch. */
  [Symbol.iterator](): Iterator<Batch<T>> {
    return this.batches(this.epochsStarted++);
  }

  private *batches(epoch: number): Generator<Batch<T>> {
    const order = this.order(epoch);
    const count = this.length;
    for (let b = 0; b < count; b++) {
      const indices = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      yield hasGetBatch<T>(this.dataset)
        ? this.dataset.getBatch(indices)
        : collate(indices.map((i) => this.dataset.get(i)));
    }
  }
}

function checkOptions(options: DataLoaderOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new RangeError(`DataLoader: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key))
      throw new RangeError(
        `DataLoader: unknown option ${JSON.stringify(key)} (expected one of ${KEYS.join(", ")})`,
      );
  }
  const { batchSize, shuffle, dropLast, seed } = options;
  if (
    batchSize !== undefined &&
    (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize <= 0)
  ) {
    throw new RangeError(
      `DataLoader: batchSize must be a positive integer, got ${show(batchSize)}`,
    );
  }
  for (const [key, value] of [
    ["shuffle", shuffle],
    ["dropLast", dropLast],
  ] as const) {
    if (value !== undefined && typeof value !== "boolean") {
      throw new RangeError(`DataLoader: ${key} must be true or false, got ${show(value)}`);
    }
  }
  if (
    seed !== undefined &&
    (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
  ) {
    throw new RangeError(`DataLoader: seed must be an integer in [0, 2^32), got ${show(seed)}`);
  }
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** A 32-bit seed for epoch `epoch` from the loader's seed (splitmix-style mixing of both). */
function mixSeed(seed: number, epoch: number): number {
  let z = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hasGetBatch<T>(dataset: Dataset<T>): dataset is BatchedDataset<T, Batch<T>> {
  return "getBatch" in dataset && typeof dataset.getBatch === "function";
}

/**
 * Stacks tensors, or arrays of tensors position by position; other items stay an array (PyTorch's
 * `default_collate` for tensors). Every item must have the form of item 0.
 */
export function collate<T>(items: readonly T[]): Batch<T> {
  const list: readonly unknown[] = items;
  const first = list[0];
  if (first instanceof Tensor) {
    const bad = list.findIndex((x) => !(x instanceof Tensor));
    if (bad >= 0) throw new TensorError(`DataLoader: item ${bad} is not a Tensor like item 0`);
    return stack(list.filter((x) => x instanceof Tensor)) as Batch<T>;
  }
  if (isTensorRow(first) && first.length > 0) {
    const rows = list.filter(isTensorRow);
    const bad = list.findIndex((x) => !isTensorRow(x) || x.length !== first.length);
    if (bad >= 0)
      throw new TensorError(
        `DataLoader: item ${bad} is not an array of ${first.length} tensors like item 0`,
      );
    return first.map((_, k) => stack(rows.map((row) => row[k]))) as Batch<T>;
  }
  return [...items] as Batch<T>;
}

function isTensorRow(x: unknown): x is readonly Tensor[] {
  return Array.isArray(x) && x.every((t) => t instanceof Tensor);
}
