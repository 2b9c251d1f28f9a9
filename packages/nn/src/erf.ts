// erf, the Gauss error function, as a differentiable op (GELU needs it; @tg/tensor has no erf).
// Accurate to about 1e-15 in float64, so GELU matches PyTorch's exact form.

import { defineOp, Tensor, tensor, type DType } from "@tg/tensor";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) for one number. |x| < 3: the series 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (1·3·…·(2n+1)), whose
 * terms are all positive (no cancellation); 3 ≤ |x| < 6: 1 − erfc(x) from erfc's continued
 * fraction; beyond, ±1 (erfc(6) ≈ 2e-17).
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let result: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    const twoXX = 2 * a * a;
    for (let n = 1; term > 1e-17 * sum; n++) {
      term *= twoXX / (2 * n + 1);
      sum += term;
    }
    result = TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
  } else if (a < 6) {
    // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated from the bottom
    let t = a;
    for (let k = 60; k >= 1; k--) t = a + k / 2 / t;
    result = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / t;
  } else {
    result = 1;
  }
  return x < 0 ? -result : result;
}

const erfOp = defineOp<DType, undefined>({
  name: "erf",
  check: ([x]) => (x.dtype === "int32" ? "float32" : x.dtype),
  forward: ([x], dtype) => {
    const values = new Tensor(x).dataSync();
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = erfScalar(values[i]);
    return tensor(out, { shape: x.shape, dtype }).storage;
  },
  // d erf(x)/dx = 2/√π · e^(−x²)
  backward: (g, [x]) => [g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))],
});

/** The Gauss error function, element-wise (`torch.erf`); int32 input gives float32. */
export function erf(x: Tensor): Tensor {
  return erfOp([x], undefined);
}
