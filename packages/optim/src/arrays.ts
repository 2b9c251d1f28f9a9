// Direct access to the typed arrays behind parameters and gradients, for the in-place update loops.

import type { Tensor } from "@tg/tensor";

/** The typed array of a float tensor. */
export type FloatArray = Float32Array | Float64Array;

/** True when the tensor's elements are one gap-free row-major run of its typed array. */
export function isDense(t: Tensor): boolean {
  const { shape, strides } = t.storage;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/**
 * The elements of a dense float tensor, written in place through the result, or null for int32:
 * the storage's own array when the tensor covers all of it, otherwise a view of its run.
 */
export function denseView(t: Tensor): FloatArray | null {
  const { data, offset, size } = t.storage;
  if (data instanceof Int32Array) return null;
  return offset === 0 && size === data.length ? data : data.subarray(offset, offset + size);
}

/** A zero-filled array of the same float type and length. */
export function allocLike(like: FloatArray): FloatArray {
  return like instanceof Float64Array
    ? new Float64Array(like.length)
    : new Float32Array(like.length);
}
