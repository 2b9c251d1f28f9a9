// Max-pooling over NCHW storages: one scan finds each window's winner, which gives both the
// forward values and the backward routing. Checks live in ops/conv.ts.

import { allocate } from "../dtype.js";
import { isContiguous, makeStorage, type Storage } from "../storage.js";
import { type WindowGeometry, nchwStrides, outputStorage, scatterPooledGrad } from "./window.js";
import { contiguousData } from "./copy.js";
import { accelerator } from "./backend.js";

/**
 * max-pool forward: the largest input of each window (padding never wins), and `winners`, the
 * contiguous NCHW index of each window's winning input, which the backward reuses.
 */
export function maxPool2d(x: Storage, g: WindowGeometry): { out: Storage; winners: Int32Array } {
  const out = outputStorage(x.dtype, g, g.c);
  const winners = new Int32Array(out.size);
  if (x.data instanceof Float32Array && out.data instanceof Float32Array && isPlain2x2(x, g)) {
    if (accelerator().maxPool2x2?.(x.data, x.offset, g, out.data, winners)) return { out, winners };
    maxPool2x2(x.data, x.offset, g, out.data, winners);
    return { out, winners };
  }
  maxPoolIndex(x, g, winners);
  const xd = contiguousData(x);
  const od = out.data;
  for (let o = 0; o < winners.length; o++) od[o] = xd[winners[o]];
  return { out, winners };
}

/**
 * max-pool backward: each output's gradient goes to the input element that won its window
 * (`winners` from the forward, or found again from x when not given).
 */
export function maxPool2dGrad(
  grad: Storage,
  x: Storage,
  g: WindowGeometry,
  winners?: Int32Array,
): Storage {
  const size = g.n * g.c * g.oh * g.ow;
  let index = winners;
  if (index === undefined) {
    index = new Int32Array(size);
    maxPoolIndex(x, g, index);
  }
  const gd = contiguousData(grad);
  const length = g.n * g.c * g.h * g.w;
  // NOTE: windows that overlap may send several gradients to one input: they are summed in
  // float64 and rounded once; otherwise each input receives at most one and is written directly
  const overlapping = g.sh < g.kh || g.sw < g.kw;
  const gx = overlapping ? new Float64Array(length) : allocate(grad.dtype, length);
  if (!overlapping) {
    // NOTE: stores, not `+=`: reading an untouched page of a fresh array first maps the zero page
    // and the store then faults again, so adding into it costs twice the page faults (`+ 0` keeps
    // the sum's +0 for a −0 gradient)
    for (let i = 0; i < size; i++) gx[index[i]] = gd[i] + 0;
    return makeStorage(gx, grad.dtype, x.shape);
  }
  for (let i = 0; i < size; i++) gx[index[i]] += gd[i];
  const out = allocate(grad.dtype, length);
  out.set(gx);
  return makeStorage(out, grad.dtype, x.shape);
}

/**
 * The gradient of maxPool2d(relu(y)) with respect to y, for windows that do not overlap: each
 * window's gradient goes to its winner where the pooled value (relu's output there) is positive
 * or NaN, as max-pool's backward followed by relu's would route it; everything else is 0.
 */
export function maxPoolReluGrad(grad: Storage, pooled: Storage, winners: Int32Array, shape: readonly number[]): Storage {
  const gd = contiguousData(grad);
  const pd = contiguousData(pooled);
  const gx = allocate(grad.dtype, shape.reduce((a, b) => a * b, 1)) as Float32Array | Float64Array;
  scatterPooledGrad(gx, 0, gd, pd, winners);
  return makeStorage(gx, grad.dtype, [...shape]);
}

/** True for the common 2×2, stride-2, unpadded window over a contiguous input. */
function isPlain2x2(x: Storage, g: WindowGeometry): boolean {
  const plain = g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.ph === 0 && g.pw === 0;
  return plain && isContiguous(x);
}

/**
 * maxPoolIndex and the gather for 2×2 stride-2 windows over contiguous float32 data, in one pass:
 * the same four comparisons in the same order, so the same winners (first maximum, a NaN wins).
 */
function maxPool2x2(
  data: Float32Array,
  offset: number,
  g: WindowGeometry,
  out: Float32Array,
  index: Int32Array,
): void {
  const { h, w, oh, ow } = g;
  const planes = g.n * g.c;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const at0 = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0, top = at0 + 2 * oy * w; ox < ow; ox++, o++, top += 2) {
        let at = top; // the first element always takes the lead (even -Infinity or NaN)
        let best = data[offset + top];
        let v = data[offset + top + 1];
        if (v > best || v !== v) {
          best = v;
          at = top + 1;
        }
        v = data[offset + top + w];
        if (v > best || v !== v) {
          best = v;
          at = top + w;
        }
        v = data[offset + top + w + 1];
        if (v > best || v !== v) at = top + w + 1;
        index[o] = at;
        out[o] = data[offset + at];
      }
    }
  }
}

/**
 * Writes, for every window, the contiguous NCHW index of its winning input to `index`.
 * NOTE: as in PyTorch, the first maximum wins ties and a NaN always wins.
 */
function maxPoolIndex(x: Storage, g: WindowGeometry, index: Int32Array): void {
  const [sn, sc, sy, sx] = nchwStrides(x);
  const data = x.data;
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  let o = 0;
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++) {
      const base = x.offset + img * sn + ch * sc;
      const plane = (img * c + ch) * h * w;
      for (let oy = 0; oy < oh; oy++) {
        const y0 = Math.max(0, oy * sh - ph);
        const y1 = Math.min(h, oy * sh - ph + kh);
        for (let ox = 0; ox < ow; ox++, o++) {
          const x0 = Math.max(0, ox * sw - pw);
          const x1 = Math.min(w, ox * sw - pw + kw);
          let best = -Infinity;
          let at = y0 * w + x0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0, src = base + iy * sy + x0 * sx; ix < x1; ix++, src += sx) {
              const v = data[src];
              if (v > best || v !== v) {
                best = v;
                at = iy * w + ix;
              }
            }
          }
          index[o] = plane + at;
        }
      }
    }
  }
}
