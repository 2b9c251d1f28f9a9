import { describe, expect, it } from "vitest";
import { tensor, type Tensor } from "@tg/tensor";
import { AdamW, clipGradNorm, clipGradValue, SGD } from "./index.js";
import { expectClose, gradAt, makeParams, TOL, trajectory, X0 } from "./test-problem.js";

function withGrad(values: number[], grad: number[]): Tensor {
  const p = tensor(values, { dtype: "float64", requiresGrad: true });
  p.grad = tensor(grad, { dtype: "float64" });
  return p;
}

const gradOf = (p: Tensor): number[] => Array.from(p.grad?.dataSync() ?? []);

/** A wrongly typed value, as plain JavaScript callers can pass. */
const notATensor = untyped<Tensor>(3);

function untyped<T>(value: unknown): T {
  return value as T;
}

describe("clipGradNorm", () => {
  it("returns the total 2-norm and scales by maxNorm / (norm + 1e-6)", () => {
    const a = withGrad([0, 0], [3, 4]);
    const b = withGrad([0], [12]);
    expect(clipGradNorm([a, b], 6.5)).toBe(13);
    const coef = 6.5 / (13 + 1e-6);
    expect(gradOf(a)).toEqual([3 * coef, 4 * coef]);
    expect(gradOf(b)).toEqual([12 * coef]);
  });

  it("leaves gradients alone when the norm is within maxNorm", () => {
    const a = withGrad([0, 0], [3, 4]);
    expect(clipGradNorm(a, 5.1)).toBe(5);
    expect(gradOf(a)).toEqual([3, 4]);
  });

  it("supports the infinity norm, the 1-norm and other p-norms", () => {
    const grads = (): Tensor[] => [withGrad([0, 0], [3, -7]), withGrad([0], [5])];
    let ps = grads();
    expect(clipGradNorm(ps, 3.5, Infinity)).toBe(7);
    expect(gradOf(ps[0])[1]).toBeCloseTo((-7 * 3.5) / (7 + 1e-6), 14);
    expect(clipGradNorm(grads(), 100, 1)).toBe(15);
    ps = grads();
    expect(clipGradNorm(ps, 100, 3)).toBeCloseTo((27 + 343 + 125) ** (1 / 3), 12);
    expect(gradOf(ps[1])).toEqual([5]);
  });

  it("skips parameters without a gradient and returns 0 when none has one", () => {
    const a = withGrad([0, 0], [3, 4]);
    const none = tensor([1, 2, 3], { requiresGrad: true });
    expect(clipGradNorm([a, none], 1)).toBe(5);
    expect(none.grad).toBeNull();
    expect(clipGradNorm([none], 1)).toBe(0);
  });

  it("scales a strided gradient through a copy, never the tensor it views", () => {
    const p = tensor(
      [
        [0, 0],
        [0, 0],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const source = tensor(
      [
        [3, 0],
        [4, 0],
      ],
      { dtype: "float64" },
    );
    p.grad = source.transpose(0, 1);
    expect(clipGradNorm([p], 1)).toBe(5);
    expect(source.toArray()).toEqual([
      [3, 0],
      [4, 0],
    ]);
    const coef = 1 / (5 + 1e-6);
    expect(p.grad.toArray()).toEqual([
      [3 * coef, 4 * coef],
      [0, 0],
    ]);
  });

  it("refuses bad arguments", () => {
    const a = withGrad([0], [1]);
    expect(() => clipGradNorm(a, -1)).toThrow(
      new RangeError("clipGradNorm: maxNorm must be >= 0, got -1"),
    );
    expect(() => clipGradNorm(a, 1, 0)).toThrow(
      new RangeError("clipGradNorm: normType must be a positive number or Infinity, got 0"),
    );
    expect(() => clipGradNorm([a, notATensor], 1)).toThrow(
      new TypeError("clipGradNorm: parameter 1 is not a Tensor"),
    );
  });
});

describe("clipGradValue", () => {
  it("clamps every element to [-clipValue, clipValue]", () => {
    const a = withGrad([0, 0, 0], [-3, 0.5, 2]);
    const b = tensor([1], { requiresGrad: true });
    clipGradValue([a, b], 1);
    expect(gradOf(a)).toEqual([-1, 0.5, 1]);
    expect(b.grad).toBeNull();
    expect(() => clipGradValue(a, -1)).toThrow(
      new RangeError("clipGradValue: clipValue must be >= 0, got -1"),
    );
  });
});

describe("clipping inside optimizers", () => {
  it("SGD with maxGradNorm clips the total norm before each momentum step", () => {
    const rule = { lr: 0.05, momentum: 0.9, maxGradNorm: 1.5 };
    const x = [...X0];
    const buf = x.map(() => 0);
    const expected: number[][] = [];
    for (let t = 1; t <= 6; t++) {
      const g = gradAt(x);
      const norm = Math.sqrt(g.reduce((s, gi) => s + gi * gi, 0));
      const coef = Math.min(1, rule.maxGradNorm / (norm + 1e-6));
      for (let i = 0; i < x.length; i++) {
        buf[i] = t === 1 ? g[i] * coef : rule.momentum * buf[i] + g[i] * coef;
        x[i] -= rule.lr * buf[i];
      }
      expected.push([...x]);
    }
    const params = makeParams("float64");
    expectClose(trajectory(new SGD(params, rule), params, 6), expected, TOL.float64);
  });

  it("SGD with clipValue clamps each gradient element before the step", () => {
    const p = withGrad([1, 1, 1], [-5, 0.2, 3]);
    new SGD([p], { lr: 0.1, clipValue: 0.5 }).step();
    expect(p.toArray()).toEqual([1 + 0.1 * 0.5, 1 - 0.1 * 0.2, 1 - 0.1 * 0.5]);
  });

  it("AdamW with maxGradNorm leaves the step size bounded by lr", () => {
    const p = withGrad([0, 0], [300, -400]);
    new AdamW([p], { lr: 0.01, weightDecay: 0, maxGradNorm: 1 }).step();
    expect(gradOf(p)).toEqual([300 / (500 + 1e-6), -400 / (500 + 1e-6)]);
    const [u, v] = Array.from(p.dataSync());
    expect(u).toBeCloseTo(-0.01, 8);
    expect(v).toBeCloseTo(0.01, 8);
  });
});
