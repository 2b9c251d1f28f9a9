// Layer normalisation loops over rows of `cols` elements: the statistics, the normalised output,
// and the fused backward. ops/sequence.ts checks shapes; these loops trust them and allocate
// only their outputs (never per row or per element).

import type { TypedArray } from "../dtype.js";

/** Each row's mean and 1/sqrt(biased variance + eps), two passes over the row for accuracy. */
export function layerNormStats(x: TypedArray, rows: number, cols: number, eps: number): { mean: Float64Array; rstd: Float64Array } {
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[base + j];
    const m = sum / cols;
    let squares = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[base + j] - m;
      squares += d * d;
    }
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(squares / cols + eps);
  }
  return { mean, rstd };
}

/** out = (x - mean)·rstd·weight + bias row by row; a null weight is 1, a null bias 0. */
export function layerNormForward(
  x: TypedArray,
  out: TypedArray,
  rows: number,
  cols: number,
  mean: Float64Array,
  rstd: Float64Array,
  weight: TypedArray | null,
  bias: TypedArray | null,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const m = mean[r];
    const s = rstd[r];
    if (weight !== null && bias !== null) {
      for (let j = 0; j < cols; j++) out[base + j] = (x[base + j] - m) * s * weight[j] + bias[j];
    } else {
      for (let j = 0; j < cols; j++) {
        const y = (x[base + j] - m) * s;
        out[base + j] = (weight === null ? y : y * weight[j]) + (bias === null ? 0 : bias[j]);
      }
    }
  }
}

/**
 * The gradients of layer normalisation in one pass per row. With x̂ = (x - mean)·rstd and
 * ĝ = g·weight: dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)); dweight = Σ_rows g·x̂; dbias = Σ_rows g.
 * `gradWeight`/`gradBias` are float64 accumulators of `cols` elements (or null when not needed).
 */
export function layerNormBackward(
  g: TypedArray,
  x: TypedArray,
  gradX: TypedArray,
  rows: number,
  cols: number,
  mean: Float64Array,
  rstd: Float64Array,
  weight: TypedArray | null,
  gradWeight: Float64Array | null,
  gradBias: Float64Array | null,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const m = mean[r];
    const s = rstd[r];
    // 1. row sums of ĝ and ĝ·x̂, and the parameter gradients
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < cols; j++) {
      const gj = g[base + j];
      const xhat = (x[base + j] - m) * s;
      const gh = weight === null ? gj : gj * weight[j];
      sumG += gh;
      sumGX += gh * xhat;
      if (gradWeight !== null) gradWeight[j] += gj * xhat;
      if (gradBias !== null) gradBias[j] += gj;
    }
    // 2. the input gradient
    const meanG = sumG / cols;
    const meanGX = sumGX / cols;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[base + j] - m) * s;
      const gh = weight === null ? g[base + j] : g[base + j] * weight[j];
      gradX[base + j] = s * (gh - meanG - xhat * meanGX);
    }
  }
}
