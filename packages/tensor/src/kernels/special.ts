// Special functions on one number, used by element-wise ops: erf (the Gauss error function).

export const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

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
