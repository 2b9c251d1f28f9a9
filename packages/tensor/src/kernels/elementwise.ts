// Element-wise kernels: map one operand, or two or three broadcast operands, into a fresh
// contiguous output. Every layout walks rows (kernels/iter.ts merges dims first, so contiguous
// operands, a scalar operand and a bias row each become one long row or a few).

import type { DType, TypedArray } from "../dtype.js";
import { broadcastStrides, type Shape } from "../shape.js";
import { emptyStorage, type Storage } from "../storage.js";
import { RowIterator } from "./iter.js";

/** A function of one element. */
export type UnaryFn = (x: number) => number;
/** A function of two elements. */
export type BinaryFn = (a: number, b: number) => number;
/**
 * Binary arithmetic that has its own loops. NOTE: one shared loop calling a different `fn` per op
 * cannot be inlined by the JIT and runs several times slower; these are the training hot path.
 */
export type Arith = "add" | "sub" | "mul" | "div";

/** out[i] = fn(x[i]) */
export function mapUnary(x: Storage, fn: UnaryFn, dtype: DType = x.dtype): Storage {
  const out = emptyStorage(dtype, x.shape);
  const o = out.data;
  const a = x.data;
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

/**
 * out[i] = fn(a[i], b[i]) with `a` and `b` broadcast to `shape`. With `arith`, the dedicated loop
 * for that operation runs instead of calling `fn` (which must compute the same thing).
 */
export function mapBinary(
  a: Storage,
  b: Storage,
  fn: BinaryFn,
  shape: Shape,
  dtype: DType,
  arith?: Arith,
): Storage {
  const out = emptyStorage(dtype, shape);
  const strides = [
    broadcastStrides(a.shape, a.strides, shape),
    broadcastStrides(b.shape, b.strides, shape),
    out.strides,
  ];
  const it = new RowIterator(shape, strides, [a.offset, b.offset, 0]);
  const n = it.rowLength;
  const [sa, sb] = it.rowStrides;
  while (it.next()) {
    const [ia, ib, io] = it.offsets;
    // the output is contiguous, so its rows have stride 1
    if (arith === undefined) binaryRow(fn, out.data, io, a.data, ia, sa, b.data, ib, sb, n);
    else arithRow(arith, out.data, io, a.data, ia, sa, b.data, ib, sb, n);
  }
  return out;
}

function binaryRow(
  fn: BinaryFn,
  o: TypedArray,
  io: number,
  x: TypedArray,
  ix: number,
  sx: number,
  y: TypedArray,
  iy: number,
  sy: number,
  n: number,
): void {
  for (let j = 0; j < n; j++, ix += sx, iy += sy) o[io + j] = fn(x[ix], y[iy]);
}

function arithRow(
  arith: Arith,
  o: TypedArray,
  io: number,
  x: TypedArray,
  ix: number,
  sx: number,
  y: TypedArray,
  iy: number,
  sy: number,
  n: number,
): void {
  const end = io + n;
  switch (arith) {
    case "add":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = x[ix] + y[iy];
      return;
    case "sub":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = x[ix] - y[iy];
      return;
    case "mul":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = x[ix] * y[iy];
      return;
    case "div":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = x[ix] / y[iy];
      return;
  }
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
