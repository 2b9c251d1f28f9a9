import { describe, expect, it } from "vitest";
import { Rng, Tensor, tensor, TensorError } from "../index.js";

const x = tensor([
  [1, 5, 3],
  [4, 2, 6],
]); // [2,3]
const cube = Tensor.arange(24).reshape([2, 3, 4]);

describe("sum and mean", () => {
  it("reduce everything to a 0-d tensor without dim", () => {
    expect(x.sum().shape).toEqual([]);
    expect(x.sum().item()).toBe(21);
    expect(x.mean().item()).toBe(3.5);
  });

  it("keep every dim as 1 with keepdim and no dim", () => {
    expect(x.sum(null, true).shape).toEqual([1, 1]);
    expect(x.mean(undefined, true).toArray()).toEqual([[3.5]]);
  });

  it("reduce one dim, a negative dim, or several", () => {
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(-1).toArray()).toEqual([9, 12]);
    expect(x.sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(cube.sum([0, 2]).toArray()).toEqual([60, 92, 124]);
    expect(cube.sum([-1, 0], true).shape).toEqual([1, 3, 1]);
    expect(cube.mean([0, 1]).toArray()).toEqual([10, 11, 12, 13]);
  });

  it("read non-contiguous inputs", () => {
    expect(x.transpose(0, 1).sum(1).toArray()).toEqual([5, 7, 9]);
    expect(cube.permute(2, 0, 1).sum(-1).toArray()).toEqual(cube.sum(1).transpose(0, 1).toArray());
    expect(tensor([1, 2]).expand([3, 2]).sum(0).toArray()).toEqual([3, 6]);
  });

  it("sum leading dims of contiguous data (a bias gradient) exactly as the general walk does", () => {
    const base = Tensor.randn([3, 4, 5], { rng: new Rng(2) });
    const x = base.slice(0, 1, 3); // contiguous, at an offset
    // dims [1, 0] take the general walk over the same rows in the same order
    expect(x.sum([0, 1]).toArray()).toEqual(x.sum([1, 0]).toArray());
    expect(x.sum(0).toArray()).toEqual(x.permute(1, 2, 0).sum(-1).toArray());
    expect(x.sum([0, 1], true).shape).toEqual([1, 1, 5]);
    expect(Tensor.zeros([0, 3]).sum(0).toArray()).toEqual([0, 0, 0]);
  });

  it("handle 0-d and empty tensors as PyTorch does", () => {
    expect(tensor(4).sum().item()).toBe(4);
    expect(tensor(4).sum(0).item()).toBe(4);
    expect(tensor(4).mean(-1).item()).toBe(4);
    expect(Tensor.zeros([0, 3]).sum(0).toArray()).toEqual([0, 0, 0]);
    expect(Tensor.zeros([0, 3]).sum(1).shape).toEqual([0]);
    expect(Tensor.zeros([0]).mean().item()).toBeNaN();
    const s = tensor(3, { dtype: "float64", requiresGrad: true });
    s.max().add(s.min()).backward();
    expect(s.grad?.item()).toBe(2);
  });

  it("keep int32 sums in int32 and make int32 means float32", () => {
    const i = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "int32" },
    );
    expect(i.sum(0).dtype).toBe("int32");
    expect(i.sum(0).toArray()).toEqual([4, 6]);
    expect(i.mean().dtype).toBe("float32");
    expect(i.mean().item()).toBe(2.5);
  });

  it("refuse an int32 sum whose exact result leaves int32, where PyTorch gives int64", () => {
    const big = (v: number[]) => tensor(v, { dtype: "int32" });
    // from torch 1.13: these sums are the int64 2147483648 and -2147483649
    expect(() => big([2147483647, 1]).sum()).toThrow(
      "sum: the int32 sum 2147483648 of a [2] tensor is outside the int32 range [-2147483648, 2147483647]; cast to float64 first",
    );
    expect(() => big([-2147483648, -1]).sum()).toThrow(TensorError);
    expect(() => tensor([[2147483647, 0], [1, 0]], { dtype: "int32" }).sum(0)).toThrow(
      "sum: the int32 sum 2147483648 of a [2,2] tensor",
    );
    // only the exact result counts, not a partial sum on the way (torch 1.13: 2147483647)
    expect(big([2147483647, 1, -1]).sum().item()).toBe(2147483647);
    expect(big([-2147483648, 0]).sum().dtype).toBe("int32");
    // the mean is taken in float64, so no partial sum overflows (torch 1.13, in float64: 2147483647)
    expect(big([2147483647, 2147483647]).mean().item()).toBe(Math.fround(2147483647));
  });

  it("accumulate float32 in double precision", () => {
    // a float32 running sum loses the 1 (1e8 + 1 rounds to 1e8); a float64 one keeps it
    expect(tensor([1e8, 1, -1e8]).sum().item()).toBe(1);
    expect(
      tensor([
        [1e8, 1e8],
        [1, 1],
        [-1e8, -1e8],
      ])
        .sum(0)
        .toArray(),
    ).toEqual([1, 1]);
  });

  it("spread the gradient evenly", () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    a.mean(0)
      .mul(tensor([1, 2]))
      .sum()
      .backward();
    expect(a.grad?.toArray()).toEqual([
      [0.5, 1],
      [0.5, 1],
    ]);
  });
});

describe("max and min", () => {
  it("return values (amax/amin) over dims", () => {
    expect(x.max().item()).toBe(6);
    expect(x.min().item()).toBe(1);
    expect(x.max(0).toArray()).toEqual([4, 5, 6]);
    expect(x.min(-1, true).toArray()).toEqual([[1], [2]]);
    expect(cube.max([0, 1]).toArray()).toEqual([20, 21, 22, 23]);
  });

  it("work on int32 tensors of negative numbers", () => {
    const i = tensor(
      [
        [-5, -3],
        [-4, -9],
      ],
      { dtype: "int32" },
    );
    expect(i.max().item()).toBe(-3);
    expect(i.max(1).toArray()).toEqual([-3, -4]);
    expect(i.neg().min(0).toArray()).toEqual([4, 3]);
    expect(i.max().dtype).toBe("int32");
  });

  it("propagate NaN", () => {
    expect(tensor([1, NaN, 3]).max().item()).toBeNaN();
    expect(
      tensor([
        [NaN, 1],
        [2, 3],
      ])
        .min(0)
        .toArray(),
    ).toEqual([NaN, 1]);
  });

  it("split the gradient evenly among tied extremes", () => {
    const a = tensor(
      [
        [3, 1, 3],
        [2, 2, 0],
      ],
      { requiresGrad: true },
    );
    a.max(1).sum().backward();
    expect(a.grad?.toArray()).toEqual([
      [0.5, 0, 0.5],
      [0.5, 0.5, 0],
    ]);
    const b = tensor([1, 1, 1, 5], { requiresGrad: true });
    b.min().backward();
    expect(b.grad?.toArray()).toEqual([1 / 3, 1 / 3, 1 / 3, 0].map(Math.fround));
  });

  it("refuse to reduce an empty dim", () => {
    expect(() => Tensor.zeros([0, 3]).max(0)).toThrow(
      "max: cannot reduce dim 0 of size 0 (shape [0,3])",
    );
    expect(() => Tensor.zeros([0]).min()).toThrow(TensorError);
    expect(Tensor.zeros([0, 3]).max(1).shape).toEqual([0]);
  });
});

describe("argmax", () => {
  it("gives int32 indices of the first maximum along a dim", () => {
    const a = tensor([
      [1, 7, 7],
      [9, 2, 9],
    ]);
    const i = a.argmax(1);
    expect(i.dtype).toBe("int32");
    expect(i.toArray()).toEqual([1, 0]);
    expect(a.argmax(0).toArray()).toEqual([1, 0, 1]);
    expect(a.argmax(-1, true).toArray()).toEqual([[1], [0]]);
  });

  it("gives the flat index as a 0-d tensor without dim", () => {
    const a = tensor([
      [1, 7],
      [9, 9],
    ]);
    expect(a.argmax().shape).toEqual([]);
    expect(a.argmax().item()).toBe(2);
    expect(a.argmax(null, true).shape).toEqual([1, 1]);
    expect(tensor(5).argmax().item()).toBe(0);
  });

  it("reads strided inputs and treats NaN as the maximum", () => {
    expect(
      tensor([
        [1, 2],
        [3, 0],
      ])
        .transpose(0, 1)
        .argmax(1)
        .toArray(),
    ).toEqual([1, 0]);
    expect(tensor([1, NaN, 5]).argmax().item()).toBe(1);
    expect(tensor([-Infinity, -Infinity]).argmax().item()).toBe(0);
  });

  it("has no gradient", () => {
    expect(tensor([1, 2], { requiresGrad: true }).argmax().requiresGrad).toBe(false);
  });

  it("rejects empty inputs and bad dims", () => {
    expect(() => Tensor.zeros([0]).argmax()).toThrow(
      "argmax: cannot reduce an empty tensor (shape [0])",
    );
    expect(() => Tensor.zeros([2, 0]).argmax(1)).toThrow("argmax: cannot reduce dim 1 of size 0");
    expect(Tensor.zeros([0, 2]).argmax(1).shape).toEqual([0]);
    expect(() => x.argmax(2)).toThrow(
      "argmax: dim 2 is out of range for a 2-d tensor (expected -2..1)",
    );
  });
});

describe("dim errors", () => {
  it("name the op, the dim and the valid range", () => {
    expect(() => x.sum(2)).toThrow("sum: dim 2 is out of range for a 2-d tensor (expected -2..1)");
    expect(() => x.mean(-3)).toThrow(
      "mean: dim -3 is out of range for a 2-d tensor (expected -2..1)",
    );
    expect(() => x.max([0, 5])).toThrow("max: dim 5 is out of range");
  });

  it("reject NaN, fractions and repeated dims", () => {
    expect(() => x.sum(NaN)).toThrow("sum: dim must be an integer, got NaN");
    expect(() => x.min(0.5)).toThrow("min: dim must be an integer, got 0.5");
    expect(() => x.sum([1, -1])).toThrow("sum: dims [1,-1] name the same dim twice");
    expect(() => x.sum("1" as never)).toThrow(TensorError);
  });

  it("refuse dim = [], where PyTorch reduces every dim and NumPy none", () => {
    for (const op of ["sum", "mean", "max", "min"] as const) {
      expect(() => x[op]([])).toThrow(`${op}: dim = [] names no dim; omit dim to reduce every dim`);
      expect(() => tensor(4)[op]([], true)).toThrow(TensorError);
    }
  });
});
