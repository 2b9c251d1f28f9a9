// Element-wise kernels: map one operand, or two or three broadcast operands, into a fresh
// contiguous output. Every layout walks rows (kernels/iter.ts merges dims first, so contiguous
// operands, a scalar operand and a bias row each become one long row or a few).

import { allocate, type DType, type TypedArray } from "../dtype.js";
import { broadcastStrides, type Shape } from "../shape.js";
import { emptyStorage, isContiguous, makeStorage, type Storage } from "../storage.js";
import { RowIterator } from "./iter.js";
import type { FastBinaryKind } from "./accelerator.js";
import { accelerator } from "./backend.js";

/** A function of one element. */
export type UnaryFn = (x: number) => number;
/** A function of two elements. */
export type BinaryFn = (a: number, b: number) => number;
/**
 * Binary ops whose loop is written out below, named instead of given as a function. NOTE: one
 * shared loop calling a different function per op cannot be inlined by the JIT and runs 2-4x
 * slower; these are the training hot path (forward, and the masks of relu/abs/clamp/max
 * gradients). An op names its loop or gives its function, never both (ops/elementwise.ts).
 */
export type BinaryKernel = "add" | "sub" | "mul" | "div" | "eq" | "gt" | "lt" | "ge" | "le";
/** Unary ops whose loop is written out below, for the same reason as `BinaryKernel`. */
export type UnaryKernel = "neg" | "relu" | "exp";

/** out[i] = op(x[i]), where `op` is a function of one element or the name of a loop below. */
export function mapUnary(x: Storage, op: UnaryFn | UnaryKernel, dtype: DType = x.dtype): Storage {
  const out = emptyStorage(dtype, x.shape);
  const o = out.data;
  const a = x.data;
  if (op === "relu" && o instanceof Float32Array && a instanceof Float32Array && isContiguous(x)) {
    if (accelerator().relu?.(a.subarray(x.offset, x.offset + x.size), o)) return out;
  }
  const it = new RowIterator(x.shape, [x.strides, out.strides], [x.offset, 0]);
  const n = it.rowLength;
  const sa = it.rowStrides[0];
  while (it.next()) {
    // the output is contiguous, so its rows have stride 1
    const [ia, io] = it.offsets;
    if (typeof op === "string") unaryKernelRow(op, o, io, a, ia, sa, n);
    else unaryRow(op, o, io, a, ia, sa, n);
  }
  return out;
}

/** x = relu(x) in place, for an array no one else has seen yet (a fresh op output). */
export function reluInPlace(x: TypedArray): void {
  if (x instanceof Float32Array && accelerator().relu?.(x, x)) return;
  unaryKernelRow("relu", x, 0, x, 0, 1, x.length);
}

function unaryRow(
  fn: UnaryFn,
  o: TypedArray,
  io: number,
  x: TypedArray,
  ix: number,
  sx: number,
  n: number,
): void {
  for (let j = 0; j < n; j++, ix += sx) o[io + j] = fn(x[ix]);
}

function unaryKernelRow(
  kernel: UnaryKernel,
  o: TypedArray,
  io: number,
  x: TypedArray,
  ix: number,
  sx: number,
  n: number,
): void {
  const end = io + n;
  switch (kernel) {
    case "neg":
      for (let i = io; i < end; i++, ix += sx) o[i] = -x[ix];
      return;
    case "relu":
      // relu(v) = max(0, v), and NaN stays NaN.
      // NOTE: written as (v + |v|) / 2, which has no branch to mispredict on random signs: 2-3x
      // faster than Math.max(0, v) or v <= 0 ? 0 : v (Node 20). The rarely taken test handles
      // the inputs it gets wrong, -Infinity and float64 values that overflow when doubled
      for (let i = io; i < end; i++, ix += sx) {
        const v = x[ix];
        o[i] = v < -8e307 || v > 8e307 ? (v > 0 ? v : 0) : (v + Math.abs(v)) * 0.5;
      }
      return;
    case "exp":
      for (let i = io; i < end; i++, ix += sx) o[i] = Math.exp(x[ix]);
      return;
  }
}

/**
 * out[i] = op(a[i], b[i]) with `a` and `b` broadcast to `shape`, where `op` is a function of two
 * elements or the name of a loop below.
 */
export function mapBinary(
  a: Storage,
  b: Storage,
  op: BinaryFn | BinaryKernel,
  shape: Shape,
  dtype: DType,
): Storage {
  const out = emptyStorage(dtype, shape);
  if (isFastKind(op) && fastBinaryStorage(op, a, b, out)) return out;
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
    if (typeof op === "string") binaryKernelRow(op, out.data, io, a.data, ia, sa, b.data, ib, sb, n);
    else binaryRow(op, out.data, io, a.data, ia, sa, b.data, ib, sb, n);
  }
  return out;
}

const isFastKind = (op: BinaryFn | BinaryKernel): op is FastBinaryKind =>
  op === "add" || op === "sub" || op === "mul" || op === "div";

/**
 * out = a <kind> b on the backend's fast path when all three are contiguous float32 and `b` is
 * either the same size as `out` or one row repeated along out's leading dims (a bias); false where
 * there is none or it declines.
 */
function fastBinaryStorage(kind: FastBinaryKind, a: Storage, b: Storage, out: Storage): boolean {
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  if (!(ad instanceof Float32Array && bd instanceof Float32Array && od instanceof Float32Array)) return false;
  if (a.size !== out.size || !isContiguous(a) || !isContiguous(b)) return false;
  const av = ad.subarray(a.offset, a.offset + a.size);
  const bv = bd.subarray(b.offset, b.offset + b.size);
  if (b.size === out.size) return accelerator().binary?.(kind, av, bv, od) ?? false;
  // b broadcast along leading dims only: its shape, less leading 1s, is out's trailing shape
  const first = b.shape.findIndex((d) => d !== 1);
  if (first < 0) return false;
  const bShape = b.shape.slice(first);
  const trailing = out.shape.slice(out.shape.length - bShape.length);
  return bShape.every((d, i) => d === trailing[i]) && (accelerator().binaryRows?.(kind, av, bv, od) ?? false);
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

function binaryKernelRow(
  kernel: BinaryKernel,
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
  switch (kernel) {
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
    // +(boolean) compiles without a branch, unlike cond ? 1 : 0
    case "eq":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = +(x[ix] === y[iy]);
      return;
    case "gt":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = +(x[ix] > y[iy]);
      return;
    case "lt":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = +(x[ix] < y[iy]);
      return;
    case "ge":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = +(x[ix] >= y[iy]);
      return;
    case "le":
      for (let i = io; i < end; i++, ix += sx, iy += sy) o[i] = +(x[ix] <= y[iy]);
      return;
  }
}

/**
 * Adds `bias` (one value per column, any stride) to every row of `y`, a fresh contiguous matrix,
 * in place: linear's bias.
 */
export function addRowBias(y: Storage, bias: Storage): void {
  const d = y.data;
  const n = y.shape[1];
  const b = bias.data;
  const bo = bias.offset;
  const bs = bias.strides[0];
  if (d instanceof Float32Array && b instanceof Float32Array && bs === 1 && accelerator().binaryRows?.("add", d, b.subarray(bo, bo + n), d)) return;
  for (let row = 0; row < d.length; row += n) {
    for (let j = 0, ib = bo; j < n; j++, ib += bs) d[row + j] += b[ib];
  }
}

/**
 * relu's backward: g where x is not <= 0 (so also where x is NaN, as PyTorch), else 0; g and x
 * have one shape. Contiguous float32 operands take a branch-free pass that ANDs g's bits with a
 * mask, so an infinite g stays infinite and never turns into 0·∞ = NaN. With `inPlace` (g dense
 * from index 0, and free to overwrite) the result is written over g and g is returned.
 */
export function reluBackward(g: Storage, x: Storage, inPlace = false): Storage {
  const gd = g.data;
  const xd = x.data;
  if (gd instanceof Float32Array && xd instanceof Float32Array && isContiguous(g) && isContiguous(x)) {
    const n = g.size;
    const reuse = inPlace && g.offset === 0 && gd.length === n;
    const od = reuse ? gd : (allocate("float32", n) as Float32Array);
    const out = reuse ? g : makeStorage(od, "float32", g.shape);
    if (accelerator().reluBackward?.(gd.subarray(g.offset, g.offset + n), xd.subarray(x.offset, x.offset + n), od)) return out;
    const o = new Int32Array(od.buffer, od.byteOffset, n);
    const gb = new Int32Array(gd.buffer, gd.byteOffset + 4 * g.offset, n);
    for (let i = 0, ix = x.offset; i < n; i++, ix++) o[i] = gb[i] & -!(xd[ix] <= 0);
    return out;
  }
  return mapBinary(g, x, (a, b) => (b <= 0 ? 0 : a), g.shape, g.dtype);
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
