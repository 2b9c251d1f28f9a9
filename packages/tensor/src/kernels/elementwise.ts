// Element-wise kernels: map one operand, or two broadcast operands, into a fresh contiguous output.
// Contiguous operands of equal shape take a flat loop; everything else walks rows (kernels/iter.ts).

import type { DType } from "../dtype.js";
import { broadcastStrides, type Shape } from "../shape.js";
import { emptyStorage, isContiguous, type Storage } from "../storage.js";
import { RowIterator } from "./iter.js";

export type UnaryFn = (x: number) => number;
export type BinaryFn = (a: number, b: number) => number;

/** out[i] = fn(x[i]) */
export function mapUnary(x: Storage, fn: UnaryFn, dtype: DType = x.dtype): Storage {
  const out = emptyStorage(dtype, x.shape);
  const o = out.data;
  const a = x.data;
  if (isContiguous(x)) {
    const off = x.offset;
    for (let i = 0; i < o.length; i++) o[i] = fn(a[i + off]);
    return out;
  }
  const it = new RowIterator(x.shape, [x.strides, out.strides], [x.offset, 0]);
  const n = it.rowLength;
  const [sa, so] = it.rowStrides;
  while (it.next()) {
    let ia = it.offsets[0];
    let io = it.offsets[1];
    for (let j = 0; j < n; j++, ia += sa, io += so) o[io] = fn(a[ia]);
  }
  return out;
}

/** out[i] = fn(a[i], b[i]) with `a` and `b` broadcast to `shape`. */
export function mapBinary(a: Storage, b: Storage, fn: BinaryFn, shape: Shape, dtype: DType): Storage {
  const out = emptyStorage(dtype, shape);
  const o = out.data;
  const da = a.data;
  const db = b.data;
  if (a.size === out.size && b.size === out.size && isContiguous(a) && isContiguous(b)) {
    const oa = a.offset;
    const ob = b.offset;
    for (let i = 0; i < o.length; i++) o[i] = fn(da[i + oa], db[i + ob]);
    return out;
  }
  const strides = [
    broadcastStrides(a.shape, a.strides, shape),
    broadcastStrides(b.shape, b.strides, shape),
    out.strides,
  ];
  const it = new RowIterator(shape, strides, [a.offset, b.offset, 0]);
  const n = it.rowLength;
  const [sa, sb, so] = it.rowStrides;
  while (it.next()) {
    let ia = it.offsets[0];
    let ib = it.offsets[1];
    let io = it.offsets[2];
    for (let j = 0; j < n; j++, ia += sa, ib += sb, io += so) o[io] = fn(da[ia], db[ib]);
  }
  return out;
}

/** out[i] = fn(a[i], b[i], c[i]) with all three broadcast to `shape` (used by `where`). */
export function mapTernary(
  a: Storage,
  b: Storage,
  c: Storage,
  fn: (a: number, b: number, c: number) => number,
  shape: Shape,
  dtype: DType,
): Storage {
  const out = emptyStorage(dtype, shape);
  const o = out.data;
  const strides = [a, b, c].map((s) => broadcastStrides(s.shape, s.strides, shape));
  const it = new RowIterator(shape, [...strides, out.strides], [a.offset, b.offset, c.offset, 0]);
  const n = it.rowLength;
  const [sa, sb, sc, so] = it.rowStrides;
  while (it.next()) {
    let [ia, ib, ic, io] = it.offsets;
    for (let j = 0; j < n; j++, ia += sa, ib += sb, ic += sc, io += so) {
      o[io] = fn(a.data[ia], b.data[ib], c.data[ic]);
    }
  }
  return out;
}
