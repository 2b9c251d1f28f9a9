// Convolution loops over NCHW storages: conv2d as im2col + gemm per image (kernels/matmul.ts),
// its input gradient through col2im. Float32 on the wasm backend goes to wasm/conv.ts instead (one
// batched gemm over the images, spread over the threads). Pooling: pool.ts. Checks: ops/conv.ts.

import { allocate, type DType, type TypedArray } from "../dtype.js";
import type { Shape } from "../shape.js";
import { makeStorage, type Storage } from "../storage.js";
import { contiguousData } from "./copy.js";
import { useWasm } from "../backend.js";
import { gemm, gemmWorkspace } from "./matmul.js";
import { wasmConv2d, wasmConv2dInputGrad, wasmConv2dReluMaxPool2x2, wasmConv2dWeightGrad, wasmConv2dWeightGradPooled } from "./wasm/conv.js";
import { type Buffer, type SavedColumns, type WindowGeometry, col2im, im2col, outputStorage } from "./window.js";
import { reluInPlace } from "./elementwise.js";

export type { SavedColumns, WindowGeometry } from "./window.js";

/** True when a float32 op over these arrays should run on the wasm kernels. */
function onWasm(dtype: DType, ...arrays: (TypedArray | null)[]): boolean {
  return dtype === "float32" && arrays.every((a) => a === null || a instanceof Float32Array) && useWasm();
}

/**
 * conv2d forward: out[img] = W·im2col(x[img]) + bias, with W as an o×(c·kh·kw) matrix, then
 * relu(out) when `relu` (fused: the same values as relu after conv2d, without a second array).
 * Given `saved`, the wasm path keeps every image's columns there (n·k·p floats) for
 * conv2dWeightGrad.
 */
export function conv2d(
  x: Storage,
  weight: Storage,
  bias: Storage | null,
  g: WindowGeometry,
  dtype: DType,
  saved?: SavedColumns,
  relu = false,
): Storage {
  const out = outputStorage(dtype, g, g.o);
  const k = g.c * g.kh * g.kw;
  const p = g.oh * g.ow;
  if (out.size === 0) return out;
  const wd = contiguousData(weight);
  const b = bias ? contiguousData(bias) : null;
  const od = out.data;
  if (od instanceof Float32Array && wd instanceof Float32Array && onWasm(dtype, x.data, b)) {
    if (!wasmConv2d(x, wd, b, g, od, saved, relu) && relu) reluInPlace(od);
    return out;
  }
  const wm = { data: wd, offset: 0, rowStride: k, colStride: 1 };
  const cols = new Float64Array(k * p);
  const res = new Float64Array(g.o * p);
  const ws = gemmWorkspace(g.o, p, k);
  for (let img = 0; img < g.n; img++) {
    im2col(x, img, g, cols);
    res.fill(0);
    gemm(g.o, p, k, wm, { data: cols, offset: 0, rowStride: p, colStride: 1 }, res, 0, p, ws);
    if (b) addChannelBias(res, 0, b, p);
    od.set(res, img * g.o * p);
  }
  if (relu) reluInPlace(od);
  return out;
}

/**
 * maxPool2d(relu(conv2d(x))) over 2×2 stride-2 windows in one pass where the wasm units run it
 * (float32, stride 1): the convolution's output never leaves module memory. `pg` is the pooling
 * geometry over the convolution's output. Returns the pooled storage and each window's winner
 * (an index into the convolution's output, as maxPool2d's), or null where it does not run.
 */
export function conv2dReluMaxPool2x2(
  x: Storage,
  weight: Storage,
  bias: Storage | null,
  g: WindowGeometry,
  pg: WindowGeometry,
  dtype: DType,
): { out: Storage; winners: Int32Array } | null {
  const wd = contiguousData(weight);
  const b = bias ? contiguousData(bias) : null;
  if (!(wd instanceof Float32Array) || !onWasm(dtype, x.data, b)) return null;
  const out = outputStorage(dtype, pg, pg.c);
  const winners = new Int32Array(out.size);
  if (!wasmConv2dReluMaxPool2x2(x, wd, b, g, out.data as Float32Array, winners)) return null;
  return { out, winners };
}

/**
 * The weight and bias gradients of conv2dReluMaxPool2x2 from its output's gradient, where the
 * wasm units take the pooled gradient straight into their memory (float32, stride 1): the
 * convolution's gradient (n·o·oh·ow, mostly zeros) never becomes an array. Null where they do
 * not run it; the caller then builds that gradient (pool.maxPoolReluGrad) and uses
 * conv2dWeightGrad.
 */
export function conv2dReluMaxPoolWeightGrad(
  grad: Storage,
  pooled: Storage,
  winners: Int32Array,
  x: Storage,
  g: WindowGeometry,
  shape: Shape,
  dtype: DType,
  withBias: boolean,
): { weight: Storage; bias: Storage | null } | null {
  const gd = contiguousData(grad);
  const pd = contiguousData(pooled);
  if (!(gd instanceof Float32Array) || !(pd instanceof Float32Array) || !onWasm(dtype, x.data)) return null;
  const db = withBias ? new Float64Array(g.o) : undefined;
  const dw = wasmConv2dWeightGradPooled({ grad: gd, pooled: pd, winners }, x, g, db);
  if (dw === null) return null;
  return { weight: makeStorage(dw, dtype, shape), bias: db === undefined ? null : biasStorage(db, dtype) };
}

function addChannelBias(res: Buffer, at: number, bias: TypedArray, p: number): void {
  for (let oc = 0, i = at; oc < bias.length; oc++) {
    const v = bias[oc];
    for (let end = i + p; i < end; i++) res[i] += v;
  }
}

/**
 * The gradients of conv2d's output with respect to its weight, Σ_img G[img]·im2col(x[img])ᵀ (on
 * the forward's `saved` columns when it kept them), and with `withBias` to its bias as well
 * (conv2dBiasGrad's values, computed in the same pass where the kernels can).
 */
export function conv2dWeightGrad(
  grad: Storage,
  x: Storage,
  g: WindowGeometry,
  shape: Shape,
  dtype: DType,
  saved?: Float32Array,
  withBias = false,
): { weight: Storage; bias: Storage | null } {
  const k = g.c * g.kh * g.kw;
  const p = g.oh * g.ow;
  const gd = contiguousData(grad);
  if (gd instanceof Float32Array && onWasm(dtype, x.data)) {
    const db = withBias ? new Float64Array(g.o) : undefined;
    const { dw, biasDone } = wasmConv2dWeightGrad(gd, x, g, saved, db);
    const weight = makeStorage(dw, dtype, shape);
    if (db === undefined) return { weight, bias: null };
    return { weight, bias: biasDone ? biasStorage(db, dtype) : conv2dBiasGrad(grad, g, dtype) };
  }
  const cols = new Float64Array(k * p);
  const acc = new Float64Array(g.o * k);
  const ws = gemmWorkspace(g.o, k, p);
  for (let img = 0; img < g.n; img++) {
    im2col(x, img, g, cols);
    const gm = { data: gd, offset: img * g.o * p, rowStride: p, colStride: 1 };
    gemm(g.o, k, p, gm, { data: cols, offset: 0, rowStride: 1, colStride: p }, acc, 0, k, ws);
  }
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return { weight: makeStorage(out, dtype, shape), bias: withBias ? conv2dBiasGrad(grad, g, dtype) : null };
}

function biasStorage(acc: Float64Array, dtype: DType): Storage {
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return makeStorage(out, dtype, [acc.length]);
}

/**
 * The float64 sum of data[at …] over `size` elements: four running sums of the elements i ≡ 0,
 * 1, 2, 3 (mod 4) up to the last multiple of 4, added as (s0 + s1) + (s2 + s3), then the rest in
 * order. The wasm plane_sums (wasm/conv-unit-code.ts) adds in the same order.
 */
function planeSum(data: TypedArray, at: number, size: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = at;
  for (const end = at + size - (size % 4); i < end; i += 4) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
  }
  let s = s0 + s1 + (s2 + s3);
  for (const end = at + size; i < end; i++) s += data[i];
  return s;
}

/**
 * The gradient of conv2d's output with respect to its bias: G summed over the batch and the
 * positions, per channel (each image's channel sum in float64 by planeSum, then the images in
 * order).
 */
export function conv2dBiasGrad(grad: Storage, g: WindowGeometry, dtype: DType): Storage {
  const gd = contiguousData(grad);
  const p = g.oh * g.ow;
  const acc = new Float64Array(g.o);
  for (let img = 0, i = 0; img < g.n; img++) {
    for (let oc = 0; oc < g.o; oc++, i += p) acc[oc] += planeSum(gd, i, p);
  }
  return biasStorage(acc, dtype);
}

/** The gradient of conv2d's output with respect to its input: col2im(Wᵀ·G[img]) per image. */
export function conv2dInputGrad(
  grad: Storage,
  weight: Storage,
  g: WindowGeometry,
  shape: Shape,
  dtype: DType,
): Storage {
  const k = g.c * g.kh * g.kw;
  const p = g.oh * g.ow;
  const image = g.c * g.h * g.w;
  const gd = contiguousData(grad);
  const wd = contiguousData(weight);
  if (gd instanceof Float32Array && wd instanceof Float32Array && onWasm(dtype)) {
    return makeStorage(wasmConv2dInputGrad(grad, gd, wd, g), dtype, shape);
  }
  const wt = { data: wd, offset: 0, rowStride: 1, colStride: k };
  const cols = new Float64Array(k * p);
  const gx = new Float64Array(g.n * image);
  const ws = gemmWorkspace(k, p, g.o);
  for (let img = 0; img < g.n; img++) {
    cols.fill(0);
    const gm = { data: gd, offset: img * g.o * p, rowStride: p, colStride: 1 };
    gemm(k, p, g.o, wt, gm, cols, 0, p, ws);
    col2im(cols, 0, p, g, gx, img * image);
  }
  const out = allocate(dtype, gx.length);
  out.set(gx);
  return makeStorage(out, dtype, shape);
}
