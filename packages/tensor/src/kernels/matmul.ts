// Matrix multiplication kernels: a blocked, packed GEMM with a 4×4 register-tiled micro-kernel
// (the Goto/BLIS loop order) and the batched driver that broadcasts batch dims. conv.ts uses gemm.

import { allocate, type DType, type TypedArray } from "../dtype.js";
import { broadcastStrides, contiguousStrides, sizeOf, type Shape } from "../shape.js";
import { makeStorage, type Storage } from "../storage.js";
import { useWasm } from "../backend.js";
import { RowIterator } from "./iter.js";
import { type F32Matrix, wasmGemm } from "./wasm/index.js";

/** A strided 2-D operand: element (i, j) is data[offset + i·rowStride + j·colStride]. */
export interface Matrix {
  data: TypedArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

// Micro-tile (MR rows of A × NR columns of B, 16 accumulators in locals) and cache blocks: a packed
// B panel of KC×NR doubles (8 KiB) stays in L1, a packed A block of MC×KC doubles (128 KiB) in L2,
// and a packed B block of KC×NC doubles (4 MiB) in L3. Measured on a 2-core EPYC with Node 20:
// 4×4 beat 2×4, 3×4, 4×6, 6×4, 2×8, 4×8 and 8×4 (larger tiles spill out of the 16 xmm registers,
// smaller ones load more per multiply-add).
const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 2048;

/**
 * Packing buffers for gemm. Allocate one per op call and pass it to every gemm of that call
 * (batches, conv images), so the hot loops never allocate.
 */
export interface GemmWorkspace {
  /** Packed A block at [0, bStart), packed B block from bStart on. */
  pack: Float64Array;
  bStart: number;
  /** A float64 result block, for callers whose output has another dtype. */
  c?: Float64Array;
}

/** A workspace big enough for any gemm of at most m×n×k. */
export function gemmWorkspace(m: number, n: number, k: number): GemmWorkspace {
  const kc = Math.min(KC, k);
  const bStart = roundUp(Math.min(MC, m), MR) * kc;
  // NOTE: one array for both blocks: the micro-kernel then reads a single typed array, which
  // measured ~4% faster than two in V8 (one base and bounds check fewer in the loop)
  return { pack: new Float64Array(bStart + roundUp(Math.min(NC, n), NR) * kc), bStart };
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/**
 * C += A·B, where A is m×k, B is k×n (any strides, any dtype: transposed views are read by the
 * packing, never copied first) and C is a row-major block of a Float64Array at `cOffset` with
 * row stride `ldc`. Accumulating lets callers sum products over a batch (conv weight gradients).
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: Matrix,
  b: Matrix,
  c: Float64Array,
  cOffset: number,
  ldc: number,
  ws: GemmWorkspace = gemmWorkspace(m, n, k),
): void {
  const { pack, bStart } = ws;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // a B block as column panels: B[pc + p, jc + j] for j in one panel of NR columns
      const bBlock = b.offset + pc * b.rowStride + jc * b.colStride;
      packPanels(b.data, bBlock, b.colStride, b.rowStride, nc, kc, NR, pack, bStart);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const aBlock = a.offset + ic * a.rowStride + pc * a.colStride;
        packPanels(a.data, aBlock, a.rowStride, a.colStride, mc, kc, MR, pack, 0);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const cBase = cOffset + ic * ldc + jc + jr;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(kc, pack, ir * kc, bStart + jr * kc, c, cBase + ir * ldc, ldc, rows, cols);
          }
        }
      }
    }
  }
}

/**
 * Copies `lines` lines of `kc` elements (line l, step p at src[start + l·lineStride + p·kStride])
 * into panels of `width` lines, each stored step-major: dst[at + panel·width·kc + p·width + l].
 * The last panel is zero-padded to `width` lines.
 */
function packPanels(
  src: TypedArray,
  start: number,
  lineStride: number,
  kStride: number,
  lines: number,
  kc: number,
  width: number,
  dst: Float64Array,
  at: number,
): void {
  let idx = at;
  for (let l0 = 0; l0 < lines; l0 += width) {
    const count = Math.min(width, lines - l0);
    let s = start + l0 * lineStride;
    if (count === 4) {
      // NOTE: the unrolled copy of a full panel assumes width 4 (MR = NR = 4)
      const s1 = lineStride;
      const s2 = 2 * lineStride;
      const s3 = 3 * lineStride;
      for (let p = 0; p < kc; p++, s += kStride, idx += 4) {
        dst[idx] = src[s];
        dst[idx + 1] = src[s + s1];
        dst[idx + 2] = src[s + s2];
        dst[idx + 3] = src[s + s3];
      }
    } else {
      for (let p = 0; p < kc; p++, s += kStride, idx += width) {
        for (let l = 0; l < width; l++) dst[idx + l] = l < count ? src[s + l * lineStride] : 0;
      }
    }
  }
}

/**
 * C[rows×cols tile] += (packed A panel at w[ia])·(packed B panel at w[ib]) over kc steps, with
 * the 4×4 products accumulated in locals. `rows`/`cols` are below 4 only on the right and bottom
 * edges.
 */
function microKernel(
  kc: number,
  w: Float64Array,
  ia: number,
  ib: number,
  c: Float64Array,
  o: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  // the 4×4 tile is laid out by hand: one line per row of C
  // prettier-ignore
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
      c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = ia + 4 * kc;
  const toB = ib - ia;
  // prettier-ignore
  for (; ia < end; ia += 4) {
    const a0 = w[ia], a1 = w[ia + 1], a2 = w[ia + 2], a3 = w[ia + 3];
    const j = ia + toB;
    let b = w[j];
    c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
    b = w[j + 1];
    c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
    b = w[j + 2];
    c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
    b = w[j + 3];
    c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
  }
  // prettier-ignore
  if (rows === 4 && cols === 4) {
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += ldc;
    c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += ldc;
    c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += ldc;
    c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
    return;
  }
  // NOTE: an edge tile; the padded lanes of the packed panels hold zeros and are dropped here
  addRow(c, o, cols, c00, c01, c02, c03);
  if (rows > 1) addRow(c, o + ldc, cols, c10, c11, c12, c13);
  if (rows > 2) addRow(c, o + 2 * ldc, cols, c20, c21, c22, c23);
  if (rows > 3) addRow(c, o + 3 * ldc, cols, c30, c31, c32, c33);
}

function addRow(
  c: Float64Array,
  o: number,
  cols: number,
  x0: number,
  x1: number,
  x2: number,
  x3: number,
): void {
  c[o] += x0;
  if (cols > 1) c[o + 1] += x1;
  if (cols > 2) c[o + 2] += x2;
  if (cols > 3) c[o + 3] += x3;
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
  // NOTE: float32 operands and output go to the wasm kernels (no packing workspace needed there)
  const wasm = dtype === "float32" && isF32(a.data) && isF32(b.data) && useWasm();
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
      wasm ? null : gemmWorkspace(count * m, n, k),
    );
    return out;
  }
  // 2. otherwise one gemm per batch
  const ws = wasm ? null : gemmWorkspace(m, n, k);
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
        ws,
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
 * wasm kernels when `ws` is null (float32 operands and output), else with the reference gemm.
 */
function multiplyInto(
  out: TypedArray,
  cOffset: number,
  m: number,
  n: number,
  k: number,
  a: Matrix,
  b: Matrix,
  ws: GemmWorkspace | null,
): void {
  if (ws === null) {
    const a32 = asF32(a);
    const b32 = asF32(b);
    if (!(out instanceof Float32Array) || !a32 || !b32) {
      throw new Error("matmul: the wasm kernels need float32 operands and output");
    }
    wasmGemm(m, n, k, a32, b32, out, cOffset);
    return;
  }
  if (out instanceof Float64Array) {
    gemm(m, n, k, a, b, out, cOffset, n, ws);
    return;
  }
  // NOTE: float32 and int32 products are summed in float64, then rounded once when stored
  const c = ws.c && ws.c.length === m * n ? ws.c.fill(0) : (ws.c = new Float64Array(m * n));
  gemm(m, n, k, a, b, c, 0, n, ws);
  out.set(c, cOffset);
}

function isF32(data: TypedArray): data is Float32Array {
  return data instanceof Float32Array;
}

/** `x` as a float32 matrix for the wasm kernels, or null when its data is not float32. */
export function asF32(x: Matrix): F32Matrix | null {
  const { data, offset, rowStride, colStride } = x;
  return data instanceof Float32Array ? { data, offset, rowStride, colStride } : null;
}
