// Float32 conv2d forward and gradients on the batched wasm gemm (batch.ts) and the whole-image units (conv-units.ts), for kernels/conv.ts.
// Stride 1 uses "wide" columns: with the image zero-padded to hp×wp, column row (ci, i, j) is one
// contiguous run of the padded plane, so unfolding is a memory copy per row and the products gain
// wp − ow unused positions per output row. The input gradient of a stride-1 conv is itself a
// stride-1 conv of the output gradient with the flipped kernels. Other strides unfold with im2col.

import type { TypedArray } from "../../dtype.js";
import type { Storage } from "../../storage.js";
import { type SavedColumns, type WindowGeometry, col2im, im2col, nchwStrides } from "../window.js";
import { contiguousData } from "../copy.js";
import { columnMajor, rowMajor, wasmGemmBatch } from "./batch.js";
import type { PooledGrad } from "../accelerator.js";
import { unitConvForward, unitConvReluMaxPool2x2, unitConvWeightGrad } from "./conv-units.js";
import { getRuntime } from "./runtime.js";

/**
 * The smallest batch the whole-image units take. NOTE: the units spread images, not tiles, over
 * the threads, so a smaller batch goes to the tiled batch gemm. The batch size alone decides it:
 * the two paths add the images' weight gradients in different orders, and the thread count must
 * never change a result.
 */
const UNIT_MIN_IMAGES = 4;

/** True when the whole-image units run this convolution: stride 1 and a batch of UNIT_MIN_IMAGES or more. */
function onUnits(g: WindowGeometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.n >= UNIT_MIN_IMAGES;
}

/** Sizes of the wide layout: padded plane hp×wp and p wide positions per channel. */
interface Wide {
  wp: number;
  plane: number;
  p: number;
}

function wideSizes(g: WindowGeometry): Wide {
  const wp = g.w + 2 * g.pw;
  return { wp, plane: (g.h + 2 * g.ph) * wp, p: (g.oh - 1) * wp + g.ow };
}

/** Floats of scratch the wide layout needs: a padded image, then a raw image or gradient. */
function wideScratch(g: WindowGeometry): number {
  return g.c * wideSizes(g).plane + Math.max(g.c * g.h * g.w, g.o * g.oh * g.ow);
}

/** spread_rows on float indices: `rows` rows of `length` floats from stride `from` to `to`. */
function spread(dst: number, src: number, rows: number, length: number, to: number, from: number): void {
  getRuntime()!.fn("spread_rows")(4 * dst, 4 * src, rows, 4 * length, 4 * to, 4 * from);
}

/**
 * Writes image `img` of x zero-padded, c planes of (h + 2·ph)×(w + 2·pw), at view[at …] (the
 * batch's scratch). Item 0 zeroes the planes; later items only rewrite the rows and the gaps
 * between them, so the borders stay zero.
 */
function padImage(x: Storage, img: number, g: WindowGeometry, view: Float32Array, at: number): void {
  const [sn, sc, sy, sx] = nchwStrides(x);
  const data = x.data;
  const { c, h, w, ph, pw } = g;
  const { wp, plane } = wideSizes(g);
  const first = at + ph * wp + pw;
  if (img === 0) view.fill(0, at, at + c * plane);
  if (sx === 1 && sy === w && (sc === h * w || c === 1)) {
    const raw = at + c * plane;
    const from = x.offset + img * sn;
    view.set(data.subarray(from, from + c * h * w), raw);
    for (let ci = 0; ci < c; ci++) spread(first + ci * plane, raw + ci * h * w, h, w, wp, w);
    return;
  }
  for (let ci = 0; ci < c; ci++) {
    for (let y = 0; y < h; y++) {
      let src = x.offset + img * sn + ci * sc + y * sy;
      const dst = first + ci * plane + y * wp;
      for (let i = dst, end = dst + w; i < end; i++, src += sx) view[i] = data[src];
    }
  }
}

/**
 * Copies the wide column rows (ci, i, j) of the padded image at view[from …] to view[to …], in
 * wasm (one memory.copy per row).
 */
function wideRows(from: number, g: WindowGeometry, to: number): void {
  const { wp, plane, p } = wideSizes(g);
  getRuntime()!.fn("unfold_wide")(4 * to, 4 * from, g.c, g.kh, g.kw, 4 * wp, 4 * plane, 4 * p);
}

/** Copies wide output rows (o rows, row stride ld) into od[at …] as NCHW, adding the bias. */
function takeWide(
  view: Float32Array,
  from: number,
  ld: number,
  g: WindowGeometry,
  od: Float32Array,
  at: number,
  bias: TypedArray | null,
): void {
  const { wp } = wideSizes(g);
  for (let oc = 0; oc < g.o; oc++) {
    const v = bias === null ? 0 : bias[oc];
    for (let oy = 0, src = from + oc * ld; oy < g.oh; oy++, src += wp) {
      for (let q = src, end = src + g.ow; q < end; q++) od[at++] = view[q] + v;
    }
  }
}

/**
 * out = W·cols(x[img]) + bias for every image, into od (NCHW). Strides other than 1 keep each
 * image's columns in `saved` when given. With `relu`, the whole-image units may also apply relu
 * as they write each image: returns true when they did, false when the caller still has to.
 */
export function wasmConv2d(
  x: Storage,
  wd: Float32Array,
  bias: TypedArray | null,
  g: WindowGeometry,
  od: Float32Array,
  saved?: SavedColumns,
  relu = false,
): boolean {
  const k = g.c * g.kh * g.kw;
  const a = { shared: { data: wd, offset: 0, rowStride: k, colStride: 1 } };
  const image = g.o * g.oh * g.ow;
  if (g.sh === 1 && g.sw === 1) {
    const xd = contiguousData(x);
    const b = bias === null || bias instanceof Float32Array ? bias : Float32Array.from(bias);
    if (onUnits(g) && xd instanceof Float32Array && unitConvForward(xd, wd, b, g, od, relu)) return relu;
    const { p } = wideSizes(g);
    wasmGemmBatch({
      batch: g.n,
      m: g.o,
      n: p,
      k,
      a,
      b: {
        fill: (view, at, img, work) => {
          padImage(x, img, g, view, work);
          wideRows(work, g, at);
          return rowMajor(p);
        },
      },
      out: { take: (view, at, ld, img) => takeWide(view, at, ld, g, od, img * image, bias) },
      scratch: wideScratch(g),
    });
    return false;
  }
  const p = g.oh * g.ow;
  const all = saved ? new Float32Array(g.n * k * p) : undefined;
  if (saved) saved.cols = all;
  wasmGemmBatch({
    batch: g.n,
    m: g.o,
    n: p,
    k,
    a,
    b: {
      fill: (view, at, img) => {
        const cols = view.subarray(at, at + k * p);
        im2col(x, img, g, cols);
        all?.set(cols, img * k * p);
        return rowMajor(p);
      },
    },
    out: { take: (view, at, ld, img) => takeWide(view, at, ld, { ...g, pw: 0, w: g.ow }, od, img * image, bias) },
  });
  return false;
}

/**
 * maxPool2d(relu(conv2d)) over 2×2 stride-2 windows on the whole-image units (stride 1): pooled
 * values to `pooled`, winners (indices into the convolution's output) to `winners`; false,
 * writing nothing, where the units do not run it.
 */
export function wasmConv2dReluMaxPool2x2(
  x: Storage,
  wd: Float32Array,
  bias: TypedArray | null,
  g: WindowGeometry,
  pooled: Float32Array,
  winners: Int32Array,
): boolean {
  if (!onUnits(g)) return false;
  const xd = contiguousData(x);
  const b = bias === null || bias instanceof Float32Array ? bias : Float32Array.from(bias);
  return xd instanceof Float32Array && unitConvReluMaxPool2x2(xd, wd, b, g, pooled, winners);
}

/**
 * The weight gradient (and, given db, the bias gradient) from a PooledGrad on the whole-image
 * units (stride 1), the convolution's gradient never becoming an array; null where they do not
 * run it.
 */
export function wasmConv2dWeightGradPooled(pg: PooledGrad, x: Storage, g: WindowGeometry, db?: Float64Array): Float32Array | null {
  if (!onUnits(g)) return null;
  const xd = contiguousData(x);
  const dw = new Float32Array(g.o * g.c * g.kh * g.kw);
  return xd instanceof Float32Array && unitConvWeightGrad(pg, xd, g, dw, db) ? dw : null;
}

/**
 * Writes the output gradient of image img as o wide rows (zeros in the gaps) at view[at …], by
 * way of the scratch at view[work …].
 */
function wideGrad(gd: Float32Array, img: number, g: WindowGeometry, view: Float32Array, at: number, work: number): void {
  const { wp, p } = wideSizes(g);
  const size = g.oh * g.ow;
  const raw = work + g.c * wideSizes(g).plane;
  view.set(gd.subarray(img * g.o * size, (img + 1) * g.o * size), raw);
  for (let oc = 0; oc < g.o; oc++) spread(at + oc * p, raw + oc * size, g.oh, g.ow, wp, g.ow);
}

/**
 * dW = Σ_img G[img]·cols(x[img])ᵀ as a contiguous o×(c·kh·kw) array. Given db (o zeros), it may
 * also add the bias gradient there in the same pass over G (as conv.ts's conv2dBiasGrad would),
 * and says whether it did.
 */
export function wasmConv2dWeightGrad(
  gd: Float32Array,
  x: Storage,
  g: WindowGeometry,
  saved?: Float32Array,
  db?: Float64Array,
): { dw: Float32Array; biasDone: boolean } {
  const k = g.c * g.kh * g.kw;
  const acc = new Float32Array(g.o * k);
  if (g.sh === 1 && g.sw === 1) {
    const xd = contiguousData(x);
    if (onUnits(g) && xd instanceof Float32Array && unitConvWeightGrad(gd, xd, g, acc, db)) return { dw: acc, biasDone: db !== undefined };
    const { p } = wideSizes(g);
    wasmGemmBatch({
      batch: g.n,
      m: g.o,
      n: k,
      k: p,
      a: { fill: (view, at, img, work) => (wideGrad(gd, img, g, view, at, work), rowMajor(p)) },
      b: {
        fill: (view, at, img, work) => {
          padImage(x, img, g, view, work);
          wideRows(work, g, at);
          return columnMajor(p);
        },
      },
      out: { sum: acc },
      scratch: wideScratch(g),
    });
    return { dw: acc, biasDone: false };
  }
  const p = g.oh * g.ow;
  const op = g.o * p;
  wasmGemmBatch({
    batch: g.n,
    m: g.o,
    n: k,
    k: p,
    a: { fill: (view, at, img) => (view.set(gd.subarray(img * op, (img + 1) * op), at), rowMajor(p)) },
    b: {
      fill: (view, at, img) => {
        if (saved) view.set(saved.subarray(img * k * p, (img + 1) * k * p), at);
        else im2col(x, img, g, view.subarray(at, at + k * p));
        return columnMajor(p);
      },
    },
    out: { sum: acc },
  });
  return { dw: acc, biasDone: false };
}

/** The kernels of conv2d's input gradient as a conv: wf[ci, oc, i, j] = w[oc, ci, kh−1−i, kw−1−j]. */
function flippedKernels(wd: Float32Array, g: WindowGeometry): Float32Array {
  const { o, c, kh, kw } = g;
  const wf = new Float32Array(wd.length);
  for (let oc = 0, src = 0; oc < o; oc++) {
    for (let ci = 0; ci < c; ci++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) wf[((ci * o + oc) * kh + kh - 1 - i) * kw + kw - 1 - j] = wd[src++];
      }
    }
  }
  return wf;
}

/** dX = col2im(Wᵀ·G[img]) for every image, as a contiguous n×c×h×w array. */
export function wasmConv2dInputGrad(grad: Storage, gd: Float32Array, wd: Float32Array, g: WindowGeometry): Float32Array {
  const image = g.c * g.h * g.w;
  const gx = new Float32Array(g.n * image);
  const { kh, kw, ph, pw } = g;
  if (g.sh === 1 && g.sw === 1 && ph < kh && pw < kw) {
    // NOTE: for stride 1, dX is G zero-padded by kernel − 1 − padding, convolved with flipped kernels
    const back = { ...g, c: g.o, h: g.oh, w: g.ow, o: g.c, ph: kh - 1 - ph, pw: kw - 1 - pw, oh: g.h, ow: g.w };
    wasmConv2d(grad, flippedKernels(wd, g), null, back, gx);
    return gx;
  }
  const k = g.c * kh * kw;
  const p = g.oh * g.ow;
  const op = g.o * p;
  wasmGemmBatch({
    batch: g.n,
    m: k,
    n: p,
    k: g.o,
    a: { shared: { data: wd, offset: 0, rowStride: 1, colStride: k } },
    b: { fill: (view, at, img) => (view.set(gd.subarray(img * op, (img + 1) * op), at), rowMajor(p)) },
    out: { take: (view, at, ld, img) => col2im(view, at, ld, g, gx, img * image) },
  });
  return gx;
}
