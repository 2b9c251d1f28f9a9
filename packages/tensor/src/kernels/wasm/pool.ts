// The driver of the 2×2 max-pooling kernel (pool-code.ts) over planes already in module memory:
// on the calling thread for small inputs, else in runs of planes on the thread pool; and the
// scatter of a pooled gradient back to the windows' winners.

import { getNumThreads, threadPool } from "./gemm.js";
import type { Runtime } from "./runtime.js";

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
