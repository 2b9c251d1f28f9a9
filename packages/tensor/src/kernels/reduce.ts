// Reduction kernels over any set of dims: sum, max, min and argmax. The output is walked with
// stride 0 on the reduced dims, so one strided loop serves every choice of dims.

import { allocate, type DType, type TypedArray } from "../dtype.js";
import { contiguousStrides, sizeOf, type Shape } from "../shape.js";
import { isContiguous, makeStorage, type Storage } from "../storage.js";
import { contiguousData } from "./copy.js";
import { RowIterator } from "./iter.js";
import { accelerator } from "./backend.js";

/** Which reduction `reduce` computes. */
export type ReduceKind = "sum" | "max" | "min";

/** The shape left after reducing `dims` of `shape`, with size-1 dims kept when `keepdim`. */
export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Strides that map each input position onto its output element (0 on reduced dims). */
function outputStrides(shape: Shape, dims: readonly number[]): number[] {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const strides = contiguousStrides(kept);
  return strides.map((s, i) => (dims.includes(i) ? 0 : s));
}

/**
 * Reduces `x` over `dims` with `kind` into `dtype` (default: the dtype of `x`, so a sum of int32
 * stays int32). Accumulates in float64 whatever the dtype, then rounds once.
 */
export function reduce(
  x: Storage,
  dims: readonly number[],
  keepdim: boolean,
  kind: ReduceKind,
  dtype: DType = x.dtype,
): Storage {
  // NOTE: the accumulator is a Float64Array: an Int32Array would turn the -Infinity that starts
  // a max into 0, and float32 partial sums would lose precision
  const acc = new Float64Array(sizeOf(reducedShape(x.shape, dims, false)));
  if (kind !== "sum") acc.fill(kind === "max" ? -Infinity : Infinity);
  if (kind === "sum" && isContiguous(x) && dims.every((d, i) => d === i)) {
    // summing over leading dims of contiguous data (a bias gradient): whole rows into acc, in the
    // same order as the general walk below
    sumLeadingRows(x.data, x.offset, x.size / Math.max(acc.length, 1), acc);
    return finish(acc, x, dims, keepdim, dtype);
  }
  const it = new RowIterator(x.shape, [x.strides, outputStrides(x.shape, dims)], [x.offset, 0]);
  const n = it.rowLength;
  const [sx, so] = it.rowStrides;
  const a = x.data;
  while (it.next()) {
    let ix = it.offsets[0];
    let io = it.offsets[1];
    if (so === 0) {
      // the inner dim is reduced: accumulate in a local
      let v = acc[io];
      if (kind === "sum") for (let j = 0; j < n; j++, ix += sx) v += a[ix];
      else if (kind === "max")
        for (let j = 0; j < n; j++, ix += sx) v = a[ix] > v || a[ix] !== a[ix] ? a[ix] : v;
      else for (let j = 0; j < n; j++, ix += sx) v = a[ix] < v || a[ix] !== a[ix] ? a[ix] : v;
      acc[io] = v;
    } else if (kind === "sum") {
      for (let j = 0; j < n; j++, ix += sx, io += so) acc[io] += a[ix];
    } else if (kind === "max") {
      for (let j = 0; j < n; j++, ix += sx, io += so)
        if (a[ix] > acc[io] || a[ix] !== a[ix]) acc[io] = a[ix];
    } else {
      for (let j = 0; j < n; j++, ix += sx, io += so)
        if (a[ix] < acc[io] || a[ix] !== a[ix]) acc[io] = a[ix];
    }
  }
  return finish(acc, x, dims, keepdim, dtype);
}

/** acc[j] += a[offset + r·n + j] for every row r, rows in order. */
function sumLeadingRows(a: TypedArray, offset: number, rows: number, acc: Float64Array): void {
  const n = acc.length;
  if (a instanceof Float32Array && accelerator().sumRows?.(a.subarray(offset, offset + rows * n), acc)) return;
  for (let r = 0, base = offset; r < rows; r++, base += n) {
    for (let j = 0; j < n; j++) acc[j] += a[base + j];
  }
}

/** The accumulator rounded once into a fresh storage of `dtype` and the reduced shape. */
function finish(acc: Float64Array, x: Storage, dims: readonly number[], keepdim: boolean, dtype: DType): Storage {
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return makeStorage(out, dtype, reducedShape(x.shape, dims, keepdim));
}

/** Int32 index of the first maximum along `dim` (or of the flat tensor when `dim` is null). */
export function argmax(x: Storage, dim: number | null, keepdim: boolean): Storage {
  if (dim === null) {
    const flat = contiguousData(x);
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return makeStorage(Int32Array.of(firstMax(flat, 0, flat.length, 1)), "int32", shape);
  }
  const rest = x.shape.filter((_, i) => i !== dim);
  const out = new Int32Array(sizeOf(rest));
  const n = x.shape[dim];
  const step = x.strides[dim];
  const it = new RowIterator(rest, [x.strides.filter((_, i) => i !== dim)], [x.offset]);
  let o = 0;
  while (it.next()) {
    for (let r = 0, base = it.offsets[0]; r < it.rowLength; r++, base += it.rowStrides[0]) {
      out[o++] = firstMax(x.data, base, n, step);
    }
  }
  return makeStorage(out, "int32", reducedShape(x.shape, [dim], keepdim));
}

/** Position of the first maximum among n elements from `start` by `step` (a NaN wins, as in PyTorch). */
function firstMax(a: TypedArray, start: number, n: number, step: number): number {
  let best = -Infinity;
  let bestIndex = 0;
  for (let j = 0, i = start; j < n; j++, i += step) {
    const v = a[i];
    if (v !== v) return j;
    if (v > best) {
      best = v;
      bestIndex = j;
    }
  }
  return bestIndex;
}
