// The element-wise fast paths of the current backend (accelerator() in backend.ts), under the
// names the element-wise, dropout and bias loops call them by. Each returns false, writing
// nothing, where the backend has no such path or declines, and the caller's plain loop runs.

import type { FastBinaryKind } from "./accelerator.js";
import { accelerator } from "./backend.js";

/** The binary ops a backend may accelerate. */
export type SimdBinaryKind = FastBinaryKind;

/** out = relu(x) on the backend's fast path; false (nothing written) where there is none. */
export function simdRelu(x: Float32Array, out: Float32Array): boolean {
  return accelerator().relu?.(x, out) ?? false;
}

/** out = g where x is not <= 0, else 0, on the backend's fast path; false where there is none. */
export function simdReluBackward(g: Float32Array, x: Float32Array, out: Float32Array): boolean {
  return accelerator().reluBackward?.(g, x, out) ?? false;
}

/** out = a <kind> b over arrays of one length on the backend's fast path; false where there is none. */
export function simdBinary(kind: SimdBinaryKind, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  return accelerator().binary?.(kind, a, b, out) ?? false;
}

/** out = a <kind> row, the row repeated along `a`, on the backend's fast path; false where there is none. */
export function simdBinaryRows(kind: SimdBinaryKind, a: Float32Array, row: Float32Array, out: Float32Array): boolean {
  return accelerator().binaryRows?.(kind, a, row, out) ?? false;
}

/** Dropout's forward on the backend's fast path (see Accelerator.dropout); false where there is none. */
export function simdDropout(
  x: Float32Array,
  mask: Float32Array,
  out: Float32Array,
  threshold: number,
  kept: number,
  fill: (draws: Uint32Array) => void,
): boolean {
  return accelerator().dropout?.(x, mask, out, threshold, kept, fill) ?? false;
}
