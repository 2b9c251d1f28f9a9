import { describe, expect, it } from "vitest";
import { gradcheck, tensor } from "../index.js";
import { erfScalar } from "./special.js";

describe("erf", () => {
  it("matches reference values to float64 precision", () => {
    // reference values of erf (Abramowitz & Stegun table 7.1 and mpmath)
    const table: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [2.9, 0.9999589021219005],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [5.5, 0.9999999999999927],
      [7, 1],
    ];
    for (const [x, y] of table) {
      expect(Math.abs(erfScalar(x) - y)).toBeLessThan(2e-15);
      expect(erfScalar(-x) + erfScalar(x)).toBe(0);
    }
    expect(erfScalar(Infinity)).toBe(1);
    expect(Number.isNaN(erfScalar(NaN))).toBe(true);
  });
  it("keeps the dtype and has the gradient 2/√π·exp(−x²)", () => {
    expect(tensor([1], { dtype: "float64" }).erf().dtype).toBe("float64");
    expect(tensor([1, 2], { dtype: "int32" }).erf().dtype).toBe("float32");
    gradcheck((x) => x.erf(), [[3, 4]], { domain: [-3, 3] });
  });
});
