// The seam between the reference kernels and a fast backend. A backend (kernels/wasm/ today) is an
// Accelerator: an object with a fast path for some float32 kernels. kernels/X.ts asks
// accelerator() (backend.ts) for X's fast path, calls it when it is there, and runs its own
// reference loop when it is not or when the fast path declines (returns false or null). A new
// backend implements this interface in its own folder and adds one row to backend.ts's table; no
// op or reference kernel changes.

import type { Storage } from "../storage.js";
import type { SavedColumns, WindowGeometry } from "./window.js";

/** A strided float32 matrix: element (i, j) is data[offset + i·rowStride + j·colStride]. */
export interface F32Matrix {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** The binary element-wise ops a backend may accelerate. */
export type FastBinaryKind = "add" | "sub" | "mul" | "div";

/** The per-step constants of one parameter's Adam update (computed by the optimizer). */
export interface FusedAdamConstants {
  /** θ is multiplied by this first: 1 − lr·λ for AdamW, 1 for Adam without weight decay. */
  decay: number;
  /** 1 − β1. */
  oneMinusBeta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  oneMinusBeta2: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** √(1 − β2^t). */
  bc2Sqrt: number;
  /** Added to the denominator. */
  eps: number;
}

/**
 * An output gradient given as max-pooling over relu's output passes it back: each window's
 * gradient `grad[i]` belongs at `winners[i]` where the pooled value is positive or NaN (relu let
 * it through), and everything else is 0.
 */
export interface PooledGrad {
  grad: Float32Array;
  pooled: Float32Array;
  winners: Int32Array;
}

/**
 * The fast paths one backend offers, all float32. Every member is optional: a backend leaves out
 * what it does not accelerate, and the reference loop runs. Every member may also decline a call
 * (one it does not pay for, or cannot run here) by returning false or null, writing nothing; the
 * reference loop runs then too.
 */
export interface Accelerator {
  /** Writes A·B (m×n, each element the float32 sum of its k products in order) into c[cOffset …] as a contiguous block; false where it declines. */
  gemm?(m: number, n: number, k: number, a: F32Matrix, b: F32Matrix, c: Float32Array, cOffset: number): boolean;

  /**
   * conv2d forward into `out` (NCHW), keeping the columns in `saved` when given. With `relu` it
   * may apply relu as it writes: returns true when it did, false when the caller still has to.
   */
  conv2d?(x: Storage, weight: Float32Array, bias: Float32Array | null, g: WindowGeometry, out: Float32Array, saved?: SavedColumns, relu?: boolean): boolean;
  /** maxPool2d(relu(conv2d)) over 2×2 stride-2 windows in one pass; false (nothing written) where it declines. */
  conv2dReluMaxPool2x2?(x: Storage, weight: Float32Array, bias: Float32Array | null, g: WindowGeometry, pooled: Float32Array, winners: Int32Array): boolean;
  /** conv2d's weight gradient; with `db` it may add the bias gradient there too, and says whether it did; null where it declines. */
  conv2dWeightGrad?(grad: Float32Array, x: Storage, g: WindowGeometry, saved?: Float32Array, db?: Float64Array): { dw: Float32Array; biasDone: boolean } | null;
  /** The weight (and, given db, bias) gradient of conv2dReluMaxPool2x2 from its pooled gradient; null where it declines. */
  conv2dWeightGradPooled?(pooled: PooledGrad, x: Storage, g: WindowGeometry, db?: Float64Array): Float32Array | null;
  /** conv2d's input gradient as a contiguous n×c×h×w array; null where it declines. */
  conv2dInputGrad?(grad: Storage, gradData: Float32Array, weight: Float32Array, g: WindowGeometry): Float32Array | null;
  /** 2×2 stride-2 max-pooling of contiguous data: values to `out`, winners to `index`; false where it declines. */
  maxPool2x2?(data: Float32Array, offset: number, g: WindowGeometry, out: Float32Array, index: Int32Array): boolean;

  /** out = relu(x); false (nothing written) where it declines. */
  relu?(x: Float32Array, out: Float32Array): boolean;
  /** out = g where x is not ≤ 0, else +0; false where it declines. */
  reluBackward?(g: Float32Array, x: Float32Array, out: Float32Array): boolean;
  /** out = a <kind> b over arrays of one length (`out` may be `a` or `b`); false where it declines. */
  binary?(kind: FastBinaryKind, a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  /** out = a <kind> row, the row repeated along `a` (`out` may be `a`); false where it declines. */
  binaryRows?(kind: FastBinaryKind, a: Float32Array, row: Float32Array, out: Float32Array): boolean;
  /**
   * Dropout's forward: `fill` writes one 32-bit draw per element, then mask = kept where the draw
   * is ≥ threshold, else 0, and out = x·mask; false (nothing drawn) where it declines.
   */
  dropout?(x: Float32Array, mask: Float32Array, out: Float32Array, threshold: number, kept: number, fill: (draws: Uint32Array) => void): boolean;
  /** acc[j] += a[r·n + j] in float64 for every row r in order (n = acc.length); false where it declines. */
  sumRows?(a: Float32Array, acc: Float64Array): boolean;

  /** Zeroed Adam m and v buffers for a parameter of `n` elements, placed where `adam` reads them in place; null where it declines. */
  adamState?(n: number): { expAvg: Float32Array; expAvgSq: Float32Array } | null;
  /** One Adam step in place over arrays of one length; false (nothing changed) where it declines. */
  adam?(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, constants: FusedAdamConstants): boolean;
}
