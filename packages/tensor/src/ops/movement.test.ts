import { describe, expect, it } from "vitest";
import { cat, stack, Tensor, tensor, TensorError } from "../index.js";

const m = tensor([
  [1, 2, 3],
  [4, 5, 6],
]); // [2,3]
const cube = Tensor.arange(24).reshape([2, 3, 4]);

describe("reshape and flatten", () => {
  it("keep the row-major order, with one -1 inferred", () => {
    expect(m.reshape([3, 2]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(m.reshape([-1]).toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.reshape([1, -1, 2]).shape).toEqual([1, 3, 2]);
    expect(tensor(7).reshape([1, 1]).toArray()).toEqual([[7]]);
    expect(tensor([7]).reshape([]).shape).toEqual([]);
    expect(Tensor.zeros([0, 4]).reshape([4, 0, 2]).shape).toEqual([4, 0, 2]);
  });

  it("copy non-contiguous data in logical order", () => {
    expect(m.transpose(0, 1).reshape([6]).toArray()).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("flatten a range of dims", () => {
    expect(cube.flatten().shape).toEqual([24]);
    expect(cube.flatten(1).shape).toEqual([2, 12]);
    expect(cube.flatten(0, -2).shape).toEqual([6, 4]);
    expect(tensor(3).flatten().shape).toEqual([1]);
    expect(() => cube.flatten(2, 1)).toThrow("flatten: startDim 2 comes after endDim 1");
    expect(() => tensor(3).flatten(1)).toThrow("flatten: dim 1 is out of range for a 0-d tensor");
  });

  it("name both shapes and sizes when they do not match", () => {
    expect(() => m.reshape([4, 2])).toThrow(
      "reshape: cannot reshape [2,3] (6 elements) into [4,2] (8 elements)",
    );
    expect(() => m.reshape([4, -1])).toThrow(
      "reshape: cannot reshape [2,3] (6 elements) into [4,-1]",
    );
    expect(() => m.reshape([-1, -1])).toThrow("reshape: only one dim may be -1, got [-1,-1]");
    expect(() => m.reshape([2, NaN])).toThrow("reshape: invalid size NaN in [2,NaN]");
    expect(() => m.reshape([1.5, 4])).toThrow("reshape: invalid size 1.5 in [1.5,4]");
    expect(() => m.reshape(6 as never)).toThrow("reshape: shape must be an array, got 6");
  });
});

describe("transpose and permute", () => {
  it("reorder dims, with negative dims", () => {
    expect(m.transpose(0, 1).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(m.transpose(-1, -2).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(cube.permute(2, 0, 1).shape).toEqual([4, 2, 3]);
    expect(cube.permute(2, 0, 1).toArray()).toEqual(cube.transpose(0, 2).transpose(1, 2).toArray());
    expect(cube.permute(-1, 1, 0).slice(0, 1, 2).flatten().toArray()).toEqual([
      1, 13, 5, 17, 9, 21,
    ]);
  });

  it("reject bad dims", () => {
    expect(() => m.transpose(0, 2)).toThrow(
      "transpose: dim 2 is out of range for a 2-d tensor (expected -2..1)",
    );
    expect(() => cube.permute(0, 1)).toThrow(
      "permute: expected 3 dims for shape [2,3,4], got [0,1]",
    );
    expect(() => cube.permute(0, 1, 1)).toThrow("permute: dims [0,1,1] repeat a dim");
    expect(() => cube.permute(0, 1, 0.5)).toThrow("permute: dim must be an integer, got 0.5");
  });
});

describe("squeeze and unsqueeze", () => {
  const t = Tensor.zeros([1, 3, 1, 2]);
  it("remove size-1 dims, all or one", () => {
    expect(t.squeeze().shape).toEqual([3, 2]);
    expect(t.squeeze(0).shape).toEqual([3, 1, 2]);
    expect(t.squeeze(-2).shape).toEqual([1, 3, 2]);
    expect(t.squeeze(1).shape).toEqual([1, 3, 1, 2]); // size 3: unchanged, as in PyTorch
    expect(tensor([5]).squeeze().shape).toEqual([]);
  });

  it("insert a size-1 dim at any position from -(ndim+1) to ndim", () => {
    expect(m.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(m.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(m.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(m.unsqueeze(-3).shape).toEqual([1, 2, 3]);
    expect(m.unsqueeze(1).toArray()).toEqual([[[1, 2, 3]], [[4, 5, 6]]]);
    expect(tensor(1).unsqueeze(0).shape).toEqual([1]);
  });

  it("name the valid range of dims", () => {
    expect(() => m.unsqueeze(3)).toThrow(
      "unsqueeze: dim 3 is out of range for a 2-d tensor (expected -3..2)",
    );
    expect(() => t.squeeze(4)).toThrow(
      "squeeze: dim 4 is out of range for a 4-d tensor (expected -4..3)",
    );
  });
});

describe("expand", () => {
  it("repeats size-1 dims and adds leading dims without copying", () => {
    const col = tensor([[1], [2]]);
    expect(col.expand([2, 3]).toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(col.expand([2, 2, -1]).shape).toEqual([2, 2, 1]);
    expect(tensor(4).expand([2]).toArray()).toEqual([4, 4]);
    expect(col.expand([2, 0]).shape).toEqual([2, 0]);
  });

  it("rejects sizes it cannot reach", () => {
    expect(() => m.expand([4, 3])).toThrow("expand: cannot expand [2,3] to [4,3]");
    expect(() => m.expand([3])).toThrow("expand: cannot expand [2,3] to [3]");
    expect(() => tensor([1]).expand([-1, 2])).toThrow("expand: cannot expand [1] to [-1,2]");
    expect(() => tensor([1]).expand([NaN])).toThrow("expand: cannot expand [1] to [NaN]");
    expect(() => tensor([1]).expand(undefined as never)).toThrow(
      "expand: shape must be an array, got undefined",
    );
  });

  it("sums the gradient over expanded dims", () => {
    const b = tensor([[1], [2]], { requiresGrad: true });
    b.expand([2, 3])
      .mul(tensor([1, 2, 3]))
      .sum()
      .backward();
    expect(b.grad?.toArray()).toEqual([[6], [6]]);
  });
});

describe("slice", () => {
  const v = tensor([0, 1, 2, 3, 4]);
  it("takes the half-open range [start, end) along a dim", () => {
    expect(v.slice(0, 1, 3).toArray()).toEqual([1, 2]);
    expect(v.slice(0, 2).toArray()).toEqual([2, 3, 4]);
    expect(m.slice(1, 1, 2).toArray()).toEqual([[2], [5]]);
    expect(m.slice(-1, 0, 1).toArray()).toEqual([[1], [4]]);
  });

  it("counts negative indices from the end and clips like Python", () => {
    expect(v.slice(0, -2).toArray()).toEqual([3, 4]);
    expect(v.slice(0, 1, -1).toArray()).toEqual([1, 2, 3]);
    expect(v.slice(0, -10, 10).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(v.slice(0, 3, 1).shape).toEqual([0]);
  });

  it("puts the gradient back in place, zeros elsewhere", () => {
    const a = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    a.slice(1, 1)
      .mul(tensor([10, 20]))
      .sum()
      .backward();
    expect(a.grad?.toArray()).toEqual([
      [0, 10, 20],
      [0, 10, 20],
    ]);
  });

  it("rejects fractional indices, bad dims and 0-d tensors", () => {
    expect(() => v.slice(0, 0.5)).toThrow("slice: indices must be integers, got 0.5");
    expect(() => v.slice(0, 0, NaN)).toThrow("slice: indices must be integers, got NaN");
    expect(() => v.slice(1, 0)).toThrow(
      "slice: dim 1 is out of range for a 1-d tensor (expected -1..0)",
    );
    expect(() => tensor(1).slice(0, 0)).toThrow("slice: cannot slice a 0-d tensor");
    expect(() => v.slice(0, undefined as never)).toThrow(
      "slice: indices must be integers, got undefined",
    );
  });
});

describe("cat and stack", () => {
  it("cat joins along an existing dim, promoting dtypes", () => {
    expect(cat([m, tensor([[7, 8, 9]])]).toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(cat([m, tensor([[0], [0]])], -1).toArray()).toEqual([
      [1, 2, 3, 0],
      [4, 5, 6, 0],
    ]);
    const mixed = cat([tensor([1], { dtype: "int32" }), tensor([0.5], { dtype: "float64" })]);
    expect(mixed.dtype).toBe("float64");
    expect(mixed.toArray()).toEqual([1, 0.5]);
    expect(cat([Tensor.zeros([0, 3]), m]).shape).toEqual([2, 3]);
  });

  it("stack joins along a new dim", () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(stack([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([a, b], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([a, b], -1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });

  it("split the gradient back to each input", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([[3, 4]], { requiresGrad: true });
    cat([a.unsqueeze(0), b])
      .mul(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      )
      .sum()
      .backward();
    expect(a.grad?.toArray()).toEqual([1, 2]);
    expect(b.grad?.toArray()).toEqual([[3, 4]]);
    const c = tensor([5, 6], { requiresGrad: true });
    stack([c, c], 1)
      .mul(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      )
      .sum()
      .backward();
    expect(c.grad?.toArray()).toEqual([3, 7]);
  });

  it("name the tensor whose shape does not fit", () => {
    expect(() => cat([])).toThrow("cat: expected at least one tensor");
    expect(() => cat([m, tensor([1, 2, 3])])).toThrow(
      "cat: tensor 1 has shape [3], expected [2,3] except in dim 0",
    );
    expect(() => cat([tensor(1)])).toThrow("cat: zero-dimensional tensors cannot be concatenated");
    expect(() => stack([tensor([1]), tensor([1, 2])])).toThrow(
      "stack: tensor 1 has shape [2], expected [1] like tensor 0",
    );
    expect(() => stack([m], 3)).toThrow(
      "stack: dim 3 is out of range for a 2-d tensor (expected -3..2)",
    );
    expect(() => stack([])).toThrow(TensorError);
  });
});

describe("clone", () => {
  it("copies into fresh contiguous memory and stays in the graph", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const c = a.clone();
    expect(c.storage.data).not.toBe(a.storage.data);
    c.mul(3).sum().backward();
    expect(a.grad?.toArray()).toEqual([3, 3]);
  });
});

describe("isContiguous", () => {
  it("is true for fresh tensors and row slices, false for transposes, expands and column slices", () => {
    const x = Tensor.arange(12).reshape([3, 4]);
    expect(x.isContiguous()).toBe(true);
    expect(x.slice(0, 1, 3).isContiguous()).toBe(true);
    expect(x.transpose(0, 1).isContiguous()).toBe(false);
    expect(x.slice(1, 0, 2).isContiguous()).toBe(false);
    expect(Tensor.ones([1, 4]).expand([3, 4]).isContiguous()).toBe(false);
    expect(x.transpose(0, 1).reshape([12]).isContiguous()).toBe(true); // a copy
  });
});
