// Neural-network primitives built from other ops: softmax, logSoftmax and (inverted) dropout.
// Convolution and pooling are in ops/conv.ts.

import { TensorError } from "../errors.js";
import { getGlobalRng, type Rng } from "../rng.js";
import { normalizeDim } from "../shape.js";
import { makeStorage } from "../storage.js";
import { allocate } from "../dtype.js";
import { Tensor } from "../tensor.js";

/** exp(x) / Σ exp(x) along `dim`, shifted by the max so logits of ±1000 stay finite. */
export function softmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("softmax", dim, x.ndim);
  const e = shiftByMax(x, d).exp();
  return e.div(e.sum(d, true));
}

/** log(softmax(x)) along `dim`, computed as x - max - log Σ exp(x - max) for stability. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("logSoftmax", dim, x.ndim);
  const shifted = shiftByMax(x, d);
  return shifted.sub(shifted.exp().sum(d, true).log());
}

/** x − max(x) along `dim` (x itself when empty, which has no max). */
function shiftByMax(x: Tensor, dim: number): Tensor {
  if (x.size === 0) return x;
  // NOTE: the shift does not change the result, so it needs no gradient
  return x.sub(x.max(dim, true).detach());
}

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) while `training`
 * (inverted dropout, as `torch.nn.functional.dropout`); returns `x` unchanged otherwise.
 */
export function dropout(x: Tensor, p: number, training: boolean, opts: { rng?: Rng } = {}): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new TensorError(`dropout: p must be in [0, 1], got ${p}`);
  }
  if (!training || p === 0) return x;
  const rng = opts.rng ?? getGlobalRng();
  const dtype = x.dtype === "float64" ? "float64" : "float32";
  const mask = allocate(dtype, x.size);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const u = rng.fillUniform(new Float64Array(x.size)); // one draw per element, in order
  for (let i = 0; i < mask.length; i++) mask[i] = scale * +(u[i] >= p); // branch-free: p is often 0.3
  return x.mul(new Tensor(makeStorage(mask, dtype, x.shape)));
}
