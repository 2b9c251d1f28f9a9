// Convolution over NCHW storages: conv2d and its weight, bias and input gradients as the plain
// loops over images, channels and window positions (the reference path, for reading and checking).
// Float32 takes the backend's fast path where it has one (accelerator(), backend.ts; the wasm one
// is wasm/conv.ts: batched gemms over the images, spread over the threads). Pooling: pool.ts.
// Checks: ops/conv.ts.

import { allocate, type DType, type TypedArray } from "../dtype.js";
import type { Shape } from "../shape.js";
import { makeStorage, type Storage } from "../storage.js";
import { contiguousData } from "./copy.js";
import type { Accelerator } from "./accelerator.js";
import { accelerator } from "./backend.js";
import { type SavedColumns, type WindowGeometry, nchwStrides, outputStorage } from "./window.js";
import { reluInPlace } from "./elementwise.js";

export type { SavedColumns, WindowGeometry } from "./window.js";

/** The backend's fast paths for a float32 op over these arrays, or none (`{}`) for other dtypes. */
function fastPaths(dtype: DType, ...arrays: (TypedArray | null)[]): Accelerator {
  return dtype === "float32" && arrays.every((a) => a === null || a instanceof Float32Array) ? accelerator() : {};
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
  if (out.size === 0) return out;
  const wd = contiguousData(weight);
  const b = bias ? contiguousData(bias) : null;
  const od = out.data;
  const fast = fastPaths(dtype, x.data, b).conv2d;
  if (fast && od instanceof Float32Array && wd instanceof Float32Array && isF32OrNull(b)) {
    if (!fast(x, wd, b, g, od, saved, relu) && relu) reluInPlace(od);
    return out;
  }
  // the reference loop: each output is its window's products summed in float64, plus the bias
  const [sn, sc, sy, sx] = nchwStrides(x);
  const xd = x.data;
  const { c, h, w, kh, kw } = g;
  let at = 0;
  for (let img = 0; img < g.n; img++) {
    for (let oc = 0; oc < g.o; oc++) {
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          let sum = 0;
          for (let ci = 0; ci < c; ci++) {
            for (let i = 0; i < kh; i++) {
              const iy = oy * g.sh - g.ph + i;
              if (iy < 0 || iy >= h) continue; // padding: a zero input
              for (let j = 0; j < kw; j++) {
                const ix = ox * g.sw - g.pw + j;
                if (ix < 0 || ix >= w) continue;
                sum += xd[x.offset + img * sn + ci * sc + iy * sy + ix * sx] * wd[((oc * c + ci) * kh + i) * kw + j];
              }
            }
          }
          od[at++] = b ? sum + b[oc] : sum;
        }
      }
    }
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
  const fast = fastPaths(dtype, x.data, b).conv2dReluMaxPool2x2;
  if (!fast || !(wd instanceof Float32Array) || !isF32OrNull(b)) return null;
  const out = outputStorage(dtype, pg, pg.c);
  const winners = new Int32Array(out.size);
  if (!(out.data instanceof Float32Array) || !fast(x, wd, b, g, out.data, winners)) return null;
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
  const fast = fastPaths(dtype, x.data).conv2dWeightGradPooled;
  if (!fast || !(gd instanceof Float32Array) || !(pd instanceof Float32Array)) return null;
  const db = withBias ? new Float64Array(g.o) : undefined;
  const dw = fast({ grad: gd, pooled: pd, winners }, x, g, db);
  if (dw === null) return null;
  return { weight: makeStorage(dw, dtype, shape), bias: db === undefined ? null : biasStorage(db, dtype) };
}

function isF32OrNull(data: TypedArray | null): data is Float32Array | null {
  return data === null || data instanceof Float32Array;
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
  const fast = fastPaths(dtype, x.data).conv2dWeightGrad;
  const db = fast && withBias ? new Float64Array(g.o) : undefined;
  const done = fast && gd instanceof Float32Array ? fast(gd, x, g, saved, db) : null;
  if (done !== null) {
    const weight = makeStorage(done.dw, dtype, shape);
    if (db === undefined) return { weight, bias: null };
    return { weight, bias: done.biasDone ? biasStorage(db, dtype) : conv2dBiasGrad(grad, g, dtype) };
  }
  // the reference loop: each weight's gradient sums, image by image, the output gradients times
  // the inputs that weight met
  const [sn, sc, sy, sx] = nchwStrides(x);
  const xd = x.data;
  const { c, h, w, kh, kw, oh, ow } = g;
  const acc = new Float64Array(g.o * k);
  for (let img = 0; img < g.n; img++) {
    for (let oc = 0; oc < g.o; oc++) {
      const planeGrad = (img * g.o + oc) * p;
      for (let ci = 0; ci < c; ci++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            let sum = 0;
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * g.sh - g.ph + i;
              if (iy < 0 || iy >= h) continue;
              for (let ox = 0; ox < ow; ox++) {
                const ix = ox * g.sw - g.pw + j;
                if (ix < 0 || ix >= w) continue;
                sum += gd[planeGrad + oy * ow + ox] * xd[x.offset + img * sn + ci * sc + iy * sy + ix * sx];
              }
            }
            acc[((oc * c + ci) * kh + i) * kw + j] += sum;
          }
        }
      }
    }
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

/** The gradient of conv2d's output with respect to its input. */
export function conv2dInputGrad(
  grad: Storage,
  weight: Storage,
  g: WindowGeometry,
  shape: Shape,
  dtype: DType,
): Storage {
  const image = g.c * g.h * g.w;
  const gd = contiguousData(grad);
  const wd = contiguousData(weight);
  const fast = fastPaths(dtype).conv2dInputGrad;
  const done = fast && gd instanceof Float32Array && wd instanceof Float32Array ? fast(grad, gd, wd, g) : null;
  if (done !== null) return makeStorage(done, dtype, shape);
  // the reference loop: each input pixel gathers, over every window it fell in, the weights it met
  // times those outputs' gradients
  const { c, h, w, kh, kw, oh, ow } = g;
  const gx = new Float64Array(g.n * image);
  for (let img = 0; img < g.n; img++) {
    for (let ci = 0; ci < c; ci++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * g.sh - g.ph + i;
            if (iy < 0 || iy >= h) continue;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * g.sw - g.pw + j;
              if (ix < 0 || ix >= w) continue;
              let sum = 0;
              for (let oc = 0; oc < g.o; oc++) {
                sum += wd[((oc * c + ci) * kh + i) * kw + j] * gd[((img * g.o + oc) * oh + oy) * ow + ox];
              }
              gx[((img * c + ci) * h + iy) * w + ix] += sum;
            }
          }
        }
      }
    }
  }
  const out = allocate(dtype, gx.length);
  out.set(gx);
  return makeStorage(out, dtype, shape);
}
