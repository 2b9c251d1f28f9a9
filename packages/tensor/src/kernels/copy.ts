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

/** The elements in row-major order; may share `s`'s data, so callers only read it. */
export function contiguousData(s: Storage): TypedArray {
  if (isContiguous(s)) return s.data.subarray(s.offset, s.offset + s.size);
  return castStorage(s, s.dtype).data;
}

/** A fresh contiguous copy converted to `dtype` (to int32 truncates toward zero, like PyTorch). */
export function castStorage(s: Storage, dtype: DType): Storage {
  const out = makeStorage(allocate(dtype, s.size), dtype, s.shape, contiguousStrides(s.shape));
  if (isContiguous(s) && (dtype !== "int32" || s.dtype === "int32")) {
    out.data.set(s.data.subarray(s.offset, s.offset + s.size));
  } else {
    copyInto(out, s);
  }
  return out;
}
