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
  uleb,
  vadd,
  vmul,
  type Code,
} from "./wasm/emitter.js";
import { exportedFunction, wasmApi, type WasmFunction, type WasmMemory } from "./wasm/platform.js";

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

// f32x4 opcodes (0xfd prefix) that the gemm needs not and the emitter therefore lacks
const simd = (op: number, ...args: Code[]): Code => [args, 0xfd, ...uleb(op)];
const vsqrt = (a: Code): Code => simd(0xe3, a);
const vsub = (a: Code, b: Code): Code => simd(0xe5, a, b);
const vdiv = (a: Code, b: Code): Code => simd(0xe7, a, b);

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

interface Kernel {
  memory: WasmMemory;
  adam: WasmFunction;
}

let kernel: Kernel | null | undefined;

function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const api = wasmApi();
  const bytes = buildModule();
  if (api === undefined || !api.validate(bytes)) return kernel;
  const memory = new api.Memory({ initial: 1, maximum: 65536 });
  const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
  kernel = { memory, adam: exportedFunction(instance, "adam") };
  return kernel;
}

/**
 * One Adam step over float32 arrays of one length, in place (θ, m and v are updated), on the
 * WebAssembly SIMD backend. Returns false, changing nothing, where that backend is not in use
 * (`setBackend("js")`, or no WebAssembly SIMD), so the caller runs its own loop instead.
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
  const kern = getKernel();
  if (kern === null) return false;
  // 1. lay the four arrays out side by side, each padded to whole SIMD lanes
  const stride = Math.ceil(n / 4) * 4;
  const need = 16 * stride;
  const have = kern.memory.buffer.byteLength;
  if (need > have) kern.memory.grow(Math.ceil((need - have) / 65536));
  const view = new Float32Array(kern.memory.buffer, 0, 4 * stride);
  view.set(param, 0);
  view.set(grad, stride);
  view.set(m, 2 * stride);
  view.set(v, 3 * stride);
  // 2. run the loop; the padding lanes compute on leftovers and are never read back
  const { decay, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, bc2Sqrt, eps } = k;
  kern.adam(0, 4 * stride, 8 * stride, 12 * stride, 4 * stride, decay, oneMinusBeta1, beta2, oneMinusBeta2, -stepSize, bc2Sqrt, eps);
  // 3. copy the updated θ, m and v back
  param.set(view.subarray(0, n));
  m.set(view.subarray(2 * stride, 2 * stride + n));
  v.set(view.subarray(3 * stride, 3 * stride + n));
  return true;
}
