import { describe, expect, it } from "vitest";
import { arange, tensor, TensorError } from "@tg/tensor";
import { TensorDataset } from "./index.js";

describe("TensorDataset", () => {
  const x = arange(12).reshape([4, 3]);
  const y = tensor([10, 11, 12, 13], { dtype: "int32" });

  it("item i is row i of each tensor", () => {
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(2);
    expect(xi.toArray()).toEqual([6, 7, 8]);
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(12);
    expect(yi.dtype).toBe("int32");
  });

  it("getBatch returns a view for consecutive rows and a copy otherwise", () => {
    const ds = new TensorDataset(x, y);
    const [xs, ys] = ds.getBatch([1, 2]);
    expect(xs.toArray()).toEqual([
      [3, 4, 5],
      [6, 7, 8],
    ]);
    expect(xs.storage.data).toBe(x.storage.data);
    expect(ys.toArray()).toEqual([11, 12]);
    const [xg, yg] = ds.getBatch([3, 0, 3]);
    expect(xg.toArray()).toEqual([
      [9, 10, 11],
      [0, 1, 2],
      [9, 10, 11],
    ]);
    expect(xg.storage.data).not.toBe(x.storage.data);
    expect(yg.toArray()).toEqual([13, 10, 13]);
    expect(yg.dtype).toBe("int32");
  });

  it("copies strided tensors into contiguous ones so rows can be gathered", () => {
    const t = arange(6).reshape([2, 3]).transpose(0, 1); // [3,2] view
    const ds = new TensorDataset(t);
    expect(ds.getBatch([2, 0])[0].toArray()).toEqual([
      [2, 5],
      [0, 3],
    ]);
    expect(ds.get(1)[0].toArray()).toEqual([1, 4]);
  });

  it("keeps items and batches out of the autograd graph", () => {
    const w = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const ds = new TensorDataset(w);
    expect(ds.get(0)[0].requiresGrad).toBe(false);
    expect(ds.getBatch([0, 1])[0].requiresGrad).toBe(false);
  });

  it("refuses tensors of different lengths, naming their shapes, and bad indices", () => {
    expect(() => new TensorDataset(x, tensor([1, 2, 3]))).toThrow(
      new TensorError("TensorDataset: tensors must have the same first dim, got shapes [4,3], [3]"),
    );
    expect(() => new TensorDataset()).toThrow(RangeError);
    expect(() => new TensorDataset(tensor(3))).toThrow(TensorError);
    const ds = new TensorDataset(x);
    expect(() => ds.get(4)).toThrow(
      new RangeError("TensorDataset: index 4 is out of range for 4 items"),
    );
    expect(() => ds.get(-1)).toThrow(RangeError);
    expect(() => ds.getBatch([0, 1.5])).toThrow(
      "TensorDataset: index 1.5 is out of range for 4 items",
    );
  });
});
