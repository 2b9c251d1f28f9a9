// SGD's inner loops over typed arrays, one per float type (see adam-kernels.ts for why), plus a
// branch-free float32 loop for the common momentum step.

import type { FloatArray } from "./arrays.js";

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
    else if (k.weightDecay === 0 && !k.nesterov && !k.first) sgdHeavyBallF32(param, grad, buf, k);
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

/** sgdMomentumF32 after the first step, without weight decay or Nesterov: no per-element branch. */
function sgdHeavyBallF32(
  param: Float32Array,
  grad: Float32Array,
  buf: Float32Array,
  k: SGDConstants,
): void {
  const { lr, momentum, oneMinusDampening } = k;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    // 2. b ← μb + (1 − τ)g, 3. θ ← θ − lr·b
    const b = Math.fround(momentum * buf[i] + oneMinusDampening * grad[i]);
    buf[i] = b;
    param[i] = param[i] - lr * b;
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
