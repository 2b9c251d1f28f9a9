// The softmax of attention scores in one pass per row: scaling, the causal mask and softmax
// together, and its gradient. ops/sequence.ts defines the op; these loops allocate nothing.

/**
 * out = softmax(scale·x) over rows of `cols`. With `causal`, the rows are [..., queries, cols]
 * and query i keeps only columns 0..i (the rest get weight 0), as a causal mask of -Infinity
 * would give. A row whose kept scores are all -Infinity gives NaN, as softmax does.
 */
export function scaledSoftmaxForward(
  x: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  cols: number,
  queries: number,
  scale: number,
  causal: boolean,
): void {
  const rows = cols === 0 ? 0 : x.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const kept = causal ? Math.min((r % queries) + 1, cols) : cols;
    let max = -Infinity;
    for (let j = 0; j < kept; j++) {
      const v = x[base + j] * scale;
      if (v > max || Number.isNaN(v)) max = v;
    }
    let sum = 0;
    for (let j = 0; j < kept; j++) {
      const e = Math.exp(x[base + j] * scale - max);
      out[base + j] = e;
      sum += e;
    }
    const inverse = 1 / sum;
    for (let j = 0; j < kept; j++) out[base + j] *= inverse;
    for (let j = kept; j < cols; j++) out[base + j] = 0;
  }
}

/** gradX = scale · y · (g − Σ g·y) row by row, for y = scaledSoftmaxForward's output. */
export function scaledSoftmaxBackward(
  g: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  gradX: Float32Array | Float64Array,
  cols: number,
  scale: number,
): void {
  const rows = cols === 0 ? 0 : y.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += g[base + j] * y[base + j];
    for (let j = 0; j < cols; j++) gradX[base + j] = scale * y[base + j] * (g[base + j] - dot);
  }
}
