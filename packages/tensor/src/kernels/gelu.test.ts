// The float32 GELU's table of erfcx against the exact float64 evaluation.
import { describe, expect, it } from "vitest";
import { erfScalar } from "./special.js";
import { erfcx, erfcxTableForTests, exactErfcx, geluBackward, geluForward } from "./gelu.js";

describe("erfcx table", () => {
  it("interpolates e^(x²)·erfc(x) to a relative 1e-8 on [0, 8], between and at nodes", () => {
    const table = erfcxTableForTests();
    let worst = 0;
    for (let x = 0; x <= 8; x += 0.00731) {
      worst = Math.max(worst, Math.abs(erfcx(table, x) / exactErfcx(x) - 1));
    }
    expect(worst).toBeLessThan(1e-8);
    expect(exactErfcx(0)).toBe(1);
    expect(exactErfcx(2) * Math.exp(-4)).toBeCloseTo(1 - erfScalar(2), 15);
  });

  it("gives float32 gelu and its gradient within 2 float32 roundings of float64 references", () => {
    // The references take Φ(x) from the exact erfcx, so they keep their precision far into the left
    // tail, where 1 + erf(x/√2) cancels to 0 in float64.
    const cdf = (v: number): number => {
      const a = Math.abs(v) * Math.SQRT1_2;
      const tail = 0.5 * exactErfcx(a) * Math.exp(-a * a);
      return v >= 0 ? 1 - tail : tail;
    };
    const n = 4001;
    const x32 = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
    const fast = new Float32Array(n);
    geluForward(x32, fast, false);
    const g32 = new Float32Array(n).fill(1);
    const fastGrad = new Float32Array(n);
    geluBackward(g32, x32, fastGrad, false);
    for (let i = 0; i < n; i++) {
      const v = x32[i];
      const value = v * cdf(v);
      const grad = cdf(v) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
      expect(Math.abs(fast[i] - value)).toBeLessThanOrEqual(2 ** -23 * Math.abs(value) + 1e-30);
      expect(Math.abs(fastGrad[i] - grad)).toBeLessThanOrEqual(2 ** -23 * Math.abs(grad) + 1e-30);
    }
  });

  it("evaluates float64 gelu as x·(1 + erf(x/√2))/2, as PyTorch does", () => {
    // torch 1.13: torch.nn.functional.gelu(torch.tensor([-3., -0.5, 0.25, 2.], dtype=torch.float64))
    const x = Float64Array.from([-3, -0.5, 0.25, 2]);
    const out = new Float64Array(4);
    geluForward(x, out, false);
    const expected = [-0.00404969409489031, -0.15426876936299344, 0.14967658142073093, 1.9544997361036416];
    for (let i = 0; i < 4; i++) expect(out[i]).toBeCloseTo(expected[i], 15);
  });
});
