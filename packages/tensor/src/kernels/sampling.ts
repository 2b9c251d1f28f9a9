// Sampling loops on a seeded Rng: multinomial draws of category indices. ops/sampling.ts checks
// the weights first; this loop trusts them.

import type { Rng } from "../rng.js";

/**
 * `numSamples` category indices per row of `weights` (rows × categories, non-negative, each row
 * with a positive sum), one uniform draw per sample, rows in order: the first category whose
 * running sum exceeds u·total. Without `replacement` a drawn category loses its weight, so
 * `weights` is overwritten then.
 */
export function drawCategories(
  weights: Float64Array,
  rows: number,
  categories: number,
  numSamples: number,
  replacement: boolean,
  rng: Rng,
): Int32Array {
  const out = new Int32Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const row = weights.subarray(r * categories, (r + 1) * categories);
    for (let s = 0; s < numSamples; s++) {
      let total = 0;
      for (let c = 0; c < categories; c++) total += row[c];
      const target = rng.uniform() * total;
      let picked = -1;
      let running = 0;
      for (let c = 0; c < categories; c++) {
        running += row[c];
        if (row[c] > 0) picked = c; // the last category with weight, should rounding leave target unreached
        if (running > target && row[c] > 0) break;
      }
      out[r * numSamples + s] = picked;
      if (!replacement) row[picked] = 0;
    }
  }
  return out;
}
