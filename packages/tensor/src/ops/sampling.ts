// Sampling on the seeded Rng: multinomial draws of category indices, and topkFilter, which keeps
// the k largest logits of each row (top-k sampling's first step).

import { TensorError } from "../errors.js";
import { isFloat } from "../dtype.js";
import { contiguousData } from "../kernels/copy.js";
import { drawCategories } from "../kernels/sampling.js";
import { getGlobalRng, type Rng } from "../rng.js";
import { formatShape } from "../shape.js";
import { makeStorage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { maskedFill } from "./indexing.js";
import { topk } from "./sorting.js";

/** Options of `multinomial`. */
export interface MultinomialOptions {
  /** Draw with replacement (a category may come up again); false by default, as in PyTorch. */
  replacement?: boolean;
  /** The generator to draw from; the global one (see `manualSeed`) by default. */
  rng?: Rng;
}

/**
 * `numSamples` int32 category indices per row of `probs` (1-D [C] or 2-D [N, C] non-negative
 * weights, not necessarily summing to 1), each drawn with probability proportional to its weight
 * (`torch.multinomial`). Without replacement a category is drawn at most once per row. One
 * uniform draw per sample, rows in order, from `opts.rng` or the global generator, so a seed
 * gives the same samples every time (not the same as PyTorch's generator gives).
 */
export function multinomial(probs: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  const { replacement = false, rng = getGlobalRng() } = opts;
  if (!(probs instanceof Tensor) || !isFloat(probs.dtype) || probs.ndim < 1 || probs.ndim > 2) {
    const got = probs instanceof Tensor ? `${probs.dtype} ${formatShape(probs.shape)}` : typeof probs;
    throw new TensorError(`multinomial: probs must be a 1-D or 2-D float tensor, got ${got}`);
  }
  const rows = probs.ndim === 1 ? 1 : probs.shape[0];
  const categories = probs.shape[probs.ndim - 1];
  if (!Number.isInteger(numSamples) || numSamples <= 0) {
    throw new TensorError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  }
  const weights = Float64Array.from(contiguousData(probs.storage));
  // 1. check every row before drawing anything
  for (let r = 0; r < rows; r++) {
    let total = 0;
    let nonZero = 0;
    for (let c = 0; c < categories; c++) {
      const w = weights[r * categories + c];
      if (!(w >= 0) || w === Infinity) {
        throw new TensorError(`multinomial: probabilities must be finite and non-negative, got ${w} in row ${r}`);
      }
      total += w;
      if (w > 0) nonZero++;
    }
    if (!(total > 0)) throw new TensorError(`multinomial: row ${r} of ${formatShape(probs.shape)} sums to 0`);
    if (!replacement && numSamples > nonZero) {
      throw new TensorError(
        `multinomial: cannot draw ${numSamples} samples without replacement from row ${r}, which has ${nonZero} non-zero weights`,
      );
    }
  }
  // 2. draw (kernels/sampling.ts); drawn categories lose their weight when there is no replacement
  const out = drawCategories(weights, rows, categories, numSamples, replacement, rng);
  const shape = probs.ndim === 1 ? [numSamples] : [rows, numSamples];
  return new Tensor(makeStorage(out, "int32", shape));
}

/**
 * `logits` with every element below the k-th largest of its row (the last dim) set to
 * -Infinity, the first step of top-k sampling; elements equal to the k-th largest are kept, and
 * k larger than the row keeps everything. Then softmax and `multinomial` sample from the rest.
 */
export function topkFilter(logits: Tensor, k: number): Tensor {
  if (!(logits instanceof Tensor) || logits.ndim === 0) {
    throw new TensorError("topkFilter: logits must be a tensor of at least 1 dim");
  }
  if (!Number.isInteger(k) || k <= 0) throw new TensorError(`topkFilter: k must be a positive integer, got ${k}`);
  const n = logits.shape[logits.ndim - 1];
  const { values } = topk(logits.detach(), Math.min(k, n), -1);
  const kth = values.slice(-1, -1);
  return maskedFill(logits, logits.lt(kth), -Infinity);
}
