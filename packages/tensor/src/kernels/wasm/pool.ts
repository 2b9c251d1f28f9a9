// The driver of the 2×2 max-pooling kernel (pool-code.ts) over planes already in module memory:
// on the calling thread for small inputs, else in runs of planes on the thread pool.

import type { WindowGeometry } from "../window.js";
import { getNumThreads, threadPool } from "./gemm.js";
import { CONTROL_BYTES, type Runtime, align64, getRuntime } from "./runtime.js";

/** Inputs from this many elements pool on the threads, in at most POOL_UNITS runs of planes. */
const POOL_THREAD_MIN = 2 ** 18;
const POOL_UNITS = 64;

/**
 * Pools `planes` contiguous h×w float32 planes at byte address src: each 2×2 stride-2 window's
 * maximum to dst and its winner's element index (counted from src) to idx, as max_pool_2x2 does.
 */
export function maxPool2x2InMemory(runtime: Runtime, src: number, dst: number, idx: number, planes: number, h: number, w: number): void {
  const pool = planes * h * w >= POOL_THREAD_MIN ? threadPool(runtime, getNumThreads()) : undefined;
  if (pool === undefined) {
    runtime.fn("max_pool_2x2")(src, dst, idx, 0, planes, h, w);
    return;
  }
  const per = Math.ceil(planes / Math.min(planes, POOL_UNITS));
  pool.runUnits({ kernel: "max_pool_unit", units: Math.ceil(planes / per), fields: [src, dst, idx, per, planes, h, w] });
}

/**
 * 2×2 stride-2 max-pooling of contiguous float32 planes (four windows per SIMD step, the reference
 * loop's comparisons in the same order, so the same winners): values to `out`, each winner's
 * contiguous NCHW index to `index`; false where the kernels are unavailable.
 */
export function wasmMaxPool2x2(
  data: Float32Array,
  offset: number,
  g: WindowGeometry,
  out: Float32Array,
  index: Int32Array,
): boolean {
  const runtime = getRuntime();
  if (runtime === null) return false;
  const size = g.n * g.c * g.h * g.w;
  const src = CONTROL_BYTES;
  const dst = src + align64(4 * size);
  const idx = dst + align64(4 * out.length);
  const view = runtime.reserve(idx + 4 * out.length, "maxPool2d");
  view.set(data.subarray(offset, offset + size), src / 4);
  maxPool2x2InMemory(runtime, src, dst, idx, g.n * g.c, g.h, g.w);
  out.set(view.subarray(dst / 4, dst / 4 + out.length));
  index.set(new Int32Array(view.buffer, idx, out.length));
  return true;
}
