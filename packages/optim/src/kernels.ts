// The optimizers' inner loops over typed arrays. Each loop exists once per float type (F32, F64)
// so that every call site in it sees a single array type and V8 keeps it monomorphic; the two
// copies of a loop do the same arithmetic in the same order. A float32 loop rounds with
// Math.fround exactly where the float32 store rounds, so the values match reading back the store.

import type { FloatArray } from "./arrays.js";

/** Per-step constants of Adam's update, computed once per parameter and step by the optimizer. */
export interface AdamConstants {
  /** θ is multiplied by this first: 1 − lr·λ for AdamW, 1 for Adam. */
  decay: number;
  /** L2 term added to the gradient: λ for Adam, 0 for AdamW. */
  l2: number;
  /** 1 − β1. */
  oneMinusBeta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  oneMinusBeta2: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** sqrt(1 − β2^t). */
  bc2Sqrt: number;
  /** Added to the denominator. */
  eps: number;
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
    adamF32(param, grad, m, v, vMax, k);
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

/** Per-step constants of SGD's update. */
export interface SGDConstants {
  lr: number;
  /** L2 term λ added to the gradient. */
  weightDecay: number;
  /** Momentum μ; 0 means plain SGD (then there is no buffer). */
  momentum: number;
  /** 1 − dampening. */
  oneMinusDampening: number;
  nesterov: boolean;
  /** True on the parameter's first step, when the buffer starts as the gradient. */
  first: boolean;
}

/**
 * One SGD step on every element, in place: `buf` is the momentum buffer, or null when μ = 0.
 * All arrays have the parameter's float type and length (the optimizer guarantees it).
 */
export function sgdUpdate(
  param: FloatArray,
  grad: FloatArray,
  buf: FloatArray | null,
  k: SGDConstants,
): void {
  if (
    param instanceof Float32Array &&
    grad instanceof Float32Array &&
    (buf === null || buf instanceof Float32Array)
  ) {
    if (buf === null) sgdPlainF32(param, grad, k);
    else sgdMomentumF32(param, grad, buf, k);
  } else if (
    param instanceof Float64Array &&
    grad instanceof Float64Array &&
    (buf === null || buf instanceof Float64Array)
  ) {
    if (buf === null) sgdPlainF64(param, grad, k);
    else sgdMomentumF64(param, grad, buf, k);
  } else {
    throw new TypeError("SGD: parameter, gradient and buffer must share one float type");
  }
}

function sgdPlainF32(param: Float32Array, grad: Float32Array, k: SGDConstants): void {
  const { lr, weightDecay } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 1. L2 weight decay, 2. descend
    const p = param[i];
    const d = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * p;
    param[i] = p - lr * d;
  }
}

function sgdPlainF64(param: Float64Array, grad: Float64Array, k: SGDConstants): void {
  const { lr, weightDecay } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i];
    const d = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * p;
    param[i] = p - lr * d;
  }
}

function sgdMomentumF32(
  param: Float32Array,
  grad: Float32Array,
  buf: Float32Array,
  k: SGDConstants,
): void {
  const { lr, weightDecay, momentum, oneMinusDampening, nesterov, first } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 1. L2 weight decay
    const p = param[i];
    const d = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * p;
    // 2. momentum: the buffer starts as the first gradient; it is kept in float32
    const b = Math.fround(first ? d : momentum * buf[i] + oneMinusDampening * d);
    buf[i] = b;
    // 3. descend along the buffer, or along g + μb for Nesterov
    param[i] = p - lr * (nesterov ? d + momentum * b : b);
  }
}

function sgdMomentumF64(
  param: Float64Array,
  grad: Float64Array,
  buf: Float64Array,
  k: SGDConstants,
): void {
  const { lr, weightDecay, momentum, oneMinusDampening, nesterov, first } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 1.–3. as in sgdMomentumF32, without rounding to float32
    const p = param[i];
    const d = weightDecay === 0 ? grad[i] : grad[i] + weightDecay * p;
    const b = first ? d : momentum * buf[i] + oneMinusDampening * d;
    buf[i] = b;
    param[i] = p - lr * (nesterov ? d + momentum * b : b);
  }
}

/** acc plus the sum of the squares of `g`'s elements, added in index order. */
export function addSquares(acc: number, g: FloatArray): number {
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
export function scaleInPlace(g: FloatArray, coef: number): void {
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
