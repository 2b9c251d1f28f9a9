// The fused Adam step that @tg/optim calls for float32 parameters. The plain loop is the
// optimizer's own (in @tg/optim): these functions say whether the backend's fast path ran it, and
// the optimizer runs its loop where it did not.

import type { FusedAdamConstants } from "./accelerator.js";
import { accelerator } from "./backend.js";

export type { FusedAdamConstants } from "./accelerator.js";

/**
 * Zeroed m and v buffers for a float32 parameter of `n` elements, placed where fusedAdamF32 reads
 * them without copying (in WebAssembly memory that never grows, so the arrays stay valid); null
 * where the wasm backend is not in use. They are ordinary Float32Arrays otherwise.
 * @example
 * const state = fusedAdamState(param.length); // { expAvg, expAvgSq } or null
 */
export function fusedAdamState(n: number): { expAvg: Float32Array; expAvgSq: Float32Array } | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`fusedAdamState: expected a length, got ${n}`);
  return accelerator().adamState?.(n) ?? null;
}

/**
 * One Adam step over float32 arrays of one length, in place (θ, m and v are updated), on the
 * WebAssembly SIMD backend. Returns false, changing nothing, where that backend is not in use
 * (`setBackend("js")`, or no WebAssembly SIMD), so the caller runs its own loop instead. m and v
 * from fusedAdamState are read in place; other arrays are copied in and out.
 * @example
 * fusedAdamF32(param, grad, expAvg, expAvgSq, { decay: 1 - lr * wd, oneMinusBeta1: 0.1, beta2: 0.999,
 *   oneMinusBeta2: 0.001, stepSize: lr / (1 - 0.9 ** t), bc2Sqrt: Math.sqrt(1 - 0.999 ** t), eps: 1e-8 });
 */
export function fusedAdamF32(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  constants: FusedAdamConstants,
): boolean {
  const n = param.length;
  if (grad.length !== n || m.length !== n || v.length !== n) {
    throw new RangeError(`fusedAdamF32: arrays of lengths ${param.length}, ${grad.length}, ${m.length}, ${v.length} differ`);
  }
  return accelerator().adam?.(param, grad, m, v, constants) ?? false;
}
