import { describe, expect, it } from "vitest";
import { broadcastShapes, formatShape, TensorError } from "./index.js";
import {
  broadcastStrides,
  checkShape,
  contiguousStrides,
  normalizeDim,
  normalizeDims,
  sizeOf,
} from "./shape.js";

describe("shapes", () => {
  it("print as [64,784]", () => {
    expect(formatShape([64, 784])).toBe("[64,784]");
    expect(formatShape([])).toBe("[]");
  });

  it("have row-major strides and a size", () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([3, 0])).toBe(0);
  });

  it("must be arrays of non-negative integers", () => {
    expect(checkShape("op", [2, 0, 1])).toEqual([2, 0, 1]);
    expect(() => checkShape("op", [2, NaN])).toThrow(
      "op: shape [2,NaN] must hold non-negative integers, got NaN",
    );
    expect(() => checkShape("op", [Infinity])).toThrow(TensorError);
    expect(() => checkShape("op", "23")).toThrow("op: shape must be an array of sizes, got 23");
  });
});

describe("broadcasting", () => {
  it("aligns shapes from the right and stretches size-1 dims", () => {
    expect(broadcastShapes("op", [2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes("op", [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes("op", [0, 1], [1, 5])).toEqual([0, 5]);
    expect(() => broadcastShapes("add", [2, 3], [4])).toThrow(
      "add: cannot broadcast [2,3] with [4]",
    );
    expect(() => broadcastShapes("add", [0], [2])).toThrow(TensorError);
  });

  it("reads stretched dims with stride 0", () => {
    expect(broadcastStrides([3, 1], [1, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([1], [1], [1])).toEqual([1]);
  });
});

describe("dims", () => {
  it("count negative dims from the end", () => {
    expect(normalizeDim("op", -1, 3)).toBe(2);
    expect(normalizeDim("op", 0, 0)).toBe(0); // a 0-d tensor takes dim 0 and -1, as in PyTorch
    expect(normalizeDim("op", -1, 0)).toBe(0);
    expect(normalizeDim("op", -1, 2, true)).toBe(2); // a new dim at the end
  });

  it("throw naming the range, and refuse NaN and fractions", () => {
    expect(() => normalizeDim("sum", 2, 2)).toThrow(
      "sum: dim 2 is out of range for a 2-d tensor (expected -2..1)",
    );
    expect(() => normalizeDim("op", 1, 0)).toThrow(
      "op: dim 1 is out of range for a 0-d tensor (expected -1..0)",
    );
    expect(() => normalizeDim("op", NaN, 2)).toThrow("op: dim must be an integer, got NaN");
    expect(() => normalizeDim("op", 1.5, 2)).toThrow("op: dim must be an integer, got 1.5");
  });

  it("resolve several dims, sorted, or all of them", () => {
    expect(normalizeDims("op", [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeDims("op", undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeDims("op", 0, 0)).toEqual([]);
    expect(() => normalizeDims("op", [0, -3], 3)).toThrow(
      "op: dims [0,-3] name the same dim twice",
    );
  });
});
