// Adam's element loop for float32 parameters in WebAssembly SIMD, four elements at a time: the
// fused optimizer kernel that @tg/optim calls (as PyTorch keeps its fused Adam kernels in its
// tensor library). Plain JavaScript cannot go below ~3 ns per element here: the seven loads and
// stores of a typed-array loop cost that much by themselves.
//
// The arithmetic is PyTorch's single-tensor float32 AdamW, operation by operation, each rounded
// to float32:
//   θ ← θ·decay;  m ← m + (1 − β1)·(g − m);  v ← β2·v + ((1 − β2)·g)·g
//   θ ← θ + (−stepSize)·(m / (√v / √(1 − β2^t) + eps))

import { useWasm } from "../backend.js";
import {
  add,
  FunctionBuilder,
  forRange,
  get,
  i32,
  load,
  ModuleBuilder,
  set,
  splat,
  store,
  vadd,
  vdiv,
  vmul,
  vsqrt,
  vsub,
  type Code,
} from "./wasm/emitter.js";
import {
  exportedFunction,
  wasmApi,
  type WasmApi,
  type WasmFunction,
  type WasmMemory,
  type WasmModule,
} from "./wasm/platform.js";

/** The per-step constants of one parameter's Adam update (computed by the optimizer). */
export interface FusedAdamConstants {
  /** θ is multiplied by this first: 1 − lr·λ for AdamW, 1 for Adam without weight decay. */
  decay: number;
  /** 1 − β1. */
  oneMinusBeta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  oneMinusBeta2: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** √(1 − β2^t). */
  bc2Sqrt: number;
  /** Added to the denominator. */
  eps: number;
}

/** adam(θ, g, m, v, bytes, decay, 1−β1, β2, 1−β2, −stepSize, √bc2, eps) over byte addresses. */
function buildModule(): Uint8Array {
  const fn = new FunctionBuilder("adam", ["i32", "i32", "i32", "i32", "i32", "f32", "f32", "f32", "f32", "f32", "f32", "f32"]);
  const [p, g, m, v, bytes, decay, c1, b2, c2, negStep, bc2, eps] = fn.params;
  const i = fn.local("i32");
  const [sDecay, sC1, sB2, sC2, sNeg, sBc2, sEps, gi, mi, vi] = Array.from({ length: 10 }, () => fn.local("v128"));
  const at = (base: typeof p): Code => add(get(base), get(i));
  const body: Code = [
    ...[decay, c1, b2, c2, negStep, bc2, eps].map((s, k) => set([sDecay, sC1, sB2, sC2, sNeg, sBc2, sEps][k], splat(get(s)))),
    forRange(i, i32(0), get(bytes), i32(16),
      set(gi, load(at(g))),
      set(mi, load(at(m))),
      set(mi, vadd(get(mi), vmul(get(sC1), vsub(get(gi), get(mi))))),
      store(at(m), get(mi)),
      set(vi, vadd(vmul(get(sB2), load(at(v))), vmul(vmul(get(sC2), get(gi)), get(gi)))),
      store(at(v), get(vi)),
      store(at(p), vadd(
        vmul(load(at(p)), get(sDecay)),
        vmul(get(sNeg), vdiv(get(mi), vadd(vdiv(vsqrt(get(vi)), get(sBc2)), get(sEps)))),
      )),
    ),
  ];
  const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 65536 });
  mod.add(fn, body);
  return mod.toBytes();
}

/** The compiled kernel bound to one memory. */
interface Kernel {
  memory: WasmMemory;
  adam: WasmFunction;
}

/** Where one parameter's step works in a slab: [θ | g | m | v] from `base`, `stride` floats each. */
interface Region {
  kernel: Kernel;
  base: number;
  stride: number;
  v: Float32Array;
}

let compiled: { api: WasmApi; module: WasmModule } | null | undefined;

/** Binds the kernel to a new memory of `pages` pages (fixed when `fixed`, else growable). */
function instantiate(pages: number, fixed: boolean): Kernel | null {
  try {
    if (compiled === undefined) {
      compiled = null;
      const api = wasmApi();
      const bytes = buildModule();
      if (api !== undefined && api.validate(bytes)) compiled = { api, module: new api.Module(bytes) };
    }
    if (compiled === null) return null;
    const { api, module } = compiled;
    const memory = new api.Memory({ initial: pages, maximum: fixed ? pages : 65536 });
    const instance = new api.Instance(module, { env: { memory } });
    return { memory, adam: exportedFunction(instance, "adam") };
  } catch {
    // NOTE: a runtime may refuse a synchronous compile or a new memory; the caller's loop runs then
    return null;
  }
}

/** The kernel for arrays that live anywhere: its memory grows to the largest parameter seen. */
let scratch: Kernel | null | undefined;
/**
 * Slabs of fixed size (they never grow, so views into them stay valid) that hold the regions of
 * fusedAdamState, filled front to back. NOTE: slabs rather than one memory per parameter, because
 * every WebAssembly memory reserves gigabytes of address space and a model may have hundreds of
 * parameters.
 */
const SLAB_BYTES = 16 << 20;
let slab: { kernel: Kernel; used: number; size: number } | undefined;
/** The region of each m array made by fusedAdamState, found by that array. */
const regions = new WeakMap<Float32Array, Region>();

const lanes = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Zeroed m and v buffers for a float32 parameter of `n` elements, placed where fusedAdamF32 reads
 * them without copying (in WebAssembly memory that never grows, so the arrays stay valid); null
 * where the wasm backend is not in use. They are ordinary Float32Arrays otherwise.
 * @example
 * const state = fusedAdamState(param.length); // { expAvg, expAvgSq } or null
 */
export function fusedAdamState(n: number): { expAvg: Float32Array; expAvgSq: Float32Array } | null {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`fusedAdamState: expected a length, got ${n}`);
  if (!useWasm()) return null;
  const stride = lanes(n);
  const bytes = 16 * stride;
  if (slab === undefined || slab.used + bytes > slab.size) {
    const size = Math.max(SLAB_BYTES, Math.ceil(bytes / 65536) * 65536);
    const kernel = instantiate(size / 65536, true);
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
  k: FusedAdamConstants,
): boolean {
  const n = param.length;
  if (grad.length !== n || m.length !== n || v.length !== n) {
    throw new RangeError(`fusedAdamF32: arrays of lengths ${param.length}, ${grad.length}, ${m.length}, ${v.length} differ`);
  }
  if (!useWasm()) return false;
  // 1. find or make the region: [θ | g | m | v], each padded to whole SIMD lanes
  const stride = lanes(n);
  let region = regions.get(m);
  const inPlace = region !== undefined && region.v === v;
  if (region === undefined || !inPlace) {
    scratch ??= instantiate(1, false);
    if (scratch === null) return false;
    const have = scratch.memory.buffer.byteLength;
    if (16 * stride > have) scratch.memory.grow(Math.ceil((16 * stride - have) / 65536));
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
  kernel.adam(base, base + 4 * stride, base + 8 * stride, base + 12 * stride, 4 * stride, decay, oneMinusBeta1, beta2, oneMinusBeta2, -stepSize, bc2Sqrt, eps);
  // 3. copy the updated θ (and m and v, unless they live there) back
  param.set(view.subarray(0, n));
  if (!inPlace) {
    m.set(view.subarray(2 * stride, 2 * stride + n));
    v.set(view.subarray(3 * stride, 3 * stride + n));
  }
  return true;
}
