// GELU loops: the forward and the gradient, exact (erf) or tanh-approximated, one pass each over
// contiguous arrays. ops/activation.ts defines the op.

import { erfScalar } from "./special.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const CUBIC = 0.044715;

/** out[i] = x·Φ(x) (exact) or x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))) (`tanh`). */
export function geluForward(x: Float32Array | Float64Array, out: Float32Array | Float64Array, tanh: boolean): void {
  const n = x.length;
  if (tanh) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = 0.5 * v * (1 + erfScalar(v * Math.SQRT1_2));
    }
  }
}

/**
 * out[i] = g[i]·gelu'(x[i]): Φ(x) + x·φ(x) exact, or for tanh with t = tanh(u), u = √(2/π)(x + 0.044715x³):
 * (1 + t)/2 + x/2·(1 - t²)·√(2/π)·(1 + 3·0.044715x²).
 */
export function geluBackward(
  g: Float32Array | Float64Array,
  x: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  tanh: boolean,
): void {
  const n = x.length;
  if (tanh) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v));
      out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * CUBIC * v * v));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const cdf = 0.5 * (1 + erfScalar(v * Math.SQRT1_2));
      out[i] = g[i] * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  }
}
