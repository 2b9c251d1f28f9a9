// The geometry every 2-D window op shares (conv2d, max-pooling): sizes, NCHW strides, the output
// storage, the im2col/col2im unfolding that turns a convolution into matrix products, and the
// scatter of a pooled gradient to its windows' winners. Used by kernels/conv.ts, kernels/pool.ts
// and their wasm drivers.

import { allocate, type DType } from "../dtype.js";
import { contiguousStrides, type Shape } from "../shape.js";
import { makeStorage, type Storage } from "../storage.js";

/**
 * Sizes of a 2-D window op: input n×c×h×w (n = 1 for an unbatched c×h×w input), o output
 * channels (c for pooling), a kh×kw window moved by sh×sw over an input padded by ph×pw,
 * giving oh×ow outputs per channel.
 */
export interface WindowGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
  /** The input had no batch dim; the output then has none either. */
  unbatched: boolean;
}

/** Strides of an NCHW (or unbatched CHW, with batch stride 0) storage. */
export function nchwStrides(s: Storage): [number, number, number, number] {
  const t = s.strides;
  return s.shape.length === 3 ? [0, t[0], t[1], t[2]] : [t[0], t[1], t[2], t[3]];
}

/** A fresh contiguous output of `channels` channels for geometry `g` (NCHW, or CHW when unbatched). */
export function outputStorage(dtype: DType, g: WindowGeometry, channels: number): Storage {
  const shape: Shape = g.unbatched ? [channels, g.oh, g.ow] : [g.n, channels, g.oh, g.ow];
  const size = g.n * channels * g.oh * g.ow;
  return makeStorage(allocate(dtype, size), dtype, shape, contiguousStrides(shape));
}

/** A float working buffer: Float64Array on the reference path, Float32Array on the wasm one. */
export type Buffer = Float32Array | Float64Array;

/** Output columns [lo, hi) whose input column ox·sw − pw + j lies inside [0, w). */
function columnRange(g: WindowGeometry, j: number): [number, number] {
  const { ow, sw, pw, w } = g;
  const lo = Math.min(ow, Math.max(0, Math.ceil((pw - j) / sw)));
  return [lo, Math.max(lo, Math.min(ow, Math.floor((w - 1 + pw - j) / sw) + 1))];
}

/**
 * Unfolds image `img` of x into cols, a (c·kh·kw)×(oh·ow) row-major matrix: row (ci, i, j) holds,
 * for every output position (oy, ox), the input x[img, ci, oy·sh − ph + i, ox·sw − pw + j],
 * or 0 where that falls in the padding.
 */
export function im2col(x: Storage, img: number, g: WindowGeometry, cols: Buffer): void {
  const [sn, sc, sy, sx] = nchwStrides(x);
  const data = x.data;
  const { oh, ow, sh, sw, ph, h } = g;
  const step = sw * sx;
  let dst = 0;
  for (let ci = 0; ci < g.c; ci++) {
    const plane = x.offset + img * sn + ci * sc;
    for (let i = 0; i < g.kh; i++) {
      for (let j = 0; j < g.kw; j++) {
        const [lo, hi] = columnRange(g, j);
        const first = plane + (lo * sw - g.pw + j) * sx;
        for (let oy = 0, iy = i - ph; oy < oh; oy++, iy += sh) {
          const rowEnd = dst + ow;
          if (iy < 0 || iy >= h) {
            while (dst < rowEnd) cols[dst++] = 0;
            continue;
          }
          for (const end = dst + lo; dst < end; ) cols[dst++] = 0;
          for (let src = first + iy * sy, end = rowEnd - (ow - hi); dst < end; src += step) {
            cols[dst++] = data[src];
          }
          while (dst < rowEnd) cols[dst++] = 0;
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: adds each entry of cols (its rows at from, from + ld, …) back onto the
 * input pixel it was read from, in the image at gx[at …].
 */
export function col2im(cols: Buffer, from: number, ld: number, g: WindowGeometry, gx: Buffer, at: number): void {
  const { oh, ow, sh, sw, ph, pw, h, w } = g;
  let row = from;
  for (let ci = 0; ci < g.c; ci++) {
    const plane = at + ci * h * w;
    for (let i = 0; i < g.kh; i++) {
      for (let j = 0; j < g.kw; j++, row += ld) {
        const [lo, hi] = columnRange(g, j);
        for (let oy = 0, iy = i - ph; oy < oh; oy++, iy += sh) {
          if (iy < 0 || iy >= h) continue;
          let dst = plane + iy * w + lo * sw - pw + j;
          for (let src = row + oy * ow + lo, end = row + oy * ow + hi; src < end; src++, dst += sw) {
            gx[dst] += cols[src];
          }
        }
      }
    }
  }
}

/** Where conv2d's forward leaves the whole batch's im2col columns for the weight gradient. */
export interface SavedColumns {
  cols?: Float32Array;
}

/**
 * Routes an output gradient back through relu then 2×2 max-pooling: grad[i] goes to
 * out[at + winners[i]] where pooled[i] (relu's output at the winner) is positive or NaN, which
 * is where relu let it through. `out` must already hold zeros there. Only stores (reading a fresh
 * array's untouched page would fault it in twice); `+ 0` makes a −0 gradient +0, as adding into
 * zeros does.
 */
export function scatterPooledGrad(
  out: Float32Array | Float64Array,
  at: number,
  grad: ArrayLike<number>,
  pooled: ArrayLike<number>,
  winners: Int32Array,
): void {
  for (let i = 0; i < winners.length; i++) {
    const v = pooled[i];
    if (v > 0 || v !== v) out[at + winners[i]] = grad[i] + 0;
  }
}
