import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "@tg/tensor";
import { gradcheckModule } from "./gradcheck-module.js";
import { Flatten, Reshape } from "./reshape.js";

describe("Reshape", () => {
  it("reshapes the whole input, inferring one -1", () => {
    expect(new Reshape([-1, 1, 28, 28]).forward(Tensor.zeros([64, 784])).shape).toEqual([64, 1, 28, 28]);
    expect(new Reshape([2, 3]).forward(tensor([1, 2, 3, 4, 5, 6])).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });
  it("has correct gradients", () => gradcheckModule(new Reshape([3, -1]), [[2, 3]]));
  it("names the input and target shapes when they do not fit", () => {
    expect(() => new Reshape([-1, 5]).forward(Tensor.zeros([2, 3]))).toThrow(
      "Reshape: cannot reshape input [2,3] (6 elements) to [-1,5]",
    );
    expect(() => new Reshape([4, 2]).forward(Tensor.zeros([2, 3]))).toThrow("Reshape: cannot reshape input [2,3]");
  });
  it("refuses a bad shape", () => {
    expect(() => new Reshape([-1, -1])).toThrow(new RangeError("Reshape: only one size may be -1, got [-1,-1]"));
    expect(() => new Reshape([2, -3])).toThrow(new RangeError("Reshape: every size in shape must be a non-negative integer, got -3"));
  });
});

describe("Flatten", () => {
  it("keeps the batch dim by default", () => {
    expect(new Flatten().forward(Tensor.zeros([64, 1, 28, 28])).shape).toEqual([64, 784]);
    expect(new Flatten(0).forward(Tensor.zeros([2, 3, 4])).shape).toEqual([24]);
    expect(new Flatten(1, 2).forward(Tensor.zeros([2, 3, 4, 5])).shape).toEqual([2, 12, 5]);
    expect(new Flatten().forward(tensor([[1, 2], [3, 4]])).toArray()).toEqual([[1, 2], [3, 4]]);
  });
  it("has correct gradients", () => gradcheckModule(new Flatten(), [[2, 3, 2]]));
  it("names dims that do not fit the input", () => {
    expect(() => new Flatten().forward(Tensor.zeros([5]))).toThrow("Flatten: cannot flatten dims 1..-1 of input [5]");
    expect(() => new Flatten(2.5)).toThrow(new RangeError("Flatten: startDim must be an integer, got 2.5"));
  });
});
