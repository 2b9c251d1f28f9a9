import { describe, expect, it } from "vitest";
import { Rng, Tensor } from "@tg/tensor";
import {
  calculateGain,
  fanInAndFanOut,
  kaimingNormal,
  kaimingUniform,
  ones,
  xavierNormal,
  xavierUniform,
  zeros,
} from "./init.js";

function stats(t: Tensor): { min: number; max: number; mean: number; std: number } {
  const v = t.dataSync();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / v.length) };
}

describe("fanInAndFanOut", () => {
  it("counts a conv weight's receptive field, as PyTorch", () => {
    expect(fanInAndFanOut([256, 784])).toEqual({ fanIn: 784, fanOut: 256 });
    // [out 16, in 3, 5, 5]: fan_in = 3·25 = 75, fan_out = 16·25 = 400
    expect(fanInAndFanOut([16, 3, 5, 5])).toEqual({ fanIn: 75, fanOut: 400 });
  });
  it("needs at least 2 dims", () => {
    expect(() => xavierUniform(Tensor.zeros([5]))).toThrow(
      "xavierUniform: fan-in and fan-out need a tensor with at least 2 dims, got [5]",
    );
  });
});

describe("calculateGain", () => {
  it("matches torch.nn.init.calculate_gain", () => {
    expect(calculateGain("linear")).toBe(1);
    expect(calculateGain("sigmoid")).toBe(1);
    expect(calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(calculateGain("relu")).toBe(Math.SQRT2);
    expect(calculateGain("leaky_relu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(calculateGain("leaky_relu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(calculateGain("selu")).toBe(0.75);
  });
  it("refuses an unknown nonlinearity", () => {
    // @ts-expect-error: not a Nonlinearity
    expect(() => calculateGain("swish")).toThrow(RangeError);
  });
});

describe("initialisers", () => {
  const big = (): Tensor => Tensor.zeros([200, 300]);

  it("xavierUniform stays within gain·√(6/(fanIn+fanOut)) with the std of that uniform", () => {
    const t = xavierUniform(big(), { rng: new Rng(0), gain: 2 });
    const bound = 2 * Math.sqrt(6 / 500); // 0.21909
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 2); // U(-b, b) has std b/√3
    expect(Math.abs(s.mean)).toBeLessThan(0.005);
  });

  it("xavierNormal has std gain·√(2/(fanIn+fanOut))", () => {
    const s = stats(xavierNormal(big(), { rng: new Rng(1) }));
    expect(s.std / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
  });

  it("kaimingUniform defaults to fan_in and leaky_relu with a = 0 (gain √2)", () => {
    const t = kaimingUniform(Tensor.zeros([300, 200]), { rng: new Rng(2) });
    const bound = Math.sqrt(2) * Math.sqrt(3 / 200); // 0.17321
    const s = stats(t);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(s.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
  });

  it("kaimingUniform uses fan_out and the given nonlinearity", () => {
    const t = kaimingUniform(Tensor.zeros([8, 4, 3, 3]), { mode: "fan_out", nonlinearity: "tanh", rng: new Rng(3) });
    const bound = (5 / 3) * Math.sqrt(3 / (8 * 9));
    const s = stats(t);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.max).toBeGreaterThan(0.9 * bound);
  });

  it("kaimingNormal has std gain/√fan", () => {
    const s = stats(kaimingNormal(Tensor.zeros([300, 200]), { rng: new Rng(4), nonlinearity: "relu" }));
    expect(s.std / (Math.SQRT2 / Math.sqrt(200))).toBeCloseTo(1, 1);
    const slope = stats(kaimingNormal(Tensor.zeros([300, 200]), { rng: new Rng(4), a: 1 }));
    expect(slope.std / (1 / Math.sqrt(200))).toBeCloseTo(1, 1); // leaky_relu with a = 1: gain 1
  });

  it("fills in place under noGrad, keeping identity, dtype and requiresGrad", () => {
    const w = Tensor.zeros([3, 4], { dtype: "float64", requiresGrad: true });
    expect(xavierUniform(w)).toBe(w);
    expect(w.dtype).toBe("float64");
    expect(w.requiresGrad).toBe(true);
    expect(stats(w).max).toBeGreaterThan(0);
    expect(zeros(w).toArray()).toEqual(Tensor.zeros([3, 4]).toArray());
    expect(ones(w).toArray()).toEqual(Tensor.ones([3, 4]).toArray());
  });

  it("is deterministic for a seed", () => {
    const a = xavierUniform(Tensor.zeros([4, 5]), { rng: new Rng(7) });
    const b = xavierUniform(Tensor.zeros([4, 5]), { rng: new Rng(7) });
    expect(a.toArray()).toEqual(b.toArray());
  });

  it("refuses bad options", () => {
    // @ts-expect-error: not a mode
    expect(() => kaimingUniform(big(), { mode: "fan_avg" })).toThrow(
      'kaimingUniform: mode must be "fan_in" or "fan_out", got "fan_avg"',
    );
    expect(() => xavierUniform(big(), { gain: NaN })).toThrow("xavierUniform: gain must be a finite number, got NaN");
    expect(() => xavierNormal(Tensor.zeros([2, 2], { dtype: "int32" }))).toThrow(
      "xavierNormal: only float tensors can be filled with random values, got int32",
    );
  });
});
