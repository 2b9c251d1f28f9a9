// The driver of the element-wise SIMD kernels (elementwise-code.ts): copies the operands into the
// module's memory, runs one kernel and copies the result out. A JavaScript loop over a typed array
// costs ~2-2.5 ns per element here, while copying into module memory and back costs ~0.4: on a
// convnet's large activations (1.6M elements per batch) the copies and the SIMD loop together take
// a quarter of the plain loop's time. Below SIMD_MIN_ELEMENTS every function declines (returns
// false, writing nothing) and the caller's plain loop runs.

import type { FastBinaryKind } from "../accelerator.js";
import { BINARY_KINDS, buildElementwiseModule } from "./elementwise-code.js";
import type { WasmFunction } from "./platform.js";
import { type Runtime, instantiate } from "./runtime.js";

/** Below this many elements the plain loop wins (the call and copies cost more than they save). */
export const SIMD_MIN_ELEMENTS = 4096;

interface Kernels {
  runtime: Runtime;
  relu: WasmFunction;
  reluBackward: WasmFunction;
  binary: Record<FastBinaryKind, WasmFunction>;
  rows: Record<FastBinaryKind, WasmFunction>;
  dropout: WasmFunction;
  sumRows: WasmFunction;
}

let kernels: Kernels | null | undefined;

function getKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  const runtime = instantiate("elementwise", buildElementwiseModule, { initial: 1, maximum: 65536, shared: false });
  if (runtime === null) return (kernels = null);
  const byKind = (suffix: string): Record<FastBinaryKind, WasmFunction> => {
    const [add, sub, mul, div] = BINARY_KINDS.map((kind) => runtime.fn(kind + suffix));
    return { add, sub, mul, div };
  };
  kernels = {
    runtime,
    relu: runtime.fn("relu"),
    reluBackward: runtime.fn("relu_backward"),
    binary: byKind(""),
    rows: byKind("_rows"),
    dropout: runtime.fn("dropout"),
    sumRows: runtime.fn("sum_rows"),
  };
  return kernels;
}

/** The kernels when the SIMD path pays for `n` elements, else null. */
function kernelsFor(n: number): Kernels | null {
  return n >= SIMD_MIN_ELEMENTS ? getKernels() : null;
}

/** `count` float32 arrays of `n` elements side by side in module memory, each padded to 4 lanes. */
function workspace(k: Kernels, count: number, n: number): { view: Float32Array; stride: number } {
  const stride = Math.ceil(n / 4) * 4;
  return { view: k.runtime.reserve(4 * count * stride, "elementwise"), stride };
}

/** out = relu(x) on the SIMD kernel; false (nothing written) where it does not pay. */
export function wasmRelu(x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  const k = kernelsFor(n);
  if (k === null) return false;
  const { view, stride } = workspace(k, 2, n);
  view.set(x, 0);
  k.relu(0, 4 * stride, 4 * stride);
  out.set(view.subarray(stride, stride + n));
  return true;
}

/** out = g where x is not <= 0, else 0, on the SIMD kernel; false where it does not pay. */
export function wasmReluBackward(g: Float32Array, x: Float32Array, out: Float32Array): boolean {
  const k = kernelsFor(out.length);
  return k !== null && runBinary(k, k.reluBackward, g, x, out);
}

/**
 * out = a <kind> b over arrays of one length on the SIMD kernel; false (nothing written) where it
 * does not pay. `out` may be `a` or `b`.
 */
export function wasmBinary(kind: FastBinaryKind, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  const k = kernelsFor(out.length);
  return k !== null && runBinary(k, k.binary[kind], a, b, out);
}

/** Runs a kernel fn(a, b, out, bytes) of two same-length inputs through module memory. */
function runBinary(k: Kernels, fn: WasmFunction, a: Float32Array, b: Float32Array, out: Float32Array): true {
  const n = out.length;
  const { view, stride } = workspace(k, 3, n);
  view.set(a, 0);
  view.set(b, stride);
  fn(0, 4 * stride, 8 * stride, 4 * stride);
  out.set(view.subarray(2 * stride, 2 * stride + n));
  return true;
}

/**
 * out = a <kind> row with `row` repeated along `a` (a bias added to every row), on the SIMD kernel;
 * false (nothing written) where it does not pay, or the row is not a whole number of lanes.
 * `out` may be `a`.
 */
export function wasmBinaryRows(kind: FastBinaryKind, a: Float32Array, row: Float32Array, out: Float32Array): boolean {
  const n = out.length;
  const width = row.length;
  const k = width % 4 === 0 && width > 0 && n % width === 0 ? kernelsFor(n) : null;
  if (k === null) return false;
  const { view, stride } = workspace(k, 2, n + width);
  view.set(a, 0);
  view.set(row, stride);
  k.rows[kind](0, 4 * stride, 0, 4 * n, 4 * width);
  out.set(view.subarray(0, n));
  return true;
}

/**
 * Dropout's forward on the SIMD kernel: `fill` writes one 32-bit draw per element (in order), then
 * mask[i] = kept where draw i ≥ threshold (an integer below 2³²), else 0, and out[i] = x[i]·mask[i].
 * False (nothing drawn or written) where it does not pay.
 */
export function wasmDropout(
  x: Float32Array,
  mask: Float32Array,
  out: Float32Array,
  threshold: number,
  kept: number,
  fill: (draws: Uint32Array) => void,
): boolean {
  const n = x.length;
  const k = Number.isInteger(threshold) && threshold >= 0 && threshold < 2 ** 32 ? kernelsFor(n) : null;
  if (k === null) return false;
  const { view, stride } = workspace(k, 4, n);
  fill(new Uint32Array(view.buffer, 0, n));
  view.set(x, stride);
  k.dropout(0, 4 * stride, 8 * stride, 12 * stride, 4 * stride, threshold, kept);
  mask.set(view.subarray(2 * stride, 2 * stride + n));
  out.set(view.subarray(3 * stride, 3 * stride + n));
  return true;
}

/**
 * acc[j] += a[r·n + j] in float64 for every row r of `a` in order (n = acc.length), on the SIMD
 * kernel: a bias gradient. False (acc untouched) where it does not pay, or n is not a whole
 * number of lanes.
 */
export function wasmSumRows(a: Float32Array, acc: Float64Array): boolean {
  const n = acc.length;
  const k = n % 4 === 0 && n > 0 && a.length % n === 0 ? kernelsFor(a.length) : null;
  if (k === null) return false;
  // a, then acc as float64 (two float32 slots per element)
  const { view } = workspace(k, 1, a.length + 2 * n);
  view.set(a, 0);
  const sums = new Float64Array(view.buffer, 4 * a.length, n);
  sums.set(acc);
  k.sumRows(0, 4 * a.length, a.length / n, 4 * n);
  acc.set(sums);
  return true;
}
