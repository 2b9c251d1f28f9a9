// Matrix multiplication kernels: C = A·B for strided A [m,k] and B [k,n] into contiguous C,
// and the batched driver that broadcasts batch dims.

import { allocate, type DType, type TypedArray } from "../dtype.js";
import { broadcastStrides, contiguousStrides, type Shape } from "../shape.js";
import { makeStorage, type Storage } from "../storage.js";
import { RowIterator } from "./iter.js";

/** A strided 2-D operand: element (i, j) is data[offset + i·rowStride + j·colStride]. */
export interface Matrix {
  data: TypedArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** Writes A·B (A is m×k, B is k×n) into c[cOffset …] as a contiguous m×n block. */
export function gemm(m: number, n: number, k: number, a: Matrix, b: Matrix, c: TypedArray, cOffset: number): void {
  // B rows are read contiguously in the inner loop; pack B when its rows are strided
  const packed = b.colStride === 1 ? b : packRowMajor(b, k, n);
  const bd = packed.data;
  const ad = a.data;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const aRow = a.offset + i * a.rowStride;
    for (let p = 0; p < k; p++) {
      const aip = ad[aRow + p * a.colStride];
      if (aip === 0) continue;
      const bRow = packed.offset + p * packed.rowStride;
      for (let j = 0; j < n; j++) row[j] += aip * bd[bRow + j];
    }
    const cRow = cOffset + i * n;
    for (let j = 0; j < n; j++) c[cRow + j] = row[j];
  }
}

function packRowMajor(b: Matrix, rows: number, cols: number): Matrix {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = b.data[b.offset + i * b.rowStride + j * b.colStride];
  }
  return { data: out, offset: 0, rowStride: cols, colStride: 1 };
}

/** Batched A·B for operands of 2 or more dims whose batch dims broadcast to `batch`. */
export function batchedMatmul(a: Storage, b: Storage, batch: Shape, dtype: DType): Storage {
  const m = a.shape[a.shape.length - 2];
  const k = a.shape[a.shape.length - 1];
  const n = b.shape[b.shape.length - 1];
  const outShape = [...batch, m, n];
  const out = allocate(dtype, outShape.reduce((x, y) => x * y, 1));
  const aBatch = broadcastStrides(a.shape.slice(0, -2), a.strides.slice(0, -2), batch);
  const bBatch = broadcastStrides(b.shape.slice(0, -2), b.strides.slice(0, -2), batch);
  const it = new RowIterator([...batch, 1], [[...aBatch, 0], [...bBatch, 0]], [a.offset, b.offset]);
  const matA = { data: a.data, offset: 0, rowStride: a.strides[a.shape.length - 2], colStride: a.strides[a.shape.length - 1] };
  const matB = { data: b.data, offset: 0, rowStride: b.strides[b.shape.length - 2], colStride: b.strides[b.shape.length - 1] };
  let cOffset = 0;
  while (it.next()) {
    for (let r = 0, ao = it.offsets[0], bo = it.offsets[1]; r < it.rowLength; r++) {
      gemm(m, n, k, { ...matA, offset: ao }, { ...matB, offset: bo }, out, cOffset);
      cOffset += m * n;
      ao += it.rowStrides[0];
      bo += it.rowStrides[1];
    }
  }
  return makeStorage(out, dtype, outShape, contiguousStrides(outShape));
}
