// Dropout's loops: drawing the mask (one 32-bit draw per element, in order) while scaling the
// input, and multiplying a gradient by the mask in place. The op and its backward are in ops/nn.ts.

import type { DType, TypedArray } from "../dtype.js";
import type { Rng } from "../rng.js";
import { emptyStorage, type Storage } from "../storage.js";
import { contiguousData } from "./copy.js";
import { accelerator } from "./backend.js";

/** 32-bit draws for the mask, made a block at a time (working memory, never handed out). */
const draws = new Uint32Array(4096);

/**
 * Inverted dropout of `x` with probability `p`: mask[i] = 1/(1-p) (0 when p = 1) where draw i from
 * `rng` is ≥ p·2³², else 0, and out[i] = x[i]·mask[i]. Both are contiguous, of x's shape, float64
 * for a float64 `x` and float32 otherwise.
 */
export function dropoutMask(x: Storage, p: number, rng: Rng): { out: Storage; mask: Storage } {
  const dtype: DType = x.dtype === "float64" ? "float64" : "float32";
  const mask = emptyStorage(dtype, x.shape);
  const out = emptyStorage(dtype, x.shape);
  const m = mask.data;
  const o = out.data;
  const xd = contiguousData(x);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const kept = dtype === "float32" ? Math.fround(scale) : scale; // as the mask stores it
  // an element is dropped when its draw is below p·2³², so with probability p (to 2⁻³²)
  const threshold = p * 4294967296;
  const f32 = m instanceof Float32Array && o instanceof Float32Array && xd instanceof Float32Array;
  // the SIMD kernel draws all of the mask at once, the same numbers as the blocks below
  if (f32 && accelerator().dropout?.(xd, m, o, Math.ceil(threshold), kept, (d) => rng.fillUint32(d))) return { out, mask };
  for (let start = 0; start < m.length; start += draws.length) {
    const end = Math.min(m.length, start + draws.length);
    rng.fillUint32(end - start === draws.length ? draws : draws.subarray(0, end - start));
    if (f32) maskBlockF32(xd, m, o, start, end, kept, threshold);
    else maskBlock(xd, m, o, start, end, kept, threshold);
  }
  return { out, mask };
}

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

/** g[i] *= mask[i] for every element: `g` is dense from index 0 and has the mask's size and dtype. */
export function multiplyByMaskInPlace(g: TypedArray, mask: TypedArray): void {
  if (g instanceof Float32Array && mask instanceof Float32Array) {
    const dense = g.subarray(0, mask.length);
    if (accelerator().binary?.("mul", dense, mask, dense)) return;
  }
  for (let i = 0; i < mask.length; i++) g[i] *= mask[i];
}
