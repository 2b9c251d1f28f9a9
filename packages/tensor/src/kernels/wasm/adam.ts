// The driver of the Adam kernel (adam-code.ts): the fused optimizer step that @tg/optim calls
// through kernels/adam.ts (as PyTorch keeps its fused Adam kernels in its tensor library). Plain
// JavaScript cannot go below ~3 ns per element here: the seven loads and stores of a typed-array
// loop cost that much by themselves. m and v made by wasmAdamState live in module memory and are
// updated in place; other arrays are copied in and out.

import type { FusedAdamConstants } from "../accelerator.js";
import { buildAdamModule } from "./adam-code.js";
import { PAGE, type Runtime, instantiate } from "./runtime.js";

/** Where one parameter's step works in a slab: [θ | g | m | v] from `base`, `stride` floats each. */
interface Region {
  kernel: Runtime;
  base: number;
  stride: number;
  v: Float32Array;
}

/** The Adam kernel over a new memory of `pages` pages (fixed when `fixed`, else growable). */
function adamRuntime(pages: number, fixed: boolean): Runtime | null {
  return instantiate("adam", buildAdamModule, { initial: pages, maximum: fixed ? pages : 65536, shared: false });
}

/** The kernel for arrays that live anywhere: its memory grows to the largest parameter seen. */
let scratch: Runtime | null | undefined;
/**
 * Slabs of fixed size (they never grow, so views into them stay valid) that hold the regions of
 * wasmAdamState, filled front to back. NOTE: slabs rather than one memory per parameter, because
 * every WebAssembly memory reserves gigabytes of address space and a model may have hundreds of
 * parameters.
 */
const SLAB_BYTES = 16 << 20;
let slab: { kernel: Runtime; used: number; size: number } | undefined;
/** The region of each m array made by wasmAdamState, found by that array. */
const regions = new WeakMap<Float32Array, Region>();

const lanes = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Zeroed m and v buffers for a float32 parameter of `n` elements in module memory that never grows
 * (so the arrays stay valid), where wasmAdam reads them without copying; null where the kernel
 * cannot run here.
 */
export function wasmAdamState(n: number): { expAvg: Float32Array; expAvgSq: Float32Array } | null {
  const stride = lanes(n);
  const bytes = 16 * stride;
  if (slab === undefined || slab.used + bytes > slab.size) {
    const size = Math.max(SLAB_BYTES, Math.ceil(bytes / PAGE) * PAGE);
    const kernel = adamRuntime(size / PAGE, true);
    if (kernel === null) return null;
    slab = { kernel, used: 0, size };
  }
  const base = slab.used;
  slab.used += bytes;
  const buffer = slab.kernel.memory.buffer;
  const expAvg = new Float32Array(buffer, base + 8 * stride, n);
  const expAvgSq = new Float32Array(buffer, base + 12 * stride, n);
  regions.set(expAvg, { kernel: slab.kernel, base, stride, v: expAvgSq });
  return { expAvg, expAvgSq };
}

/**
 * One Adam step over float32 arrays of one length, in place (θ, m and v are updated). Returns
 * false, changing nothing, where the kernel cannot run here.
 */
export function wasmAdam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, k: FusedAdamConstants): boolean {
  const n = param.length;
  // 1. find or make the region: [θ | g | m | v], each padded to whole SIMD lanes
  const stride = lanes(n);
  let region = regions.get(m);
  const inPlace = region !== undefined && region.v === v;
  if (region === undefined || !inPlace) {
    scratch ??= adamRuntime(1, false);
    if (scratch === null) return false;
    scratch.reserve(16 * stride, "fusedAdamF32");
    region = { kernel: scratch, base: 0, stride, v };
  }
  const { kernel, base } = region;
  const view = new Float32Array(kernel.memory.buffer, base, 4 * stride);
  view.set(param, 0);
  view.set(grad, stride);
  if (!inPlace) {
    view.set(m, 2 * stride);
    view.set(v, 3 * stride);
  }
  // 2. run the loop; the padding lanes compute on leftovers and are never read back
  const { decay, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bc2Sqrt, eps } = k;
  kernel.fn("adam")(base, base + 4 * stride, base + 8 * stride, base + 12 * stride, 4 * stride, decay, oneMinusBeta1, beta2, oneMinusBeta2, -stepSize, bc2Sqrt, eps);
  // 3. copy the updated θ (and m and v, unless they live there) back
  param.set(view.subarray(0, n));
  if (!inPlace) {
    m.set(view.subarray(2 * stride, 2 * stride + n));
    v.set(view.subarray(3 * stride, 3 * stride + n));
  }
  return true;
}
