import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "./index.js";

describe("toString", () => {
  it("prints like torch, with requiresGrad", () => {
    expect(
      tensor(
        [
          [1, 2],
          [3, 4.5],
        ],
        { requiresGrad: true },
      ).toString(),
    ).toBe("tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], requiresGrad=true)");
  });

  it("prints integer-valued floats with a trailing dot, padded to one width", () => {
    expect(tensor([1, 2, 3]).toString()).toBe("tensor([1., 2., 3.])");
    expect(
      tensor([
        [1, -20],
        [300, 4],
      ]).toString(),
    ).toBe("tensor([[  1., -20.],\n        [300.,   4.]])");
    expect(tensor([-1.5, 2]).toString()).toBe("tensor([-1.5000,  2.0000])");
  });

  it("prints 0-d tensors as a bare number", () => {
    expect(tensor(3.5).toString()).toBe("tensor(3.5000)");
    expect(tensor(2).toString()).toBe("tensor(2.)");
  });

  it("names dtypes other than float32", () => {
    expect(tensor([1, -22], { dtype: "int32" }).toString()).toBe("tensor([  1, -22], dtype=int32)");
    expect(tensor([0.5], { dtype: "float64" }).toString()).toBe("tensor([0.5000], dtype=float64)");
  });

  it("switches to scientific notation for wide ranges, large or tiny values", () => {
    expect(tensor([1e-5, 1]).toString()).toBe("tensor([1.0000e-05, 1.0000e+00])");
    expect(tensor([1, 2000]).toString()).toBe("tensor([1.0000e+00, 2.0000e+03])");
    expect(tensor([2e8]).toString()).toBe("tensor([2.0000e+08])");
    expect(tensor([0, 1.5e10]).toString()).toBe("tensor([0.0000e+00, 1.5000e+10])");
  });

  it("prints nan and inf and all-zero tensors", () => {
    expect(tensor([NaN, Infinity, -1]).toString()).toBe("tensor([nan, inf, -1.])");
    expect(tensor([0, 0]).toString()).toBe("tensor([0., 0.])");
  });

  it("prints empty tensors with their size unless 1-d", () => {
    expect(Tensor.zeros([0]).toString()).toBe("tensor([])");
    expect(Tensor.zeros([2, 0]).toString()).toBe("tensor([], size=[2, 0])");
  });

  it("separates blocks of 3-d tensors with a blank line", () => {
    expect(Tensor.arange(8).reshape([2, 2, 2]).toString()).toBe(
      "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])",
    );
  });

  it("prints views in logical order", () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ])
        .transpose(0, 1)
        .toString(),
    ).toBe("tensor([[1., 3.],\n        [2., 4.]])");
  });

  it("wraps long rows at 80 columns", () => {
    const lines = Tensor.arange(30).mul(0.5).toString().split("\n");
    expect(lines[0]).toBe(
      "tensor([ 0.0000,  0.5000,  1.0000,  1.5000,  2.0000,  2.5000,  3.0000,  3.5000,",
    );
    expect(lines[1].startsWith("         4.0000,")).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("elides the middle of tensors over 1000 elements", () => {
    expect(Tensor.arange(2000).toString()).toBe(
      "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
    );
    const rows = Tensor.ones([40, 40]).toString().split("\n");
    expect(rows).toHaveLength(7);
    expect(rows[0]).toBe("tensor([[1., 1., 1.,  ..., 1., 1., 1.],");
    expect(rows[3]).toBe("        ...,");
    expect(Tensor.ones([1000]).toString()).not.toContain("...");
  });

  it("names the op that made a tensor, and moves a long suffix to its own line", () => {
    expect(tensor([1, 2], { requiresGrad: true }).mul(2).toString()).toBe(
      "tensor([2., 4.], gradFn=<mul>)",
    );
    const s = Tensor.ones([8], { dtype: "float64", requiresGrad: true }).mul(0.25).toString();
    expect(s).toBe(
      "tensor([0.2500, 0.2500, 0.2500, 0.2500, 0.2500, 0.2500, 0.2500, 0.2500],\n" +
        "       dtype=float64, gradFn=<mul>)",
    );
  });
});
