// Neural-network primitives built from other ops: softmax, logSoftmax and (inverted) dropout.
// Convolution and pooling are in ops/conv.ts.

import { TensorError } from "../errors.js";
import { getGlobalRng, type Rng } from "../rng.js";
import { normalizeDim } from "../shape.js";
import { defineOp } from "../autograd/op.js";
import { isScratch } from "../autograd/scratch.js";
import { dropoutMask, multiplyByMaskInPlace } from "../kernels/dropout.js";
import type { Storage } from "../storage.js";
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

interface DropoutAttrs {
  p: number;
  rng: Rng;
}

// out = x · mask, with mask = 1/(1-p) where the element's 32-bit draw is ≥ p·2³², else 0
// (kernels/dropout.ts); the backward is g · mask
// saved: the mask, the kept elements' factor 1/(1-p) (0 when p = 1) in the output's dtype
const dropoutOp = defineOp<DropoutAttrs, DropoutAttrs, Storage>({
  name: "dropout",
  check: (_, attrs) => attrs,
  forward: ([x], { p, rng }, ctx) => {
    const { out, mask } = dropoutMask(x, p, rng);
    ctx.save(mask);
    return out;
  },
  // g · mask, written over g when the engine hands it over as scratch
  backward: (g, _inputs, _out, _attrs, mask) => {
    if (!mask) return [null];
    if (!isScratch(g) || g.dtype !== mask.dtype) return [g.mul(new Tensor(mask))];
    multiplyByMaskInPlace(g.storage.data, mask.data);
    return [g];
  },
});

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) while `training`
 * (inverted dropout, as `torch.nn.functional.dropout`); returns `x` unchanged otherwise. One
 * 32-bit draw per element, in order, from `rng` (the global generator by default).
 */
export function dropout(x: Tensor, p: number, training: boolean, opts: { rng?: Rng } = {}): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new TensorError(`dropout: p must be in [0, 1], got ${p}`);
  }
  if (!training || p === 0) return x;
  return dropoutOp([x], { p, rng: opts.rng ?? getGlobalRng() });
}
