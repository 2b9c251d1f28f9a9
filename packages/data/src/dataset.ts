// Datasets: the Dataset interface and TensorDataset. Batching and shuffling are in dataloader.ts.

import { formatShape, noGrad, tensor, Tensor, TensorError } from "@tg/tensor";

/** Anything indexable with a length (PyTorch's map-style `Dataset`). */
export interface Dataset<T> {
  /** The number of items. */
  readonly length: number;
  /** Item `index`, 0 ≤ index < length. */
  get(index: number): T;
}

/** A dataset that can also build a whole batch at once, faster than stacking its items one by one. */
export interface BatchedDataset<T, B> extends Dataset<T> {
  /** The items at `indices`, already batched (what `DataLoader` would stack). */
  getBatch(indices: readonly number[]): B;
}

/**
 * Wraps tensors that share their first dim: item i is `[t0[i], t1[i], …]` (PyTorch's
 * `TensorDataset`). Items are views; `getBatch` copies the chosen rows straight from the typed
 * arrays, or returns a view when they are consecutive, so a `DataLoader` over it is cheap.
 * @example
 * const ds = new TensorDataset(images, labels); // images [N,1,28,28], labels [N]
 * const [x, y] = ds.get(0);                     // [1,28,28] and a 0-d label
 */
export class TensorDataset implements BatchedDataset<Tensor[], Tensor[]> {
  /** The wrapped tensors, made contiguous if they were strided views. */
  readonly tensors: readonly Tensor[];
  /** The number of rows (the tensors' shared first dim). */
  readonly length: number;

  /** A dataset whose item i is row i of each tensor; all need the same first dim. */
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new RangeError("TensorDataset: expected at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor))
        throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0)
        throw new TensorError("TensorDataset: tensors need a first dim to index, got a 0-d tensor");
    });
    const first = tensors[0].shape[0];
    if (tensors.some((t) => t.shape[0] !== first)) {
      const shapes = tensors.map((t) => formatShape(t.shape)).join(", ");
      throw new TensorError(
        `TensorDataset: tensors must have the same first dim, got shapes ${shapes}`,
      );
    }
    this.tensors = tensors.map(dense);
    this.length = first;
  }

  /** Row `index` of every tensor (views that share storage). */
  get(index: number): Tensor[] {
    checkIndex("TensorDataset", index, this.length);
    return this.tensors.map((t) => noGrad(() => t.slice(0, index, index + 1).squeeze(0)));
  }

  /** Rows `indices` of every tensor, stacked: a view for consecutive rows, else one copy per tensor. */
  getBatch(indices: readonly number[]): Tensor[] {
    indices.forEach((index) => checkIndex("TensorDataset", index, this.length));
    const start = indices[0];
    if (indices.length > 0 && indices.every((index, j) => index === start + j)) {
      return this.tensors.map((t) => noGrad(() => t.slice(0, start, start + indices.length)));
    }
    return this.tensors.map((t) => gatherRows(t, indices));
  }
}

function checkIndex(where: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${where}: index ${index} is out of range for ${length} items`);
  }
}

/** `t` itself when its rows are one gap-free run of its typed array, else a contiguous copy. */
function dense(t: Tensor): Tensor {
  const { shape, strides } = t.storage;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return tensor(t.dataSync(), { shape: t.shape });
    expected *= shape[i];
  }
  return t;
}

/** A new tensor of rows `indices` of the contiguous tensor `t`, copied with typed-array `set`. */
function gatherRows(t: Tensor, indices: readonly number[]): Tensor {
  const rowSize = t.shape.slice(1).reduce((n, d) => n * d, 1);
  const out = Tensor.zeros([indices.length, ...t.shape.slice(1)], { dtype: t.dtype });
  const src = t.storage.data;
  const dst = out.storage.data;
  const offset = t.storage.offset;
  indices.forEach((index, j) => {
    const from = offset + index * rowSize;
    dst.set(src.subarray(from, from + rowSize), j * rowSize);
  });
  return out;
}
