// Element-wise float32 kernels in WebAssembly SIMD, four elements at a time: ReLU and its
// backward, add/sub/mul/div (same shapes, or a row repeated along the leading dims) and dropout's
// mask. A JavaScript loop over a typed array costs ~2-2.5 ns per element here, while copying into
// module memory and back costs ~0.4: on a convnet's large activations (1.6M elements per batch)
// the copies and the SIMD loop together take a quarter of the plain loop's time. Every lane
// rounds as the plain loop's float32 store does (a float32 +, −, × or ÷ computed in float64 and
// rounded once gives the correctly rounded float32 result), so both paths agree bit for bit.

import { useWasm } from "../backend.js";
import {
  add,
  andnot,
  FunctionBuilder,
  forRange,
  get,
  i32,
  i32x4GeU,
  i32x4Splat,
  load,
  f64x2Add,
  ModuleBuilder,
  promoteLow,
  set,
  shuffle,
  splat,
  store,
  vadd,
  vand,
  vdiv,
  vle,
  vmax,
  vmul,
  vsub,
  zero,
  type Code,
} from "./wasm/emitter.js";
import { exportedFunction, wasmApi, type WasmFunction, type WasmMemory } from "./wasm/platform.js";

/** Below this many elements the plain loop wins (the call and copies cost more than they save). */
export const SIMD_MIN_ELEMENTS = 4096;

/** The binary ops that have SIMD kernels. */
export type SimdBinaryKind = "add" | "sub" | "mul" | "div";
const BINARY_OPS: Record<SimdBinaryKind, (a: Code, b: Code) => Code> = { add: vadd, sub: vsub, mul: vmul, div: vdiv };
const BINARY_KINDS = Object.keys(BINARY_OPS) as SimdBinaryKind[];

/** relu(x, out, bytes): out = f32x4.max(x, 0), which keeps NaN and turns -0 into +0. */
function reluBody(fn: FunctionBuilder): Code {
  const [x, out, bytes] = fn.params;
  const i = fn.local("i32");
  return forRange(i, i32(0), get(bytes), i32(16), store(add(get(out), get(i)), vmax(load(add(get(x), get(i))), zero())));
}

/** relu_backward(g, x, out, bytes): out = g where x is not <= 0 (NaN x passes g), else +0. */
function reluBackwardBody(fn: FunctionBuilder): Code {
  const [g, x, out, bytes] = fn.params;
  const i = fn.local("i32");
  // v128.andnot(g, x <= 0): the comparison's all-ones lanes clear g's bits
  const notPositive = vle(load(add(get(x), get(i))), zero());
  return forRange(i, i32(0), get(bytes), i32(16), store(add(get(out), get(i)), andnot(load(add(get(g), get(i))), notPositive)));
}

/** <op>(a, b, out, bytes): out = a <op> b, lane by lane. */
function binaryBody(fn: FunctionBuilder, op: (a: Code, b: Code) => Code): Code {
  const [a, b, out, bytes] = fn.params;
  const i = fn.local("i32");
  const at = (p: (typeof fn.params)[number]) => add(get(p), get(i));
  return forRange(i, i32(0), get(bytes), i32(16), store(at(out), op(load(at(a)), load(at(b)))));
}

/** <op>_rows(a, row, out, bytes, rowBytes): out = a <op> row, the row repeated every rowBytes of a. */
function rowsBody(fn: FunctionBuilder, op: (a: Code, b: Code) => Code): Code {
  const [a, row, out, bytes, rowBytes] = fn.params;
  const i = fn.local("i32");
  const j = fn.local("i32");
  const at = (p: (typeof fn.params)[number]) => add(add(get(p), get(i)), get(j));
  return forRange(i, i32(0), get(bytes), get(rowBytes),
    forRange(j, i32(0), get(rowBytes), i32(16), store(at(out), op(load(at(a)), load(add(get(row), get(j)))))));
}

/**
 * dropout(draws, x, mask, out, bytes, threshold, kept): mask = kept where the unsigned 32-bit draw
 * is ≥ threshold, else +0; out = x·mask (so NaN or ∞ in a dropped element gives NaN, as x·0 does).
 */
function dropoutBody(fn: FunctionBuilder): Code {
  const [draws, x, mask, out, bytes, threshold, kept] = fn.params;
  const i = fn.local("i32");
  const m = fn.local("v128");
  const at = (p: (typeof fn.params)[number]) => add(get(p), get(i));
  return forRange(i, i32(0), get(bytes), i32(16),
    // the comparison's all-ones lanes keep kept's bits, the others become +0
    set(m, vand(splat(get(kept)), i32x4GeU(load(at(draws)), i32x4Splat(get(threshold))))),
    store(at(mask), get(m)),
    store(at(out), vmul(load(at(x)), get(m))),
  );
}

/**
 * sum_rows(a, acc, rows, rowBytes): acc[j] += a[r][j] in float64 for every row r in order (acc
 * holds float64, two per lane pair), as a plain float64 loop over the rows adds them.
 */
function sumRowsBody(fn: FunctionBuilder): Code {
  const [a, acc, rows, rowBytes] = fn.params;
  const [r, j, row, sum] = [fn.local("i32"), fn.local("i32"), fn.local("i32"), fn.local("i32")];
  const v = fn.local("v128");
  return [
    set(row, get(a)),
    forRange(r, i32(0), get(rows), i32(1),
      forRange(j, i32(0), get(rowBytes), i32(16),
        set(v, load(add(get(row), get(j)))),
        set(sum, add(get(acc), add(get(j), get(j)))),
        store(get(sum), f64x2Add(load(get(sum)), promoteLow(get(v)))),
        store(get(sum), f64x2Add(load(get(sum), 16), promoteLow(shuffle(get(v), get(v), [2, 3, 0, 1]))), 16)),
      set(row, add(get(row), get(rowBytes)))),
  ];
}

interface Kernels {
  memory: WasmMemory;
  relu: WasmFunction;
  reluBackward: WasmFunction;
  binary: Record<SimdBinaryKind, WasmFunction>;
  rows: Record<SimdBinaryKind, WasmFunction>;
  dropout: WasmFunction;
  sumRows: WasmFunction;
}

let kernels: Kernels | null | undefined;

function getKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const api = wasmApi();
  const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 65536 });
  const define = (name: string, params: number, body: (fn: FunctionBuilder) => Code, types: ("i32" | "f32")[] = []) => {
    const fn = new FunctionBuilder(name, [...Array<"i32">(params).fill("i32"), ...types]);
    mod.add(fn, body(fn));
  };
  define("relu", 3, reluBody);
  define("relu_backward", 4, reluBackwardBody);
  for (const kind of BINARY_KINDS) {
    define(kind, 4, (fn) => binaryBody(fn, BINARY_OPS[kind]));
    define(`${kind}_rows`, 5, (fn) => rowsBody(fn, BINARY_OPS[kind]));
  }
  define("dropout", 6, dropoutBody, ["f32"]);
  define("sum_rows", 4, sumRowsBody);
  const bytes = mod.toBytes();
  if (api === undefined || !api.validate(bytes)) return kernels;
  try {
    const memory = new api.Memory({ initial: 1, maximum: 65536 });
    const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
    const fn = (name: string) => exportedFunction(instance, name);
    const byKind = (suffix: string) =>
      Object.fromEntries(BINARY_KINDS.map((kind) => [kind, fn(kind + suffix)])) as Record<SimdBinaryKind, WasmFunction>;
    kernels = { memory, relu: fn("relu"), reluBackward: fn("relu_backward"), binary: byKind(""), rows: byKind("_rows"), dropout: fn("dropout"), sumRows: fn("sum_rows") };
  } catch {
    // NOTE: a runtime may refuse a synchronous compile; the plain loops run then
  }
  return kernels;
}

/** The kernels when the SIMD path runs and pays for `n` elements, else null. */
function kernelsFor(n: number): Kernels | null {
  return n >= SIMD_MIN_ELEMENTS && useWasm() ? getKernels() : null;
}

/** `count` float32 arrays of `n` elements side by side in module memory, each padded to 4 lanes. */
function workspace(k: Kernels, count: number, n: number): { view: Float32Array; stride: number } {
  const stride = Math.ceil(n / 4) * 4;
  const need = 4 * count * stride;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  return { view: new Float32Array(k.memory.buffer, 0, count * stride), stride };
}

/** out = relu(x) on the SIMD kernel; false (nothing written) where it does not run or pays. */
export function simdRelu(x: Float32Array, out: Float32Array): boolean {
  const n = x.length;
  const k = kernelsFor(n);
  if (k === null) return false;
  const { view, stride } = workspace(k, 2, n);
  view.set(x, 0);
  k.relu(0, 4 * stride, 4 * stride);
  out.set(view.subarray(stride, stride + n));
  return true;
}

/** out = g where x is not <= 0, else 0, on the SIMD kernel; false where it does not run or pays. */
export function simdReluBackward(g: Float32Array, x: Float32Array, out: Float32Array): boolean {
  const k = kernelsFor(out.length);
  return k !== null && runBinary(k, k.reluBackward, g, x, out);
}

/**
 * out = a <kind> b over arrays of one length on the SIMD kernel; false (nothing written) where it
 * does not run or pays. `out` may be `a` or `b`.
 */
export function simdBinary(kind: SimdBinaryKind, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
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
 * false (nothing written) where it does not run or pays, or the row is not a whole number of lanes.
 * `out` may be `a`.
 */
export function simdBinaryRows(kind: SimdBinaryKind, a: Float32Array, row: Float32Array, out: Float32Array): boolean {
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
 * False (nothing drawn or written) where it does not run or pays.
 */
export function simdDropout(
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
 * kernel: a bias gradient. False (acc untouched) where it does not run or pays, or n is not a
 * whole number of lanes.
 */
export function simdSumRows(a: Float32Array, acc: Float64Array): boolean {
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
