// Neural-network primitives built from other ops: softmax, logSoftmax and (inverted) dropout.
// Convolution and pooling are in ops/conv.ts.

import { TensorError } from "../errors.js";
import { getGlobalRng, type Rng } from "../rng.js";
import { normalizeDim } from "../shape.js";
import { defineOp } from "../autograd/op.js";
import { isScratch } from "../autograd/scratch.js";
import { contiguousData } from "../kernels/copy.js";
import { simdBinary, simdDropout } from "../kernels/simd-elementwise.js";
import { emptyStorage, type Storage } from "../storage.js";
import { Tensor } from "../tensor.js";
import type { TypedArray } from "../dtype.js";

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

/** 32-bit draws for the mask, made a block at a time (working memory, never handed out). */
const draws = new Uint32Array(4096);

// out = x · mask, with mask = 1/(1-p) where the element's 32-bit draw is ≥ p·2³², else 0; the
// forward keeps the mask for the backward, which is g · mask
// saved: the mask, the kept elements' factor 1/(1-p) (0 when p = 1) in the output's dtype
const dropoutOp = defineOp<DropoutAttrs, DropoutAttrs, Storage>({
  name: "dropout",
  check: (_, attrs) => attrs,
  forward: ([x], attrs, ctx) => {
    const dtype = x.dtype === "float64" ? "float64" : "float32";
    const mask = emptyStorage(dtype, x.shape);
    const out = emptyStorage(dtype, x.shape);
    const m = mask.data;
    const o = out.data;
    const xd = contiguousData(x);
    const p = attrs.p;
    const scale = p === 1 ? 0 : 1 / (1 - p);
    const kept = dtype === "float32" ? Math.fround(scale) : scale; // as the mask stores it
    // an element is dropped when its draw is below p·2³², so with probability p (to 2⁻³²)
    const threshold = p * 4294967296;
    const f32 = m instanceof Float32Array && o instanceof Float32Array && xd instanceof Float32Array;
    // the SIMD kernel draws all of the mask at once, the same numbers as the blocks below
    if (!(f32 && simdDropout(xd, m, o, Math.ceil(threshold), kept, (d) => attrs.rng.fillUint32(d)))) {
      for (let start = 0; start < m.length; start += draws.length) {
        const end = Math.min(m.length, start + draws.length);
        attrs.rng.fillUint32(end - start === draws.length ? draws : draws.subarray(0, end - start));
        if (f32) maskBlockF32(xd, m, o, start, end, kept, threshold);
        else maskBlock(xd, m, o, start, end, kept, threshold);
      }
    }
    ctx.save(mask);
    return out;
  },
  // g · mask, written over g when the engine hands it over as scratch
  backward: (g, _inputs, _out, _attrs, mask) => {
    if (!mask) return [null];
    if (!isScratch(g) || g.dtype !== mask.dtype) return [g.mul(new Tensor(mask))];
    const gd = g.storage.data;
    const m = mask.data;
    if (gd instanceof Float32Array && m instanceof Float32Array) {
      const dense = gd.subarray(0, m.length);
      if (simdBinary("mul", dense, m, dense)) return [g];
    }
    for (let i = 0; i < m.length; i++) gd[i] *= m[i];
    return [g];
  },
});

/** m[i] = kept where draw i ≥ threshold, else 0, and o[i] = x[i]·m[i], for i in [start, end). */
function maskBlock(x: TypedArray, m: TypedArray, o: TypedArray, start: number, end: number, kept: number, threshold: number): void {
  for (let i = start; i < end; i++) {
    const f = kept * +(draws[i - start] >= threshold); // branch-free: p is often 0.3
    m[i] = f;
    o[i] = x[i] * f;
  }
}

/** maskBlock for float32 arrays only, so that V8 compiles it for one array type (2-3x faster). */
function maskBlockF32(x: Float32Array, m: Float32Array, o: Float32Array, start: number, end: number, kept: number, threshold: number): void {
  for (let i = start; i < end; i++) {
    const f = kept * +(draws[i - start] >= threshold);
    m[i] = f;
    o[i] = x[i] * f;
  }
}

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
