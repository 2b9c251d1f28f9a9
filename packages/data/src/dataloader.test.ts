import { describe, expect, it } from "vitest";
import { arange, manualSeed, tensor, Tensor, TensorError } from "@tg/tensor";
import { DataLoader, TensorDataset, type Dataset } from "./index.js";

/** Passes a value of the wrong type, as plain JavaScript callers can. */
function untyped<T>(value: unknown): T {
  return value as T;
}

const ten = (): TensorDataset =>
  new TensorDataset(
    arange(20).reshape([10, 2]),
    arange(10, undefined, undefined, { dtype: "int32" }),
  );

/** The labels of every batch of one epoch. */
function epochLabels(loader: DataLoader<Tensor[]>): number[][] {
  return [...loader].map(([, y]) => Array.from(y.dataSync()));
}

describe("DataLoader", () => {
  it("yields stacked [x, y] batches in order, keeping the last partial batch", () => {
    const loader = new DataLoader(ten(), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x]) => x.shape)).toEqual([
      [4, 2],
      [4, 2],
      [2, 2],
    ]);
    expect(batches[2][0].toArray()).toEqual([
      [16, 17],
      [18, 19],
    ]);
    expect(epochLabels(loader)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it("drops the last partial batch with dropLast", () => {
    const loader = new DataLoader(ten(), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epochLabels(loader)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it("defaults to batches of one", () => {
    const loader = new DataLoader(ten());
    expect(loader.length).toBe(10);
    expect([...loader][3][0].shape).toEqual([1, 2]);
  });

  it("shuffles each epoch differently, every epoch a permutation, reproducible from the seed", () => {
    const a = new DataLoader(ten(), { batchSize: 3, shuffle: true, seed: 7 });
    const epochs = [epochLabels(a), epochLabels(a), epochLabels(a)];
    for (const e of epochs)
      expect(e.flat().sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
    expect(a.epoch).toBe(3);
    // a fresh loader with the same seed repeats the same epochs; another seed does not
    const b = new DataLoader(ten(), { batchSize: 3, shuffle: true, seed: 7 });
    expect([epochLabels(b), epochLabels(b), epochLabels(b)]).toEqual(epochs);
    const c = new DataLoader(ten(), { batchSize: 3, shuffle: true, seed: 8 });
    expect(epochLabels(c)).not.toEqual(epochs[0]);
  });

  it("makes epoch k's order depend only on the seed and k", () => {
    const a = new DataLoader(ten(), { shuffle: true, seed: 123 });
    const b = new DataLoader(ten(), { shuffle: true, seed: 123 });
    expect(a.order(5)).toEqual(b.order(5));
    expect([...b].length).toBe(10);
    expect(b.order(0)).toEqual(a.order(0));
    expect(a.order(0)).not.toEqual(a.order(1));
    expect(a.order(2).length).toBe(10);
  });

  it("draws the seed from the global Rng when none is given", () => {
    manualSeed(3);
    const a = new DataLoader(ten(), { shuffle: true });
    manualSeed(3);
    const b = new DataLoader(ten(), { shuffle: true });
    expect(a.seed).toBe(b.seed);
    expect(epochLabels(a)).toEqual(epochLabels(b));
  });

  it("stacks items of any dataset: tensors, arrays of tensors, or leaves other items as arrays", () => {
    const squares: Dataset<Tensor> = { length: 5, get: (i) => tensor([i, i * i]) };
    const batches = [...new DataLoader(squares, { batchSize: 2 })];
    expect(batches.map((b) => b.toArray())).toEqual([
      [
        [0, 0],
        [1, 1],
      ],
      [
        [2, 4],
        [3, 9],
      ],
      [[4, 16]],
    ]);

    const pairs: Dataset<[Tensor, Tensor]> = {
      length: 3,
      get: (i) => [tensor([i]), tensor(i * 10, { dtype: "int32" })],
    };
    const [[x, y]] = [...new DataLoader(pairs, { batchSize: 3 })];
    expect(x.toArray()).toEqual([[0], [1], [2]]);
    expect(y.toArray()).toEqual([0, 10, 20]);
    expect(y.dtype).toBe("int32");

    const words: Dataset<string> = { length: 3, get: (i) => ["a", "b", "c"][i] };
    expect([...new DataLoader(words, { batchSize: 2 })]).toEqual([["a", "b"], ["c"]]);
  });

  it("refuses items that do not have the form of the first one", () => {
    const mixed: Dataset<Tensor[]> = {
      length: 2,
      get: (i) => (i === 0 ? [tensor([1]), tensor([2])] : [tensor([1])]),
    };
    expect(() => [...new DataLoader(mixed, { batchSize: 2 })]).toThrow(
      new TensorError("DataLoader: item 1 is not an array of 2 tensors like item 0"),
    );
  });

  it("handles an empty dataset", () => {
    const loader = new DataLoader(new TensorDataset(Tensor.zeros([0, 3])), {
      batchSize: 4,
      shuffle: true,
      seed: 1,
    });
    expect(loader.length).toBe(0);
    expect([...loader]).toEqual([]);
  });

  it("refuses bad options at construction with a RangeError", () => {
    const ds = ten();
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(
      new RangeError("DataLoader: batchSize must be a positive integer, got 0"),
    );
    expect(() => new DataLoader(ds, { batchSize: -4 })).toThrow(
      "DataLoader: batchSize must be a positive integer, got -4",
    );
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(
      "DataLoader: batchSize must be a positive integer, got 2.5",
    );
    expect(() => new DataLoader(ds, { batchSize: untyped("64") })).toThrow(
      'DataLoader: batchSize must be a positive integer, got "64"',
    );
    expect(() => new DataLoader(ds, { shuffle: untyped("yes") })).toThrow(
      new RangeError('DataLoader: shuffle must be true or false, got "yes"'),
    );
    expect(() => new DataLoader(ds, { dropLast: untyped(1) })).toThrow(
      "DataLoader: dropLast must be true or false, got 1",
    );
    expect(() => new DataLoader(ds, { seed: -1 })).toThrow(
      "DataLoader: seed must be an integer in [0, 2^32), got -1",
    );
    expect(() => new DataLoader(ds, untyped({ batch_size: 4 }))).toThrow(
      'DataLoader: unknown option "batch_size"',
    );
    expect(() => new DataLoader(untyped<Dataset<number>>({}), {})).toThrow(TypeError);
  });

  it("batches 6,000 rows of 784 floats through getBatch, never item by item", () => {
    const n = 6000;
    const images = Tensor.zeros([n, 1, 28, 28]);
    const labels = Tensor.zeros([n], { dtype: "int32" });
    const dataset = new TensorDataset(images, labels);
    let itemCalls = 0;
    let batchCalls = 0;
    const get = dataset.get.bind(dataset);
    const getBatch = dataset.getBatch.bind(dataset);
    dataset.get = (index) => (itemCalls++, get(index));
    dataset.getBatch = (indices) => (batchCalls++, getBatch(indices));
    const loader = new DataLoader(dataset, { batchSize: 64, shuffle: true, seed: 0 });
    let rows = 0;
    for (const [x, y] of loader) {
      expect(y.shape[0]).toBe(x.shape[0]);
      rows += x.shape[0];
    }
    expect(rows).toBe(n);
    expect(loader.length).toBe(94);
    // one getBatch call per batch and no per-item calls: the work per batch is a row copy
    expect([batchCalls, itemCalls]).toEqual([94, 0]);
  });
});
