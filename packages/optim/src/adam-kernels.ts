// Adam's inner loops over typed arrays. Each loop exists once per float type (F32, F64)
// so that every call site in it sees a single array type and V8 keeps it monomorphic; the two
// copies of a loop do the same arithmetic in the same order. A float32 loop rounds with
// Math.fround exactly where the float32 store rounds, so the values match reading back the store.

import { fusedAdamF32, type FusedAdamConstants } from "@tg/tensor";
import type { FloatArray } from "./arrays.js";

/**
 * Per-step constants of Adam's update, computed once per parameter and step by the optimizer:
 * those of @tg/tensor's fused step (decay 1 − lr·λ for AdamW, 1 for Adam; 1 − β1; β2; 1 − β2;
 * lr / (1 − β1^t); sqrt(1 − β2^t); eps), plus the L2 term.
 */
export interface AdamConstants extends FusedAdamConstants {
  /** L2 term added to the gradient: λ for Adam, 0 for AdamW. */
  l2: number;
}

/**
 * One Adam/AdamW step on every element, in place: `vMax` is the AMSGrad buffer, or null.
 * All arrays have the parameter's float type and length (the optimizer guarantees it).
 */
export function adamUpdate(
  param: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vMax: FloatArray | null,
  k: AdamConstants,
): void {
  if (
    param instanceof Float32Array &&
    grad instanceof Float32Array &&
    m instanceof Float32Array &&
    v instanceof Float32Array &&
    (vMax === null || vMax instanceof Float32Array)
  ) {
    // the common case (AdamW, or Adam without weight decay) runs on @tg/tensor's SIMD kernel where
    // the wasm backend is in use; it does PyTorch's float32 arithmetic operation by operation
    if (vMax === null && k.l2 === 0) {
      if (!fusedAdamF32(param, grad, m, v, k)) adamPlainF32(param, grad, m, v, k);
    }
    else adamF32(param, grad, m, v, vMax, k);
  } else if (
    param instanceof Float64Array &&
    grad instanceof Float64Array &&
    m instanceof Float64Array &&
    v instanceof Float64Array &&
    (vMax === null || vMax instanceof Float64Array)
  ) {
    adamF64(param, grad, m, v, vMax, k);
  } else {
    throw new TypeError("adam: parameter, gradient and buffers must share one float type");
  }
}

/**
 * adamF32 without the L2 term and AMSGrad (AdamW, and Adam without weight decay): the common case
 * gets a loop without per-element branches, which V8 does not hoist by itself.
 */
function adamPlainF32(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  k: AdamConstants,
): void {
  const { decay, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bc2Sqrt, eps } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 1.–3. as in adamF32 with l2 = 0 and no vMax
    const p = param[i] * decay;
    const g = grad[i];
    const mOld = m[i];
    const mi = Math.fround(mOld + oneMinusBeta1 * (g - mOld));
    m[i] = mi;
    const vi = Math.fround(beta2 * v[i] + oneMinusBeta2 * g * g);
    v[i] = vi;
    param[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

function adamF32(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vMax: Float32Array | null,
  k: AdamConstants,
): void {
  const { decay, l2, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bc2Sqrt, eps } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 1. weight decay: AdamW shrinks the parameter, Adam adds λθ to the gradient
    const theta = param[i];
    const p = theta * decay;
    const g = l2 === 0 ? grad[i] : grad[i] + l2 * theta;
    // 2. update the moments (kept in float32, as PyTorch keeps them in the parameter's dtype)
    const mOld = m[i];
    const mi = Math.fround(mOld + oneMinusBeta1 * (g - mOld));
    m[i] = mi;
    let vi = Math.fround(beta2 * v[i] + oneMinusBeta2 * g * g);
    v[i] = vi;
    if (vMax !== null) {
      // NOTE: AMSGrad keeps the maximum of the raw second moment, as PyTorch's code does
      const vm = vMax[i];
      if (vi > vm) vMax[i] = vi;
      else vi = vm;
    }
    // 3. bias-corrected step: lr · mHat / (sqrt(vHat) + eps)
    param[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}

function adamF64(
  param: Float64Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  vMax: Float64Array | null,
  k: AdamConstants,
): void {
  const { decay, l2, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bc2Sqrt, eps } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 1.–3. as in adamF32, without rounding to float32
    const theta = param[i];
    const p = theta * decay;
    const g = l2 === 0 ? grad[i] : grad[i] + l2 * theta;
    const mOld = m[i];
    const mi = mOld + oneMinusBeta1 * (g - mOld);
    m[i] = mi;
    let vi = beta2 * v[i] + oneMinusBeta2 * g * g;
    v[i] = vi;
    if (vMax !== null) {
      const vm = vMax[i];
      if (vi > vm) vMax[i] = vi;
      else vi = vm;
    }
    param[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}
