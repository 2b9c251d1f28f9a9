// Drivers of the whole-image convolution units (conv-unit-code.ts) for stride-1 conv2d in float32:
// the caller copies the batch into module memory once and packs the weight once, then every image
// is padded, packed and multiplied on whichever thread claims it (threads.ts), and the caller
// copies the results out once.

import { MR, NR } from "./gemm-code.js";
import { THREAD_MIN_FLOPS, getNumThreads, threadPool } from "./gemm.js";
import { CONV_FWD_FIELDS, CONV_WGRAD_FIELDS } from "./conv-unit-code.js";
import { CONTROL_BYTES, type Runtime, align64, getRuntime } from "./runtime.js";
import { maxPool2x2InMemory } from "./pool.js";
import { type ThreadPool, runUnits } from "./threads.js";
import { type WindowGeometry, scatterPooledGrad } from "../window.js";
import type { PooledGrad } from "../accelerator.js";

/**
 * A stride-1 convolution: n images of c×h×w padded by ph×pw, o kernels of c×kh×kw, giving
 * oh×ow outputs per channel (oh = h + 2ph − kh + 1, ow likewise).
 */
export type UnitConv = Omit<WindowGeometry, "sh" | "sw" | "unbatched">;

/**
 * Images per weight-gradient unit: the batch in at most this many groups, a count fixed by the
 * batch size alone so that the order of the sums never depends on the thread count.
 */
const WGRAD_GROUPS = 16;

interface Plan {
  runtime: Runtime;
  pool: ThreadPool | undefined;
  threads: number;
  k: number;
  wp: number;
  plane: number;
  p: number;
}

/** The runtime and threads for a conv, or null where the units should not run it. */
function plan(g: UnitConv): Plan | null {
  const runtime = getRuntime();
  if (runtime === null) return null;
  const k = g.c * g.kh * g.kw;
  const wp = g.w + 2 * g.pw;
  const plane = (g.h + 2 * g.ph) * wp;
  const p = (g.oh - 1) * wp + g.ow;
  const flops = 2 * g.n * g.o * p * k;
  const pool = flops >= THREAD_MIN_FLOPS ? threadPool(runtime, getNumThreads()) : undefined;
  const threads = pool?.size ?? 1;
  return { runtime, pool, threads, k, wp, plane, p };
}

/** Writes the byte offset of every wide column row (ci, i, j) inside a padded image at `at`. */
function rowTable(runtime: Runtime, at: number, g: UnitConv, { wp, plane }: Plan): void {
  const table = new Int32Array(runtime.memory.buffer, at, g.c * g.kh * g.kw);
  let r = 0;
  for (let ci = 0; ci < g.c; ci++) {
    for (let i = 0; i < g.kh; i++) {
      for (let j = 0; j < g.kw; j++) table[r++] = 4 * (ci * plane + i * wp + j);
    }
  }
}

/**
 * od (n×o×oh×ow) = conv(x, W) + bias, then relu(·) when `relu`, for a contiguous float32 batch
 * x (n×c×h×w) and weight wd (o×c×kh×kw), each element the float32 sum of its c·kh·kw products in
 * order, then the bias. Returns false, writing nothing, where the units should not run it.
 */
export function unitConvForward(
  x: Float32Array,
  wd: Float32Array,
  bias: Float32Array | null,
  g: UnitConv,
  od: Float32Array,
  relu = false,
): boolean {
  const done = forwardUnits(x, wd, bias, g, relu, 0);
  if (done === null) return false;
  od.set(done.view.subarray(done.out / 4, done.out / 4 + g.n * g.o * g.oh * g.ow));
  return true;
}

/**
 * maxPool2d(relu(conv(x, W) + bias)) with 2×2 stride-2 windows in one pass: the convolution's
 * output stays in module memory, where it is pooled; the pooled values go to `pooled`
 * (n×o×⌊oh/2⌋×⌊ow/2⌋) and each window's winner, as an index into the n×o×oh×ow convolution
 * output, to `winners`. Returns false, writing nothing, where the units should not run it.
 */
export function unitConvReluMaxPool2x2(
  x: Float32Array,
  wd: Float32Array,
  bias: Float32Array | null,
  g: UnitConv,
  pooled: Float32Array,
  winners: Int32Array,
): boolean {
  const size = g.n * g.o * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
  const done = forwardUnits(x, wd, bias, g, true, 2 * align64(4 * size));
  if (done === null) return false;
  const { runtime, view, out, end } = done;
  const idx = end + align64(4 * size);
  maxPool2x2InMemory(runtime, out, end, idx, g.n * g.o, g.oh, g.ow);
  pooled.set(view.subarray(end / 4, end / 4 + size));
  winners.set(new Int32Array(view.buffer, idx, size));
  return true;
}

/**
 * Runs the forward units over the batch with `extra` bytes reserved after their memory; returns
 * the view, where the outputs lie (byte address `out`, n·o·oh·ow floats) and where the extra
 * bytes start (`end`), or null where the units should not run.
 */
function forwardUnits(
  x: Float32Array,
  wd: Float32Array,
  bias: Float32Array | null,
  g: UnitConv,
  relu: boolean,
  extra: number,
): { runtime: Runtime; view: Float32Array; out: number; end: number } | null {
  const pl = plan(g);
  if (pl === null) return null;
  const { runtime, threads, k, p } = pl;
  const mPad = Math.ceil(g.o / MR) * MR;
  const nPad = Math.ceil(p / NR) * NR;
  const image = g.c * g.h * g.w;
  const outImage = g.o * g.oh * g.ow;
  // [control | row table | bias | staged W | packed W | images | outputs | scratch per thread | extra]
  const table = CONTROL_BYTES;
  const biasAt = table + align64(4 * k);
  const aStage = biasAt + align64(4 * g.o);
  const aPack = aStage + align64(4 * g.o * k);
  const src = aPack + align64(4 * mPad * k);
  const out = src + align64(4 * g.n * image);
  const scratch = out + align64(4 * g.n * outImage);
  const bOffset = align64(4 * g.c * pl.plane);
  const cOffset = bOffset + align64(4 * nPad * k);
  const scratchBytes = cOffset + align64(4 * mPad * nPad);
  const end = scratch + threads * scratchBytes;
  const view = runtime.reserve(end + extra, "conv2d");
  rowTable(runtime, table, g, pl);
  if (bias !== null) view.set(bias.subarray(0, g.o), biasAt / 4);
  view.set(wd.subarray(0, g.o * k), aStage / 4);
  runtime.fn("pack_a_transpose")(aPack, aStage, k, k, g.o);
  view.set(x.subarray(0, g.n * image), src / 4);
  const values: Record<(typeof CONV_FWD_FIELDS)[number], number> = {
    src, imageBytes: 4 * image, c: g.c, h: g.h, w: g.w, ph: g.ph, pw: g.pw, table, k, n: p, nPad, aPack, mPad,
    scratch, scratchBytes, bOffset, cOffset, out, outBytes: 4 * outImage, o: g.o, oh: g.oh, ow: g.ow,
    bias: bias === null ? 0 : biasAt, relu: relu ? 1 : 0,
  };
  runUnits(pl.runtime, pl.pool, { kernel: "conv_fwd_unit", units: g.n, fields: CONV_FWD_FIELDS.map((f) => values[f]) });
  return { runtime, view, out, end };
}


/**
 * dW (o×c·kh·kw) = Σ_img G[img]·cols(x[img])ᵀ for a contiguous float32 output gradient gd
 * (n×o×oh×ow, or a PooledGrad scattered straight into module memory) and batch x (n×c×h×w):
 * each group of images is summed in order in float32, then the groups in order. With db, also the bias gradient: each image's float64 channel sums (in
 * the order of kernels/conv.ts's conv2dBiasGrad) added in image order to db (o entries, zeroed
 * by the caller). Returns false, writing nothing, where the units should not run it.
 */
export function unitConvWeightGrad(gd: Float32Array | PooledGrad, x: Float32Array, g: UnitConv, dw: Float32Array, db?: Float64Array): boolean {
  const pl = plan(g);
  if (pl === null) return false;
  const { runtime, threads, k, p } = pl;
  const mPad = Math.ceil(g.o / MR) * MR;
  const nPad = Math.ceil(k / NR) * NR;
  const group = Math.ceil(g.n / Math.min(g.n, WGRAD_GROUPS));
  const units = Math.ceil(g.n / group);
  const image = g.c * g.h * g.w;
  const gradImage = g.o * g.oh * g.ow;
  // [control | row table | gradients | images | one sum per group | scratch per thread]
  const table = CONTROL_BYTES;
  const gsrc = table + align64(4 * k);
  const xsrc = gsrc + align64(4 * g.n * gradImage);
  const sums = xsrc + align64(4 * g.n * image);
  const sumBytes = align64(4 * mPad * nPad);
  const biasSums = db === undefined ? 0 : sums + units * sumBytes;
  const scratch = sums + units * sumBytes + (db === undefined ? 0 : align64(8 * g.n * g.o));
  const aOffset = align64(4 * g.c * pl.plane);
  const aPackOffset = aOffset + align64(4 * g.o * p);
  const bOffset = aPackOffset + align64(4 * mPad * p);
  const scratchBytes = bOffset + align64(4 * nPad * p);
  const view = runtime.reserve(scratch + threads * scratchBytes, "conv2d");
  rowTable(runtime, table, g, pl);
  if (gd instanceof Float32Array) view.set(gd.subarray(0, g.n * gradImage), gsrc / 4);
  else {
    view.fill(0, gsrc / 4, gsrc / 4 + g.n * gradImage);
    scatterPooledGrad(view, gsrc / 4, gd.grad, gd.pooled, gd.winners);
  }
  view.set(x.subarray(0, g.n * image), xsrc / 4);
  const values: Record<(typeof CONV_WGRAD_FIELDS)[number], number> = {
    gsrc, gradBytes: 4 * gradImage, o: g.o, oh: g.oh, ow: g.ow, p, xsrc, imageBytes: 4 * image, c: g.c, h: g.h,
    w: g.w, ph: g.ph, pw: g.pw, table, k, mPad, nPad, scratch, scratchBytes, aOffset, aPackOffset, bOffset,
    sums, sumBytes, group, images: g.n, biasSums,
  };
  runUnits(pl.runtime, pl.pool, { kernel: "conv_wgrad_unit", units, fields: CONV_WGRAD_FIELDS.map((f) => values[f]) });
  for (let r = 0; r < g.o; r++) {
    const row = dw.subarray(r * k, (r + 1) * k);
    row.set(view.subarray(sums / 4 + r * nPad, sums / 4 + r * nPad + k));
    for (let t = 1; t < units; t++) {
      for (let j = 0, at = (sums + t * sumBytes) / 4 + r * nPad; j < k; j++) row[j] += view[at + j];
    }
  }
  if (db !== undefined) {
    const planeSums = new Float64Array(runtime.memory.buffer, biasSums, g.n * g.o);
    for (let img = 0, i = 0; img < g.n; img++) for (let oc = 0; oc < g.o; oc++) db[oc] += planeSums[i++];
  }
  return true;
}
