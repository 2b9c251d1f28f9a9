import { describe, expect, it } from "vitest";
import { tensor } from "@tg/tensor";
import { checkReduction, reduce } from "./reduction.js";

describe("reduce", () => {
  const losses = tensor([1, 2, 6]);
  it("returns the losses, their sum, or their mean over a count", () => {
    expect(reduce(losses, "none")).toBe(losses);
    expect(reduce(losses, "sum").item()).toBe(9);
    expect(reduce(losses, "mean").item()).toBe(3);
    expect(reduce(losses, "mean", 4.5).item()).toBe(2);
  });
  it("refuses an unknown reduction, naming the loss", () => {
    expect(checkReduction("mseLoss", "sum")).toBe("sum");
    expect(() => checkReduction("mseLoss", "total")).toThrow(
      new RangeError('mseLoss: reduction must be "mean", "sum" or "none", got "total"'),
    );
  });
});
