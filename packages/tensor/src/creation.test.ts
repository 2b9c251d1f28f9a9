import { beforeEach, describe, expect, it } from "vitest";
import {
  arange,
  eye,
  full,
  manualSeed,
  ones,
  onesLike,
  rand,
  randn,
  Rng,
  Tensor,
  tensor,
  TensorError,
  zeros,
  zerosLike,
} from "./index.js";

beforeEach(() => manualSeed(0));

describe("tensor", () => {
  it("infers the shape of nested arrays and defaults to float32", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.ndim).toBe(2);
    expect(t.size).toBe(6);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.storage.data).toBeInstanceOf(Float32Array);
  });

  it("makes 0-d tensors from numbers and empty tensors from empty arrays", () => {
    const s = tensor(2.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(2.5);
    expect(s.toArray()).toBe(2.5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).toArray()).toEqual([[], []]);
  });

  it("rounds to float32 by default and keeps float64 when asked", () => {
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: "float64" }).item()).toBe(0.1);
  });

  it("truncates toward zero for int32, like PyTorch", () => {
    expect(tensor([1.7, -1.7, 2], { dtype: "int32" }).toArray()).toEqual([1, -1, 2]);
    expect(tensor(new Float64Array([2.9, -0.5]), { dtype: "int32" }).toArray()).toEqual([2, 0]);
  });

  it("keeps a typed array's dtype and copies its data", () => {
    const data = new Int32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(data, { shape: [2, 3] });
    expect(t.dtype).toBe("int32");
    expect(t.shape).toEqual([2, 3]);
    data[0] = 100;
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(tensor(new Float32Array([1, 2]), { dtype: "float64" }).dtype).toBe("float64");
  });

  it("reshapes nested data to a given shape of the same size", () => {
    expect(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("makes float leaves that require grad", () => {
    const t = tensor([1, 2], { requiresGrad: true });
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(t.grad).toBeNull();
  });

  it("rejects ragged arrays, non-numbers and mismatched shapes", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(
      "tensor: ragged nested array: expected 2 elements at depth 1, got an array of 1",
    );
    expect(() => tensor([[1, 2], 3] as never)).toThrow(TensorError);
    expect(() => tensor(["a"] as never)).toThrow('tensor: expected a number at depth 1, got "a"');
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      "tensor: shape [2,2] needs 4 elements, got 3",
    );
    expect(() => tensor(new Float32Array(3), { shape: [2, 2] })).toThrow(
      "tensor: shape [2,2] needs 4 elements, got 3",
    );
  });

  it("rejects NaN and fractions in a shape", () => {
    expect(() => tensor([1, 2], { shape: [NaN] })).toThrow(
      "tensor: shape [NaN] must hold non-negative integers, got NaN",
    );
    expect(() => tensor([1, 2], { shape: [0.5, 4] })).toThrow(TensorError);
  });

  it("rejects unsupported typed arrays and dtypes", () => {
    expect(() => tensor(new Uint8Array(2) as never)).toThrow(
      "tensor: unsupported Uint8Array (expected Float32Array, Float64Array or Int32Array)",
    );
    expect(() => tensor([1], { dtype: "int64" as never })).toThrow(
      "tensor: unknown dtype int64 (expected float32, float64 or int32)",
    );
  });

  it("refuses requiresGrad for int32 data", () => {
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(
      "tensor: only float tensors can require grad, got int32",
    );
    expect(() => tensor(new Int32Array(2), { requiresGrad: true })).toThrow(TensorError);
  });
});

describe("zeros, ones, full, zerosLike, onesLike", () => {
  it("fill a shape with a value, float32 by default", () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([2], 7, { dtype: "int32" }).toArray()).toEqual([7, 7]);
    expect(full([], 3).shape).toEqual([]);
    expect(zeros([2, 0, 3]).size).toBe(0);
    expect(Tensor.ones([1]).dtype).toBe("float32");
  });

  it("follow the source's shape and dtype unless a dtype is given", () => {
    const x = tensor([[1, 2]], { dtype: "float64" });
    expect(zerosLike(x).dtype).toBe("float64");
    expect(onesLike(x).toArray()).toEqual([[1, 1]]);
    expect(onesLike(x, { dtype: "int32" }).dtype).toBe("int32");
    expect(zerosLike(x, { dtype: undefined }).dtype).toBe("float64");
  });

  it("reject bad shapes and values", () => {
    expect(() => zeros([2, -1])).toThrow(
      "zeros: shape [2,-1] must hold non-negative integers, got -1",
    );
    expect(() => ones([1.5])).toThrow("ones: shape [1.5] must hold non-negative integers, got 1.5");
    expect(() => zeros(3 as never)).toThrow("zeros: shape must be an array of sizes, got 3");
    expect(() => full([2], "x" as never)).toThrow('full: value must be a number, got "x"');
    expect(() => ones([2], { dtype: "int32", requiresGrad: true })).toThrow(
      "ones: only float tensors can require grad, got int32",
    );
  });
});

describe("arange", () => {
  it("counts like torch.arange, in float32 by default", () => {
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(4).dtype).toBe("float32");
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(arange(5, 1, -2).toArray()).toEqual([5, 3]);
    expect(arange(0, 1, 0.25, { dtype: "float64" }).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.1).size).toBe(10);
    expect(arange(3, 3).size).toBe(0);
    expect(Tensor.arange(3, undefined, undefined, { dtype: "int32" }).dtype).toBe("int32");
  });

  it("rejects a zero or wrong-way step and non-finite bounds", () => {
    expect(() => arange(0, 5, 0)).toThrow(
      "arange: start, stop and step must be finite with step != 0, got 0, 5, 0",
    );
    expect(() => arange(0, 5, -1)).toThrow("arange: step -1 moves away from stop 5 (start 0)");
    expect(() => arange(Infinity)).toThrow(TensorError);
    expect(() => arange(NaN)).toThrow(TensorError);
  });
});

describe("eye", () => {
  it("makes the identity", () => {
    expect(eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(2, { dtype: "int32" }).dtype).toBe("int32");
    expect(eye(0).shape).toEqual([0, 0]);
    expect(() => eye(-1)).toThrow("eye: shape [-1,-1] must hold non-negative integers, got -1");
  });
});

describe("rand and randn", () => {
  it("draw from the global generator, which manualSeed resets", () => {
    manualSeed(3);
    const a = rand([4]).toArray();
    manualSeed(3);
    expect(rand([4]).toArray()).toEqual(a);
    expect(rand([4]).toArray()).not.toEqual(a);
  });

  it("draw from opts.rng when given, leaving the global one alone", () => {
    const a = randn([3], { rng: new Rng(5), dtype: "float64" });
    const b = randn([3], { rng: new Rng(5), dtype: "float64" });
    expect(a.toArray()).toEqual(b.toArray());
    manualSeed(0);
    const first = rand([2]).toArray();
    manualSeed(0);
    randn([10], { rng: new Rng(1) });
    expect(rand([2]).toArray()).toEqual(first);
  });

  it("give uniform values in [0, 1)", () => {
    const data = rand([1000]).dataSync();
    expect(Math.min(...data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...data)).toBeLessThan(1);
  });

  it("make leaves that may require grad, but never int32 ones", () => {
    expect(randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => rand([2], { dtype: "int32" })).toThrow(
      "rand: dtype must be float32 or float64, got int32",
    );
    expect(() => randn([2], { dtype: "int32" })).toThrow(TensorError);
  });
});

describe("creation past the typed-array limit", () => {
  it.each([
    ["zeros", () => zeros([1e6, 1e6]), "zeros: shape [1000000,1000000] has 1000000000000 elements, more than the 4294967296 a float32 tensor can hold"],
    ["ones", () => ones([65536, 65537], { dtype: "int32" }), "ones: shape [65536,65537] has 4295032832 elements, more than the 4294967296 a int32 tensor can hold"],
    ["full", () => full([1e10], 2, { dtype: "float64" }), "full: shape [10000000000] has 10000000000 elements, more than the 4294967296 a float64 tensor can hold"],
    ["eye", () => eye(1e6), "eye: shape [1000000,1000000] has 1000000000000 elements"],
    ["arange", () => arange(0, 1e12), "arange: shape [1000000000000] has 1000000000000 elements"],
    ["rand", () => rand([1e5, 1e5, 1e5]), "rand: shape [100000,100000,100000] has 1000000000000000 elements"],
    ["randn", () => randn([1e9, 1e9, 1e9]), "randn: shape [1000000000,1000000000,1000000000] has 1000000000000000000000000000 elements"],
  ])("%s throws a TensorError naming the op and the shape before allocating", (_, make, message) => {
    expect(make).toThrow(TensorError);
    expect(make).toThrow(message);
  });

  it("names zerosLike and onesLike too", () => {
    const huge = zeros([1, 1]).expand([1e6, 1e6]);
    expect(() => zerosLike(huge)).toThrow("zerosLike: shape [1000000,1000000] has 1000000000000 elements");
    expect(() => onesLike(huge)).toThrow("onesLike: shape [1000000,1000000] has 1000000000000 elements");
  });

  it("turns an allocation past the limit inside an op into a TensorError too", () => {
    const column = zeros([1e6, 1]);
    const row = zeros([1, 1e6]);
    expect(() => column.add(row)).toThrow(TensorError);
    expect(() => column.add(row)).toThrow("has 1000000000000 elements, more than the 4294967296 a float32 tensor can hold");
  });
});
