// indexSelect, index, gather, scatterAdd, maskedFill, tril/triu, split and chunk against values
// PyTorch produced, and their errors. Gradients of every form are gradchecked in gradcheck.test.ts.
import { describe, expect, it } from "vitest";
import { chunk, gather, indexSelect, maskedFill, scatterAdd, split, Tensor, tensor, TensorError, tril, triu, type NestedArray } from "../index.js";

const int = (values: NestedArray, shape?: number[]): Tensor => tensor(values, { dtype: "int32", shape });
/** The 3×4 float64 input of every torch reference below. */
const input = (requiresGrad = false): Tensor =>
  tensor(
    [
      [0.5, -1.25, 2.0, 0.75],
      [1.5, 0.25, -0.5, -2.0],
      [3.0, -0.75, 1.0, 0.125],
    ],
    { dtype: "float64", requiresGrad },
  );
const values = (t: Tensor | null): number[] => Array.from(t?.dataSync() ?? []);

describe("indexSelect and index", () => {
  it("pick slices along a dim, adding the gradients of repeated picks", () => {
    const x = input(true);
    const out = indexSelect(x, 1, int([3, 0, 3]));
    expect(out.shape).toEqual([3, 3]);
    expect(out.toArray()).toEqual([[0.75, 0.5, 0.75], [-2, 1.5, -2], [0.125, 3, 0.125]]);
    out.sum().backward();
    expect(x.grad?.toArray()).toEqual([[1, 0, 0, 2], [1, 0, 0, 2], [1, 0, 0, 2]]);
    expect(x.indexSelect(-2, int(2)).shape).toEqual([1, 4]);
  });

  it("index takes rows by an index tensor of any shape, negative from the end (torch 1.13: x[idx])", () => {
    const out = input().index(int([[0, -1], [2, 0]]));
    expect(out.shape).toEqual([2, 2, 4]);
    // torch 1.13
    expect(values(out)).toEqual([0.5, -1.25, 2.0, 0.75, 3.0, -0.75, 1.0, 0.125, 3.0, -0.75, 1.0, 0.125, 0.5, -1.25, 2.0, 0.75]);
  });

  it("refuse indices out of range, float indices and a 2-D index for indexSelect", () => {
    const x = input();
    expect(() => x.indexSelect(0, int([0, 3]))).toThrow("indexSelect: index 3 is out of range for dim 0 of shape [3,4] (expected 0..2)");
    expect(() => x.indexSelect(1, int([-1]))).toThrow(TensorError);
    expect(() => x.indexSelect(0, tensor([0]))).toThrow("indexSelect: index must be an int32 tensor, got float32 [1]");
    expect(() => x.indexSelect(0, int([[0]]))).toThrow("indexSelect: index must be 1-D or 0-d, got shape [1,1]");
    expect(() => x.indexSelect(2, int([0]))).toThrow("indexSelect: dim 2 is out of range");
    expect(() => x.index(int([-4]))).toThrow("index: index -4 is out of range for dim 0 of shape [3,4] (expected -3..2)");
  });
});

describe("gather and scatterAdd", () => {
  it("gather picks along a dim and scatters its gradient back, as torch", () => {
    const x = input(true);
    const out = gather(x, 0, int([[1, 0, 1], [2, 2, 0]]));
    // torch 1.13
    expect(values(out)).toEqual([1.5, -1.25, -0.5, 3.0, -0.75, 2.0]);
    out.mul(tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], { dtype: "float64" })).sum().backward();
    values(x.grad).forEach((v, i) => expect(v).toBeCloseTo([0.0, 0.2, 0.6, 0.0, 0.1, 0.0, 0.3, 0.0, 0.4, 0.5, 0.0, 0.0][i], 12));
  });

  it("scatterAdd adds src at its indices (repeats add up), as torch", () => {
    const x = input(true);
    const src = tensor([[1, 2], [4, 5], [7, 8]], { dtype: "float64", requiresGrad: true });
    const out = x.scatterAdd(1, int([[2, 0], [2, 3], [1, 2]]), src);
    // torch 1.13
    expect(values(out)).toEqual([2.5, -1.25, 3.0, 0.75, 1.5, 0.25, 3.5, 3.0, 3.0, 6.25, 9.0, 0.125]);
    out.mul(Tensor.arange(12, undefined, undefined, { dtype: "float64" }).reshape([3, 4]).div(10)).sum().backward();
    values(x.grad).forEach((v, i) => expect(v).toBeCloseTo(i / 10, 12));
    values(src.grad).forEach((v, i) => expect(v).toBeCloseTo([0.2, 0.0, 0.6, 0.7, 0.9, 1.0][i], 12));
    expect(values(scatterAdd(x, 0, int([[0, 0]]), tensor([[1, 1]], { dtype: "float64" })))[0]).toBe(1.5);
  });

  it("refuse mismatched dims, an index larger than the input, and indices out of range", () => {
    const x = input();
    expect(() => x.gather(0, int([0, 1]))).toThrow("gather: index and input must have the same number of dims, got [3,4], [2]");
    expect(() => x.gather(0, int([[0, 0, 0, 0, 0]]))).toThrow("gather: index [1,5] is larger than input [3,4] in dim 1");
    expect(() => x.gather(1, int([[4]]))).toThrow("gather: index 4 is out of range for dim 1 of shape [3,4] (expected 0..3)");
    expect(() => x.scatterAdd(0, int([[0, 0]]), tensor([[1]], { dtype: "float64" }))).toThrow(
      "scatterAdd: index [1,2] is larger than input [3,4] and src [1,1] in dim 1",
    );
    expect(() => x.scatterAdd(0, int([[0]]), tensor([[1]]))).toThrow("scatterAdd: src has dtype float32, expected float64 like the input");
    expect(() => x.scatterAdd(0, tensor([[0]]), x)).toThrow("scatterAdd: index must be an int32 tensor, got float32 [1,1]");
  });
});

describe("maskedFill", () => {
  it("fills where the broadcast mask is non-zero, as torch", () => {
    const out = maskedFill(input(), int([1, 0, 0, 1]), -1e9);
    // torch 1.13
    expect(values(out)).toEqual([-1e9, -1.25, 2.0, -1e9, -1e9, 0.25, -0.5, -1e9, -1e9, -0.75, 1.0, -1e9]);
    expect(out.dtype).toBe("float64");
  });

  it("gives no gradient to the filled positions", () => {
    const x = input(true);
    x.maskedFill(int([[1], [0], [1]]), -Infinity).exp().sum().backward();
    expect(values(x.grad).map((v, i) => (Math.floor(i / 4) === 1 ? v > 0 : v === 0))).toEqual(new Array<boolean>(12).fill(true));
  });

  it("refuses a mask that does not broadcast to the input's shape", () => {
    expect(() => input().maskedFill(int([[1], [0], [1], [0]]), 0)).toThrow("maskedFill: cannot broadcast [4,1] with [3,4]");
    expect(() => input().maskedFill(int([[[1]]]), 0)).toThrow("maskedFill: mask [1,1,1] does not broadcast to input [3,4]");
    expect(() => int([1, 2]).maskedFill(int([1, 0]), 0.5)).toThrow("maskedFill: cannot fill an int32 tensor with 0.5");
  });
});

describe("tril and triu", () => {
  it("keep the triangles of the last two dims with diagonal offsets, as torch", () => {
    const x = input();
    // torch 1.13
    expect(values(tril(x))).toEqual([0.5, 0, 0, 0, 1.5, 0.25, 0, 0, 3.0, -0.75, 1.0, 0]);
    expect(values(x.tril(-1))).toEqual([0, 0, 0, 0, 1.5, 0, 0, 0, 3.0, -0.75, 0, 0]);
    expect(values(x.tril(2))).toEqual([0.5, -1.25, 2.0, 0, 1.5, 0.25, -0.5, -2.0, 3.0, -0.75, 1.0, 0.125]);
    expect(values(triu(x))).toEqual([0.5, -1.25, 2.0, 0.75, 0, 0.25, -0.5, -2.0, 0, 0, 1.0, 0.125]);
    expect(values(x.triu(1))).toEqual([0, -1.25, 2.0, 0.75, 0, 0, -0.5, -2.0, 0, 0, 0, 0.125]);
    expect(values(x.triu(-2))).toEqual(values(x));
  });

  it("work batched, on views and on int32, and refuse 1-D input", () => {
    const x = Tensor.ones([2, 3, 3], { dtype: "int32" });
    expect(x.tril().sum().item()).toBe(12);
    expect(input().transpose(0, 1).triu().toArray()).toEqual([[0.5, 1.5, 3], [0, 0.25, -0.75], [0, 0, 1], [0, 0, 0]]);
    expect(() => tril(tensor([1, 2]))).toThrow("tril: expected a tensor of at least 2 dims, got [2]");
    expect(() => triu(input(), 0.5)).toThrow("triu: diagonal must be an integer, got 0.5");
  });
});

describe("split and chunk", () => {
  it("split by a size or by sizes, as torch, into views that pass gradients", () => {
    const x = input(true);
    expect(split(x, 3, 1).map((t) => t.shape)).toEqual([[3, 3], [3, 1]]);
    const [a, b] = x.split([1, 2]);
    expect(a.toArray()).toEqual([[0.5, -1.25, 2.0, 0.75]]);
    expect(b.shape).toEqual([2, 4]);
    expect(b.storage.data).toBe(x.storage.data);
    b.sum().backward();
    expect(x.grad?.sum(1).toArray()).toEqual([0, 4, 4]);
  });

  it("chunk cuts into ceil(n/chunks) pieces, fewer when n is small (torch: arange(5).chunk(4) gives 3)", () => {
    expect(chunk(Tensor.arange(5), 4).map((t) => t.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(input().chunk(2, -1).map((t) => t.shape)).toEqual([[3, 2], [3, 2]]);
    expect(input().chunk(5, 0).length).toBe(3);
  });

  it("refuse sizes that do not add up and bad counts", () => {
    expect(() => input().split([1, 1])).toThrow("split: sizes [1,1] add up to 2, but dim 0 of [3,4] has 3");
    expect(() => input().split(0)).toThrow("split: splitSize must be a positive integer, got 0");
    expect(() => input().chunk(0)).toThrow("chunk: chunks must be a positive integer, got 0");
  });
});
