import { describe, expect, it } from "vitest";
import { Tensor, tensor, TensorError, where, type DType } from "../index.js";

const f64 = (data: number[] | number[][]) => tensor(data, { dtype: "float64" });
const grad = (x: Tensor): unknown => x.grad?.toArray();

describe("binary ops", () => {
  it("compute element by element", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4, 5, 6]);
    expect(a.add(b).toArray()).toEqual([5, 7, 9]);
    expect(a.sub(b).toArray()).toEqual([-3, -3, -3]);
    expect(a.mul(b).toArray()).toEqual([4, 10, 18]);
    expect(
      f64([1, 3])
        .div(f64([4, 2]))
        .toArray(),
    ).toEqual([0.25, 1.5]);
    expect(a.pow(2).toArray()).toEqual([1, 4, 9]);
    expect(
      tensor([1, 5])
        .maximum(tensor([3, 2]))
        .toArray(),
    ).toEqual([3, 5]);
    expect(
      tensor([1, 5])
        .minimum(tensor([3, 2]))
        .toArray(),
    ).toEqual([1, 2]);
  });

  it("broadcast like NumPy, from the right", () => {
    const a = tensor([[1], [2]]); // [2,1]
    const b = tensor([10, 20, 30]); // [3]
    expect(a.add(b).toArray()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(Tensor.ones([2, 1, 3]).mul(tensor([[1], [2]])).shape).toEqual([2, 2, 3]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .add(tensor(10))
        .toArray(),
    ).toEqual([
      [11, 12],
      [13, 14],
    ]);
    expect(Tensor.zeros([0, 3]).add(tensor([1, 2, 3])).shape).toEqual([0, 3]);
  });

  it("refuse negative integer powers of int32 values, as PyTorch does", () => {
    const i = tensor([2, 3], { dtype: "int32" });
    expect(i.pow(2).toArray()).toEqual([4, 9]);
    expect(() => i.pow(-1)).toThrow(
      "pow: int32 values cannot be raised to a negative int32 power, got -1",
    );
    expect(() => i.pow(tensor([1, -2], { dtype: "int32" }))).toThrow(TensorError);
    expect(i.pow(-0.5).dtype).toBe("float32");
    expect(i.to("float32").pow(-1).toArray()).toEqual([0.5, Math.fround(1 / 3)]);
  });

  it("take a JS number as a 0-d operand", () => {
    expect(tensor([1, 2]).sub(1).toArray()).toEqual([0, 1]);
    expect(
      tensor([[2, 4]])
        .div(2)
        .toArray(),
    ).toEqual([[1, 2]]);
  });

  it("read transposed and sliced (non-contiguous) operands correctly", () => {
    const x = Tensor.arange(6, undefined, undefined, { dtype: "float64" }).reshape([2, 3]);
    const t = x.transpose(0, 1); // [[0,3],[1,4],[2,5]]
    expect(t.add(t).toArray()).toEqual([
      [0, 6],
      [2, 8],
      [4, 10],
    ]);
    expect(t.mul(tensor([1, -1])).toArray()).toEqual([
      [0, -3],
      [1, -4],
      [2, -5],
    ]);
    expect(x.slice(1, 1).exp().toArray()).toEqual([
      [Math.exp(1), Math.exp(2)],
      [Math.exp(4), Math.exp(5)],
    ]);
    expect(
      x
        .slice(1, 0, 2)
        .sub(x.slice(1, 1, 3))
        .toArray(),
    ).toEqual([
      [-1, -1],
      [-1, -1],
    ]);
  });

  it("names both shapes when they do not broadcast", () => {
    expect(() =>
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]).add(tensor([1, 2, 3, 4])),
    ).toThrow("add: cannot broadcast [2,3] with [4]");
    expect(() => Tensor.zeros([2, 3]).mul(Tensor.zeros([3, 2]))).toThrow(
      "mul: cannot broadcast [2,3] with [3,2]",
    );
    expect(() => tensor([1]).add("2" as never)).toThrow(
      "add: expected a tensor or a number, got string",
    );
  });
});

describe("dtype promotion (API.md)", () => {
  const cases: [DType, DType | number, DType][] = [
    ["int32", "int32", "int32"],
    ["int32", "float32", "float32"],
    ["float32", "int32", "float32"],
    ["float32", "float64", "float64"],
    ["int32", "float64", "float64"],
    ["int32", 2, "int32"],
    ["int32", 1.5, "float32"],
    ["float32", 2, "float32"],
    ["float64", 0.5, "float64"],
  ];
  it.each(cases)("%s with %s gives %s", (a, b, out) => {
    const x = tensor([1, 2], { dtype: a });
    const y = typeof b === "number" ? b : tensor([3, 4], { dtype: b });
    for (const r of [x.add(y), x.sub(y), x.mul(y), x.maximum(y), x.eq(y)])
      expect(r.dtype).toBe(out);
  });

  it("keeps int32 arithmetic in int32 and makes true division float32", () => {
    const a = tensor([7, -7], { dtype: "int32" });
    expect(a.add(1).toArray()).toEqual([8, -6]);
    expect(a.add(0.5).toArray()).toEqual([7.5, -6.5]);
    expect(a.div(2).dtype).toBe("float32");
    expect(a.div(tensor([2, 2], { dtype: "int32" })).toArray()).toEqual([3.5, -3.5]);
  });

  it("makes exp, log, sqrt, sigmoid and tanh of int32 float32, and keeps neg, abs, relu int32", () => {
    const a = tensor([1, 4], { dtype: "int32" });
    for (const r of [a.exp(), a.log(), a.sqrt(), a.sigmoid(), a.tanh()])
      expect(r.dtype).toBe("float32");
    for (const r of [a.neg(), a.abs(), a.relu()]) expect(r.dtype).toBe("int32");
    expect(a.sqrt().toArray()).toEqual([1, 2]);
  });
});

describe("unary ops", () => {
  it("compute their functions", () => {
    const x = f64([-2, -0.5, 0, 0.5, 2]);
    const xs = [-2, -0.5, 0, 0.5, 2];
    expect(x.neg().toArray()).toEqual(xs.map((v) => -v));
    expect(x.abs().toArray()).toEqual(xs.map(Math.abs));
    expect(x.relu().toArray()).toEqual([0, 0, 0, 0.5, 2]);
    expect(x.exp().toArray()).toEqual(xs.map(Math.exp));
    expect(x.tanh().toArray()).toEqual(xs.map(Math.tanh));
    const sig = x.sigmoid().dataSync();
    xs.forEach((v, i) => expect(sig[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 15));
    expect(f64([1, 4, 0.25]).sqrt().toArray()).toEqual([1, 2, 0.5]);
    expect(f64([1, Math.E]).log().toArray()).toEqual([0, 1]);
  });

  it("give the values their definitions give at NaN, ±Infinity, ±0, extremes and subnormals", () => {
    const edge = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324, -5e-324, 1.5, -2];
    const x = f64(edge);
    const same = (t: Tensor, fn: (v: number) => number) =>
      expect(Array.from(t.dataSync())).toEqual(edge.map(fn));
    same(x.neg(), (v) => -v);
    same(x.exp(), Math.exp);
    same(x.relu(), (v) => (v > 0 || Number.isNaN(v) ? v : 0));
    same(x.add(x), (v) => v + v);
    same(x.sub(1), (v) => v - 1);
    same(x.mul(-3), (v) => v * -3);
    same(x.div(2), (v) => v / 2);
    same(x.gt(0), (v) => (v > 0 ? 1 : 0));
    same(x.lt(0), (v) => (v < 0 ? 1 : 0));
    same(x.ge(0), (v) => (v >= 0 ? 1 : 0));
    same(x.le(0), (v) => (v <= 0 ? 1 : 0));
    same(x.eq(x), (v) => (v === v ? 1 : 0));
    expect(tensor([-1e38, 3e38, NaN]).relu().toArray()).toEqual([0, Math.fround(3e38), NaN]);
  });

  it("keep sigmoid finite and exact at large |x|", () => {
    expect(f64([-1000, 1000]).sigmoid().toArray()).toEqual([0, 1]);
  });

  it("work on 0-d and empty tensors", () => {
    expect(tensor(-3).abs().toArray()).toBe(3);
    expect(Tensor.zeros([0, 2]).exp().shape).toEqual([0, 2]);
  });

  it("propagate NaN through maximum and minimum", () => {
    expect(
      tensor([NaN, 1])
        .maximum(tensor([0, NaN]))
        .toArray(),
    ).toEqual([NaN, NaN]);
    expect(tensor([NaN, 1]).minimum(0).toArray()).toEqual([NaN, 0]);
  });
});

describe("gradients at kinks and ties (API.md)", () => {
  it("are 0 for relu and abs at 0", () => {
    const x = f64([-1, 0, 2]);
    x.requiresGrad = true;
    x.relu().sum().backward();
    expect(grad(x)).toEqual([0, 0, 1]);
    x.grad = null;
    x.abs().sum().backward();
    expect(grad(x)).toEqual([-1, 0, 1]);
  });

  it("pass relu's gradient where x > 0 only, keep infinite gradients and follow strided views", () => {
    const x = tensor([-1, 0, 2, NaN, 3, -0], { requiresGrad: true });
    const g = tensor([5, 6, Infinity, 8, -Infinity, 9]);
    x.relu().backward(g);
    // NOTE: a NaN input passes its gradient, as PyTorch's threshold_backward does
    expect(grad(x)).toEqual([0, 0, Infinity, 8, -Infinity, 0]);
    const m = tensor([[1, -2], [-3, 4]], { requiresGrad: true });
    const t = m.transpose(0, 1);
    t.relu().backward(tensor([[10, 20], [30, 40]]).transpose(0, 1));
    expect(grad(m)).toEqual([[10, 0], [0, 40]]);
    const d = f64([-1, 0.5]);
    d.requiresGrad = true;
    d.relu().backward(f64([Infinity, Infinity]));
    expect(grad(d)).toEqual([0, Infinity]);
  });

  it("give no gradient to a mul or sub operand that does not require one", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const mask = tensor([0, 3]);
    x.mul(mask).sub(mask).sum().backward();
    expect(grad(x)).toEqual([0, 3]);
    expect(mask.grad).toBeNull();
  });

  it("pass clamp's gradient where min <= x <= max, bounds included, as PyTorch", () => {
    const x = f64([0, 1, 2, 3, NaN]);
    x.requiresGrad = true;
    const clampGrad = (min: number | null, max: number | null): unknown => {
      x.grad = null;
      x.clamp(min, max).sum().backward();
      return grad(x);
    };
    // from torch 1.13: x.clamp(...).sum().backward() for x = [0, 1, 2, 3, nan]
    expect(clampGrad(1, 2)).toEqual([0, 1, 1, 0, 0]);
    expect(clampGrad(1, null)).toEqual([0, 1, 1, 1, 0]);
    expect(clampGrad(null, 2)).toEqual([1, 1, 1, 0, 0]);
    expect(clampGrad(1, 1)).toEqual([0, 1, 0, 0, 0]);
    expect(clampGrad(2, 1)).toEqual([0, 0, 0, 0, 0]);
  });

  it("split evenly between tied operands of maximum and minimum", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([1, 5, 0], { requiresGrad: true });
    a.maximum(b).sum().backward();
    expect(grad(a)).toEqual([0.5, 0, 1]);
    expect(grad(b)).toEqual([0.5, 1, 0]);
    a.grad = null;
    b.grad = null;
    a.minimum(b).sum().backward();
    expect(grad(a)).toEqual([0.5, 1, 0]);
    expect(grad(b)).toEqual([0.5, 0, 1]);
  });

  it("pass maximum's and minimum's gradient to both operands where either is NaN, as PyTorch", () => {
    const a = f64([NaN, 1, NaN, 2, 3, 1]);
    const b = f64([1, NaN, NaN, 2, 1, 3]);
    const g = f64([2, 3, 4, 5, 6, 7]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    // from torch 1.13: torch.maximum(a, b).backward(g), then torch.minimum
    a.maximum(b).backward(g);
    expect(grad(a)).toEqual([2, 3, 4, 2.5, 6, 0]);
    expect(grad(b)).toEqual([2, 3, 4, 2.5, 0, 7]);
    a.grad = null;
    b.grad = null;
    a.minimum(b).backward(g);
    expect(grad(a)).toEqual([2, 3, 4, 2.5, 0, 7]);
    expect(grad(b)).toEqual([2, 3, 4, 2.5, 6, 0]);
  });

  it("follow PyTorch's limits for pow at a zero base or exponent", () => {
    const a = f64([0, 0, 2]);
    const b = f64([0, 2, 0]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    a.pow(b).sum().backward();
    expect(grad(a)).toEqual([0, 0, 0]); // d/da = b·a^(b-1), taken as 0 where b = 0
    expect(grad(b)).toEqual([0, 0, Math.log(2)]); // d/db = a^b·ln a, taken as 0 where a = 0, b >= 0
  });

  it("sum a broadcast operand's gradient back to its shape", () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const bias = tensor([1, 1, 1], { requiresGrad: true });
    x.mul(bias).sum().backward();
    expect(grad(bias)).toEqual([5, 7, 9]);
    expect(grad(x)).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
  });
});

describe("clamp", () => {
  it("limits to [min, max], with either bound optional", () => {
    const x = tensor([-3, 0.5, 3]);
    expect(x.clamp(-1, 1).toArray()).toEqual([-1, 0.5, 1]);
    expect(x.clamp(0).toArray()).toEqual([0, 0.5, 3]);
    expect(x.clamp(null, 0).toArray()).toEqual([-3, 0, 0]);
    expect(tensor([NaN]).clamp(0, 1).toArray()).toEqual([NaN]);
  });

  it("keeps int32 for integer bounds and goes float32 for fractional ones", () => {
    const i = tensor([-5, 5], { dtype: "int32" });
    expect(i.clamp(-1, 1).dtype).toBe("int32");
    expect(i.clamp(-1.5, 1.5).toArray()).toEqual([-1.5, 1.5]);
  });

  it("sets every element to max when min > max, as PyTorch", () => {
    // from torch 1.13: torch.tensor([0, 1, 2, 3], dtype=torch.int32).clamp(2, 1)
    expect(tensor([0, 1, 2, 3], { dtype: "int32" }).clamp(2, 1).toArray()).toEqual([1, 1, 1, 1]);
    expect(f64([0, 0.5, 2.5, 3]).clamp(2.5, 0.5).toArray()).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it("rejects missing or NaN bounds", () => {
    expect(() => tensor([1]).clamp()).toThrow("clamp: give at least one of min and max");
    expect(() => tensor([1]).clamp(NaN)).toThrow("clamp: bounds must be numbers, got NaN");
  });
});

describe("where", () => {
  it("picks from a where cond is non-zero and from b elsewhere, all broadcast", () => {
    const cond = tensor([[1], [0]], { dtype: "int32" });
    expect(where(cond, tensor([1, 2]), tensor([-1, -2])).toArray()).toEqual([
      [1, 2],
      [-1, -2],
    ]);
    expect(where(tensor([0.5, 0, -1]), 1, 0).toArray()).toEqual([1, 0, 1]);
    expect(where(tensor([1, 0]), tensor([5, 5], { dtype: "int32" }), 0.5).toArray()).toEqual([
      5, 0.5,
    ]);
  });

  it("sends the gradient to the side that was picked", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([[4, 5, 6]], { requiresGrad: true });
    where(tensor([1, 0, 1]), a, b)
      .mul(tensor([1, 2, 3]))
      .sum()
      .backward();
    expect(grad(a)).toEqual([1, 0, 3]);
    expect(grad(b)).toEqual([[0, 2, 0]]);
  });

  it("rejects shapes that do not broadcast", () => {
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), 0)).toThrow(
      "where: cannot broadcast [2] with [3]",
    );
    expect(() => where(1 as never, tensor([1]), 0)).toThrow(
      "where: cond must be a tensor, got number",
    );
  });
});

describe("to", () => {
  it("casts, truncating toward zero into int32, and returns the tensor itself for its own dtype", () => {
    const x = tensor([1.7, -1.7]);
    expect(x.to("int32").toArray()).toEqual([1, -1]);
    expect(x.to("float64").dtype).toBe("float64");
    expect(x.to("float32")).toBe(x);
  });

  it("is differentiable between float dtypes and cuts the graph into int32", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.to("float64");
    expect(y.requiresGrad).toBe(true);
    y.mul(y).sum().backward();
    expect(x.grad?.dtype).toBe("float32");
    expect(grad(x)).toEqual([2, 4]);
    expect(x.to("int32").requiresGrad).toBe(false);
  });

  it("rejects unknown dtypes", () => {
    expect(() => tensor([1]).to("int8" as never)).toThrow(TensorError);
  });
});
