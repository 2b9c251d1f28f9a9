import { describe, expect, it } from "vitest";
import { gradcheck, Tensor, tensor } from "@tg/tensor";
import { mseLoss } from "./mse.js";

describe("mseLoss", () => {
  const input = tensor([[1, 2], [3, 4]]);
  const target = tensor([[1, 4], [0, 4]]);

  it("averages, sums or returns the squared errors", () => {
    // squared errors [[0, 4], [9, 0]]: sum 13, mean 13 / 4
    expect(mseLoss(input, target).item()).toBe(3.25);
    expect(mseLoss(input, target, { reduction: "sum" }).item()).toBe(13);
    expect(mseLoss(input, target, { reduction: "none" }).toArray()).toEqual([[0, 4], [9, 0]]);
  });

  it("has correct gradients for input and target", () => {
    gradcheck((a, b) => mseLoss(a, b), [[3, 4], [3, 4]]);
    gradcheck((a, b) => mseLoss(a, b, { reduction: "none" }), [[5], [5]]);
  });

  it("refuses shapes that differ, naming both", () => {
    expect(() => mseLoss(Tensor.zeros([4, 1]), Tensor.zeros([4]))).toThrow(
      "mseLoss: input [4,1] and target [4] must have the same shape",
    );
  });

  it("refuses a bad reduction", () => {
    // @ts-expect-error: not a reduction
    expect(() => mseLoss(input, target, { reduction: "mena" })).toThrow(
      new RangeError('mseLoss: reduction must be "mean", "sum" or "none", got "mena"'),
    );
  });
});
