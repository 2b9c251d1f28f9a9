import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Rng, Tensor, tensor } from "@tg/tensor";
import { gradcheckModule } from "./gradcheck-module.js";
import { kaimingNormal } from "./init.js";
import { Linear } from "./linear.js";

describe("Linear", () => {
  beforeEach(() => manualSeed(0));

  it("has weight [out, in] (Xavier-uniform) and a zero bias [out]", () => {
    const layer = new Linear(784, 256);
    expect(layer.weight.shape).toEqual([256, 784]);
    expect(layer.bias?.shape).toEqual([256]);
    expect(layer.bias?.toArray()).toEqual(new Array(256).fill(0));
    const bound = Math.sqrt(6 / (784 + 256));
    const largest = layer.weight.abs().max().item();
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.99 * bound);
    expect(layer.weight.requiresGrad).toBe(true);
    expect(layer.weight.dtype).toBe("float32");
  });

  it("computes x Wᵀ + b", () => {
    const layer = new Linear(2, 3);
    layer.loadStateDict({ weight: tensor([[1, 2], [3, 4], [5, 6]]), bias: tensor([0.5, -1, 0]) });
    // [1, 1]·W = [3, 7, 11] + b = [3.5, 6, 11]; [2, 0] → [2, 6, 10] + b
    expect(layer.forward(tensor([[1, 1], [2, 0]])).toArray()).toEqual([[3.5, 6, 11], [2.5, 5, 10]]);
  });

  it("maps any leading dims", () => {
    const layer = new Linear(4, 2);
    expect(layer.forward(Tensor.zeros([3, 5, 4])).shape).toEqual([3, 5, 2]);
    expect(layer.forward(Tensor.zeros([4])).shape).toEqual([2]);
  });

  it("works without a bias", () => {
    const layer = new Linear(2, 1, { bias: false });
    expect(layer.bias).toBeNull();
    expect(layer.namedParameters().map(([n]) => n)).toEqual(["weight"]);
  });

  it("takes an init, an rng and a dtype", () => {
    const a = new Linear(3, 4, { rng: new Rng(5), init: kaimingNormal, dtype: "float64" });
    const b = new Linear(3, 4, { rng: new Rng(5), init: kaimingNormal, dtype: "float64" });
    expect(a.weight.dtype).toBe("float64");
    expect(a.weight.toArray()).toEqual(b.weight.toArray());
    expect(new Linear(3, 4, { rng: new Rng(6) }).weight.toArray()).not.toEqual(new Linear(3, 4, { rng: new Rng(5) }).weight.toArray());
  });

  it("has correct gradients for input, weight and bias", () => {
    gradcheckModule(new Linear(3, 2, { dtype: "float64" }), [[4, 3]]);
    gradcheckModule(new Linear(3, 2, { dtype: "float64" }), [[2, 5, 3]]);
  });

  it("names the expected and actual input shapes", () => {
    expect(() => new Linear(784, 10).forward(Tensor.zeros([64, 785]))).toThrow(
      "Linear: expected input [...,784], got [64,785]",
    );
    expect(() => new Linear(3, 1).forward(tensor(1))).toThrow("Linear: expected input [...,3], got []");
  });

  it("refuses bad settings with a RangeError", () => {
    expect(() => new Linear(0, 3)).toThrow(new RangeError("Linear: inFeatures must be a positive integer, got 0"));
    expect(() => new Linear(2, 1.5)).toThrow("Linear: outFeatures must be a positive integer, got 1.5");
    expect(() => new Linear(2, 2, { dtype: "int32" })).toThrow('Linear: dtype must be "float32" or "float64", got "int32"');
  });
});
