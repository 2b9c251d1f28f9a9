// Matrix multiplication: the plain triple loop (the reference path, for reading and checking) and
// the batched driver that broadcasts batch dims. Float32 takes the backend's fast gemm where it
// has one (accelerator(), backend.ts; the wasm one is wasm/gemm.ts).

import { allocate, type DType, type TypedArray } from "../dtype.js";
import { broadcastStrides, contiguousStrides, sizeOf, type Shape } from "../shape.js";
import { makeStorage, type Storage } from "../storage.js";
import type { Accelerator, F32Matrix } from "./accelerator.js";
import { accelerator } from "./backend.js";
import { RowIterator } from "./iter.js";

/** A strided 2-D operand: element (i, j) is data[offset + i·rowStride + j·colStride]. */
export interface Matrix {
  data: TypedArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

/**
 * C = A·B, the plain loop: C[i, j] = Σ_p A[i, p]·B[p, j], the sum taken over p in order in float64
 * and rounded once into C's dtype. A is m×k and B is k×n with any strides and dtype (transposed
 * views are read in place, never copied first); C is the contiguous m×n block of `c` at `cOffset`.
 * NOTE: speed is the wasm backend's job; this loop is the one to read and to check it against.
 */
function gemm(m: number, n: number, k: number, a: Matrix, b: Matrix, c: TypedArray, cOffset: number): void {
  const { data: ad, rowStride: ars, colStride: acs } = a;
  const { data: bd, rowStride: brs, colStride: bcs } = b;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0, ai = a.offset + i * ars, bj = b.offset + j * bcs; p < k; p++, ai += acs, bj += brs) {
        sum += ad[ai] * bd[bj];
      }
      c[cOffset + i * n + j] = sum;
    }
  }
}

/** Batched A·B for operands of 2 or more dims whose batch dims broadcast to `batch`. */
export function batchedMatmul(a: Storage, b: Storage, batch: Shape, dtype: DType): Storage {
  const m = a.shape[a.shape.length - 2];
  const k = a.shape[a.shape.length - 1];
  const n = b.shape[b.shape.length - 1];
  const outShape = [...batch, m, n];
  const out = makeStorage(
    allocate(dtype, sizeOf(outShape)),
    dtype,
    outShape,
    contiguousStrides(outShape),
  );
  if (out.size === 0 || k === 0) return out;
  const aBatch = broadcastStrides(a.shape.slice(0, -2), a.strides.slice(0, -2), batch);
  const bBatch = broadcastStrides(b.shape.slice(0, -2), b.strides.slice(0, -2), batch);
  const matA = lastTwoDims(a);
  const matB = lastTwoDims(b);
  const count = sizeOf(batch);
  // NOTE: float32 operands and output take the backend's fast gemm where it has one
  const fast = dtype === "float32" && isF32(a.data) && isF32(b.data) ? accelerator().gemm : undefined;
  // 1. B shared by every batch and A's batches stacked evenly: one tall gemm of (count·m) rows
  const rowStride = bBatch.every((s, i) => s === 0 || batch[i] === 1)
    ? foldedRowStride(aBatch, batch, m, matA.rowStride)
    : null;
  if (rowStride !== null) {
    multiplyInto(
      out.data,
      0,
      count * m,
      n,
      k,
      { ...matA, rowStride },
      matB,
      fast,
    );
    return out;
  }
  // 2. otherwise one gemm per batch
  const it = new RowIterator(
    [...batch, 1],
    [
      [...aBatch, 0],
      [...bBatch, 0],
    ],
    [a.offset, b.offset],
  );
  let cOffset = 0;
  while (it.next()) {
    for (let r = 0, ao = it.offsets[0], bo = it.offsets[1]; r < it.rowLength; r++) {
      multiplyInto(
        out.data,
        cOffset,
        m,
        n,
        k,
        { ...matA, offset: ao },
        { ...matB, offset: bo },
        fast,
      );
      cOffset += m * n;
      ao += it.rowStrides[0];
      bo += it.rowStrides[1];
    }
  }
  return out;
}

/** The last two dims of `s` as a matrix starting at its offset. */
function lastTwoDims(s: Storage): Matrix {
  const d = s.shape.length;
  return {
    data: s.data,
    offset: s.offset,
    rowStride: s.strides[d - 2],
    colStride: s.strides[d - 1],
  };
}

/**
 * The row stride that reads A's batch dims and rows as one tall matrix, or null when they do not
 * line up (a batch dim's stride must be the row stride times the rows it spans).
 */
function foldedRowStride(
  aBatch: readonly number[],
  batch: Shape,
  m: number,
  rowStride: number,
): number | null {
  // NOTE: a single row (m = 1) may carry any stride, so the innermost batch dim decides it
  let stride: number | null = m > 1 ? rowStride : null;
  let span = m;
  for (let i = batch.length - 1; i >= 0; i--) {
    if (batch[i] === 1) continue;
    if (stride === null) stride = aBatch[i];
    else if (aBatch[i] !== stride * span) return null;
    span *= batch[i];
  }
  return stride ?? rowStride;
}

/**
 * Writes A·B (m×n) into the zero-filled contiguous block out[cOffset …], in out's dtype: with the
 * backend's fast gemm when given (float32 operands and output) and it accepts, else with the plain
 * loop.
 */
function multiplyInto(
  out: TypedArray,
  cOffset: number,
  m: number,
  n: number,
  k: number,
  a: Matrix,
  b: Matrix,
  fast: Accelerator["gemm"],
): void {
  if (fast && out instanceof Float32Array) {
    const a32 = asF32(a);
    const b32 = asF32(b);
    if (a32 && b32 && fast(m, n, k, a32, b32, out, cOffset)) return;
  }
  gemm(m, n, k, a, b, out, cOffset);
}

function isF32(data: TypedArray): data is Float32Array {
  return data instanceof Float32Array;
}

/** `x` as a float32 matrix for the fast gemm, or null when its data is not float32. */
function asF32(x: Matrix): F32Matrix | null {
  const { data, offset, rowStride, colStride } = x;
  return data instanceof Float32Array ? { data, offset, rowStride, colStride } : null;
}
