// Gradient clipping: clipGradNorm (PyTorch's clip_grad_norm_) and clipGradValue (clip_grad_value_).
// Both scale the `.grad` of the given parameters in place; parameters without a gradient are skipped.

import { tensor, Tensor, TensorError } from "@tg/tensor";
import { denseView, isDense, type FloatArray } from "./arrays.js";
import { checkRange, NON_NEGATIVE } from "./options.js";

/**
 * Scales the gradients so that their total `normType`-norm (all gradients seen as one vector) is at
 * most `maxNorm`, and returns the total norm before clipping. Like `torch.nn.utils.clip_grad_norm_`:
 * the scale is `maxNorm / (totalNorm + 1e-6)`, capped at 1; `normType` may be `Infinity` (max |g|).
 * @example
 * const total = clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  normType = 2,
): number {
  checkRange("clipGradNorm", "maxNorm", maxNorm, NON_NEGATIVE);
  if (typeof normType !== "number" || Number.isNaN(normType) || normType <= 0) {
    throw new RangeError(
      `clipGradNorm: normType must be a positive number or Infinity, got ${String(normType)}`,
    );
  }
  const grads = gradArrays("clipGradNorm", params);
  if (grads.length === 0) return 0;
  const total = totalNorm(grads, normType);
  // NOTE: a NaN or infinite norm gives a NaN or zero scale, as in PyTorch (error_if_nonfinite=False)
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  if (coef !== 1) {
    for (let j = 0; j < grads.length; j++) scaleInPlace(grads[j], coef);
  }
  return total;
}

/**
 * Clamps every gradient element to `[-clipValue, clipValue]` in place
 * (PyTorch's `torch.nn.utils.clip_grad_value_`).
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  checkRange("clipGradValue", "clipValue", clipValue, NON_NEGATIVE);
  for (const g of gradArrays("clipGradValue", params)) {
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (v > clipValue) g[i] = clipValue;
      else if (v < -clipValue) g[i] = -clipValue;
    }
  }
}

function totalNorm(grads: readonly FloatArray[], p: number): number {
  let acc = 0;
  for (const g of grads) {
    if (p === Infinity) {
      for (let i = 0; i < g.length; i++) acc = Math.max(acc, Math.abs(g[i]));
    } else if (p === 2) {
      acc = addSquares(acc, g);
    } else if (p === 1) {
      for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]);
    } else {
      for (let i = 0; i < g.length; i++) acc += Math.abs(g[i]) ** p;
    }
  }
  if (p === Infinity || p === 1) return acc;
  return p === 2 ? Math.sqrt(acc) : acc ** (1 / p);
}

/**
 * The writable elements of each parameter's gradient. A gradient that is a strided view is first
 * replaced by a contiguous copy, so scaling it in place cannot touch the tensor it views.
 */
function gradArrays(where: string, params: Iterable<Tensor> | Tensor): FloatArray[] {
  const list = params instanceof Tensor ? [params] : [...params];
  const out: FloatArray[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${where}: parameter ${i} is not a Tensor`);
    let g = p.grad;
    if (g === null) return;
    if (!isDense(g)) {
      g = tensor(g.dataSync(), { shape: g.shape });
      p.grad = g;
    }
    const view = denseView(g);
    if (view === null)
      throw new TensorError(`${where}: gradient ${i} is int32; gradients are float`);
    out.push(view);
  });
  return out;
}

// Per-dtype loops (see adam-kernels.ts for why).

/** acc plus the sum of the squares of `g`'s elements, added in index order. */
function addSquares(acc: number, g: FloatArray): number {
  return g instanceof Float32Array ? addSquaresF32(acc, g) : addSquaresF64(acc, g);
}

function addSquaresF32(acc: number, g: Float32Array): number {
  const n = g.length;
  for (let i = 0; i < n; i++) acc += g[i] * g[i];
  return acc;
}

function addSquaresF64(acc: number, g: Float64Array): number {
  const n = g.length;
  for (let i = 0; i < n; i++) acc += g[i] * g[i];
  return acc;
}

/** Multiplies every element of `g` by `coef`, in place. */
function scaleInPlace(g: FloatArray, coef: number): void {
  if (g instanceof Float32Array) scaleF32(g, coef);
  else scaleF64(g, coef);
}

function scaleF32(g: Float32Array, coef: number): void {
  const n = g.length;
  for (let i = 0; i < n; i++) g[i] *= coef;
}

function scaleF64(g: Float64Array, coef: number): void {
  const n = g.length;
  for (let i = 0; i < n; i++) g[i] *= coef;
}
