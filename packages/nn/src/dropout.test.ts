import { describe, expect, it } from "vitest";
import { Rng, Tensor } from "@tg/tensor";
import { Dropout } from "./dropout.js";
import { gradcheckModule } from "./gradcheck-module.js";

describe("Dropout", () => {
  it("zeroes about p of the elements in training and scales the rest by 1/(1-p)", () => {
    const y = new Dropout(0.3, { rng: new Rng(0) }).forward(Tensor.ones([100, 100])).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / y.length).toBeGreaterThan(0.28);
    expect(zeros / y.length).toBeLessThan(0.32);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
  });

  it("is the identity in eval mode", () => {
    const x = Tensor.randn([4, 5]);
    expect(new Dropout(0.9).eval().forward(x)).toBe(x);
  });

  it("draws its masks from the given generator", () => {
    const a = new Dropout(0.5, { rng: new Rng(3) }).forward(Tensor.ones([50]));
    const b = new Dropout(0.5, { rng: new Rng(3) }).forward(Tensor.ones([50]));
    expect(a.toArray()).toEqual(b.toArray());
  });

  it("handles p = 0 and p = 1", () => {
    const x = Tensor.ones([3]);
    expect(new Dropout(0).forward(x).toArray()).toEqual([1, 1, 1]);
    expect(new Dropout(1).forward(x).toArray()).toEqual([0, 0, 0]);
  });

  it("has correct gradients (the same mask scales the gradient)", () => {
    // a fresh generator per forward keeps the mask fixed across the finite differences
    class FixedMask extends Dropout {
      override forward(x: Tensor): Tensor {
        return new Dropout(0.4, { rng: new Rng(1) }).forward(x);
      }
    }
    gradcheckModule(new FixedMask(0.4), [[4, 5]]);
    gradcheckModule(new Dropout(0.4).eval(), [[4, 5]]);
  });

  it("refuses p outside [0, 1]", () => {
    expect(() => new Dropout(1.5)).toThrow(new RangeError("Dropout: p must be in [0, 1], got 1.5"));
    expect(() => new Dropout(NaN)).toThrow("Dropout: p must be in [0, 1], got NaN");
  });
});
