// Copies: making a strided storage contiguous, casting between dtypes, writing into a view.

import { allocate, type DType, type TypedArray } from "../dtype.js";
import { contiguousStrides } from "../shape.js";
import { isContiguous, makeStorage, type Storage } from "../storage.js";
import { RowIterator } from "./iter.js";

/** Copies the elements of `src` into `dst` (same shape, any strides), converting the dtype. */
export function copyInto(dst: Storage, src: Storage): void {
  const it = new RowIterator(src.shape, [src.strides, dst.strides], [src.offset, dst.offset]);
  const a = src.data;
  const out = dst.data;
  const truncate = dst.dtype === "int32" && src.dtype !== "int32";
  const n = it.rowLength;
  const [sa, so] = it.rowStrides;
  while (it.next()) {
    let ia = it.offsets[0];
    let io = it.offsets[1];
    if (truncate) {
      for (let j = 0; j < n; j++, ia += sa, io += so) out[io] = Math.trunc(a[ia]);
    } else {
      for (let j = 0; j < n; j++, ia += sa, io += so) out[io] = a[ia];
    }
  }
}

/** A contiguous copy of `s`, or `s` itself when it already owns exactly its elements in order. */
export function contiguous(s: Storage): Storage {
  if (s.offset === 0 && s.data.length === s.size && isContiguous(s)) return s;
  return castStorage(s, s.dtype);
}

/**
 * The elements in row-major order; may share `s`'s data, so callers only read it. It is `s.data`
 * itself when that holds exactly the elements, else possibly a view of its buffer, which must not
 * be kept longer than `s.data` (see memory.ts).
 */
export function contiguousData(s: Storage): TypedArray {
  if (s.offset === 0 && s.size === s.data.length && isContiguous(s)) return s.data;
  if (isContiguous(s)) return s.data.subarray(s.offset, s.offset + s.size);
  return castStorage(s, s.dtype).data;
}

/** A fresh contiguous copy converted to `dtype` (to int32 truncates toward zero, like PyTorch). */
export function castStorage(s: Storage, dtype: DType): Storage {
  const out = makeStorage(allocate(dtype, s.size), dtype, s.shape, contiguousStrides(s.shape));
  const exact = dtype !== "int32" || s.dtype === "int32";
  if (isContiguous(s) && exact) {
    out.data.set(s.data.subarray(s.offset, s.offset + s.size));
  } else if (exact && s.shape.length === 2 && s.strides[1] !== 1 && s.size >= TILE * TILE) {
    copyTiled(out.data, s);
  } else {
    copyInto(out, s);
  }
  return out;
}

/** Side of the square blocks in which copyTiled walks a matrix. */
const TILE = 32;

/**
 * Copies a 2-D strided `s` (e.g. a transposed gradient) into the contiguous `out` block by
 * block, so the strided reads of a block stay in cache; the plain row walk of copyInto reads
 * each row across the whole matrix and measured 2.5x slower on [256, 784] float32.
 */
function copyTiled(out: TypedArray, s: Storage): void {
  const [rows, cols] = s.shape;
  const [s0, s1] = s.strides;
  const a = s.data;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        for (let j = j0, src = s.offset + i * s0 + j0 * s1, dst = i * cols + j0; j < j1; j++) {
          out[dst++] = a[src];
          src += s1;
        }
      }
    }
  }
}
