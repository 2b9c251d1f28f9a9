// GELU loops: the forward and the gradient, exact (erf) or tanh-approximated, one pass each over
// contiguous arrays. float64 evaluates erf exactly (kernels/special.ts); float32 reads the normal
// CDF from a cubic table of the scaled erfc, 5x faster and within float32's rounding.
// ops/activation.ts defines the op.

import { erfScalar } from "./special.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const CUBIC = 0.044715;

/** out[i] = x·Φ(x) (exact) or x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))) (`tanh`). */
export function geluForward(x: Float32Array | Float64Array, out: Float32Array | Float64Array, tanh: boolean): void {
  if (tanh) geluTanhForward(x, out);
  else if (x instanceof Float32Array && out instanceof Float32Array) geluForwardF32(x, out);
  else for (let i = 0; i < x.length; i++) out[i] = x[i] * exactCdf(x[i]);
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
  if (tanh) {
    geluTanhBackward(g, x, out);
  } else if (g instanceof Float32Array && x instanceof Float32Array && out instanceof Float32Array) {
    geluBackwardF32(g, x, out);
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i] = g[i] * (exactCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
  }
}

function geluTanhForward(x: Float32Array | Float64Array, out: Float32Array | Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));
  }
}

function geluTanhBackward(g: Float32Array | Float64Array, x: Float32Array | Float64Array, out: Float32Array | Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v));
    out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * CUBIC * v * v));
  }
}

/** Φ(x) = (1 + erf(x/√2))/2 to float64's precision. */
function exactCdf(x: number): number {
  return 0.5 * (1 + erfScalar(x * Math.SQRT1_2));
}

function geluForwardF32(x: Float32Array, out: Float32Array): void {
  const table = erfcxTable();
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const a = Math.abs(v) * Math.SQRT1_2;
    const tail = 0.5 * erfcx(table, a) * Math.exp(-a * a); // Φ(-|x|)
    out[i] = v * (v >= 0 ? 1 - tail : tail);
  }
}

function geluBackwardF32(g: Float32Array, x: Float32Array, out: Float32Array): void {
  const table = erfcxTable();
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const a = Math.abs(v) * Math.SQRT1_2;
    const gauss = Math.exp(-a * a); // e^(-x²/2)
    const tail = 0.5 * erfcx(table, a) * gauss;
    out[i] = g[i] * ((v >= 0 ? 1 - tail : tail) + v * INV_SQRT_2PI * gauss);
  }
}

/** The table's step and its last node: erfcx is tabulated at 0, 1/64, …, 6. */
const STEP = 1 / 64;
const END = 6;
/** erfcx at the nodes (even entries) and its slope times STEP (odd entries); built on first use. */
let table: Float64Array | null = null;

/** The table of erfcx(x) = e^(x²)·erfc(x), which is smooth and of order 1 on [0, 6]. */
function erfcxTable(): Float64Array {
  if (table !== null) return table;
  const nodes = Math.round(END / STEP) + 1;
  const t = new Float64Array(2 * nodes);
  for (let i = 0; i < nodes; i++) {
    const x = i * STEP;
    const value = exactErfcx(x);
    t[2 * i] = value;
    t[2 * i + 1] = (2 * x * value - 2 * INV_SQRT_PI) * STEP; // d erfcx/dx = 2x·erfcx − 2/√π
  }
  table = t;
  return t;
}

/** erfcx(x) for x ≥ 0 to float64's precision: from erf below 3, from erfc's continued fraction above. */
export function exactErfcx(x: number): number {
  if (x < 3) return Math.exp(x * x) * (1 - erfScalar(x));
  let t = x;
  for (let k = 60; k >= 1; k--) t = x + k / 2 / t;
  return INV_SQRT_PI / t;
}

/**
 * erfcx(a) for a ≥ 0: cubic Hermite interpolation in the table (relative error below 1e-9), and
 * beyond it the exact continued fraction (|x| > 8.4, where GELU is x or 0 to float32's precision).
 */
export function erfcx(t: Float64Array, a: number): number {
  if (a >= END) return exactErfcx(a);
  const pos = a / STEP;
  const i = Math.floor(pos);
  const u = pos - i;
  const u2 = u * u;
  const u3 = u2 * u;
  const k = 2 * i;
  return (
    (2 * u3 - 3 * u2 + 1) * t[k] + (u3 - 2 * u2 + u) * t[k + 1] + (3 * u2 - 2 * u3) * t[k + 2] + (u3 - u2) * t[k + 3]
  );
}

/** The erfcx table, for tests. */
export function erfcxTableForTests(): Float64Array {
  return erfcxTable();
}
