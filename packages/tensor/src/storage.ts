// Storage: a flat typed array seen through shape, strides and offset. Views share the array;
// this file knows nothing of autograd. Kernels read storages and return new ones.

import { allocate, type DType, type TypedArray } from "./dtype.js";
import { contiguousStrides, sizeOf, type Shape } from "./shape.js";

/** A strided view of a typed array. Element (i0, i1, …) lives at offset + Σ ik·strides[k]. */
export interface Storage {
  /**
   * The typed array that holds the elements (shared by views). Its buffer is reused for a new
   * tensor once this array is unreachable (memory.ts): a view made of the buffer must not outlive it.
   */
  readonly data: TypedArray;
  /** The element type. */
  readonly dtype: DType;
  /** The size of each dim. */
  readonly shape: Shape;
  /** Elements to skip in `data` per step along each dim (0 for a broadcast dim). */
  readonly strides: readonly number[];
  /** Index in `data` of the first element. */
  readonly offset: number;
  /** The number of elements (the product of `shape`). */
  readonly size: number;
}

export function makeStorage(
  data: TypedArray,
  dtype: DType,
  shape: Shape,
  strides: readonly number[] = contiguousStrides(shape),
  offset = 0,
): Storage {
  return { data, dtype, shape, strides, offset, size: sizeOf(shape) };
}

/** A fresh zero-filled contiguous storage; a shape too large to allocate throws naming `op`. */
export function emptyStorage(dtype: DType, shape: Shape, op = "allocate"): Storage {
  return makeStorage(allocate(dtype, sizeOf(shape), op, shape), dtype, shape);
}

/** True when the elements are laid out row-major without gaps (offset may be non-zero). */
export function isContiguous(s: Storage): boolean {
  let expected = 1;
  for (let i = s.shape.length - 1; i >= 0; i--) {
    if (s.shape[i] !== 1 && s.strides[i] !== expected) return false;
    expected *= s.shape[i];
  }
  return true;
}

/** A view of the same data with another shape/strides/offset. */
export function view(
  s: Storage,
  shape: Shape,
  strides: readonly number[],
  offset = s.offset,
): Storage {
  return makeStorage(s.data, s.dtype, shape, strides, offset);
}
