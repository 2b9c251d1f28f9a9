// Plain loops that state what the wasm gemm computes, for its tests: the float32 running sum in
// order p = 0, 1, …, k-1 (rounded after every multiply and add, as the kernels do without FMA).

import type { F32Matrix } from "./gemm.js";

/** Element (i, j) of a strided matrix. */
export function at(x: F32Matrix, i: number, j: number): number {
  return x.data[x.offset + i * x.rowStride + j * x.colStride];
}

/** C = A·B as a contiguous m×n Float32Array, each element summed in float32 in order of p. */
export function referenceGemm(m: number, n: number, k: number, a: F32Matrix, b: F32Matrix): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(at(a, i, p) * at(b, p, j)));
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Σ_p |a_ip·b_pj| for every (i, j): the scale of the rounding error an FMA may change. */
export function absProductSums(m: number, n: number, k: number, a: F32Matrix, b: F32Matrix): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += Math.abs(at(a, i, p) * at(b, p, j));
      out[i * n + j] = s;
    }
  }
  return out;
}

/** How a test lays a logical matrix out in memory. */
export type Layout = "row" | "column" | "row-padded" | "column-padded" | "strided" | "broadcast-rows";

/**
 * A rows×cols matrix with values from `value(i, j)` stored in the given layout: contiguous rows
 * or columns, rows or columns with gaps between them, both strides > 1 (a non-contiguous view),
 * or every row the same storage (stride 0, as after expand). Unused slots hold NaN.
 */
export function layOut(rows: number, cols: number, layout: Layout, value: (i: number, j: number) => number): F32Matrix {
  const strides: Record<Layout, [number, number, number, number]> = {
    // [offset, rowStride, colStride, length]
    row: [0, cols, 1, rows * cols],
    column: [0, 1, rows, rows * cols],
    "row-padded": [3, cols + 3, 1, 3 + rows * (cols + 3)],
    "column-padded": [2, 1, rows + 5, 2 + cols * (rows + 5)],
    strided: [1, 2 * cols + 1, 2, 1 + rows * (2 * cols + 1)],
    "broadcast-rows": [1, 0, 1, 1 + cols],
  };
  const [offset, rowStride, colStride, length] = strides[layout];
  const data = new Float32Array(length).fill(NaN);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[offset + i * rowStride + j * colStride] = value(layout === "broadcast-rows" ? 0 : i, j);
  }
  return { data, offset, rowStride, colStride };
}
