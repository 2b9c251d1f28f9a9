// ReLU and its backward for contiguous float32 data in WebAssembly SIMD, four elements at a time.
// A JavaScript loop over a typed array costs ~2-2.5 ns per element here, while copying into
// module memory and back costs ~0.4: on a convnet's large activations (1.6M elements per batch)
// the copies and the SIMD loop together take a quarter of the plain loop's time.

import { useWasm } from "../backend.js";
import { add, andnot, FunctionBuilder, forRange, get, i32, load, ModuleBuilder, store, vle, vmax, zero, type Code } from "./wasm/emitter.js";
import { exportedFunction, wasmApi, type WasmFunction, type WasmMemory } from "./wasm/platform.js";

/** Below this many elements the plain loop wins (the call and copies cost more than they save). */
export const SIMD_MIN_ELEMENTS = 4096;


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

interface Kernels {
  memory: WasmMemory;
  relu: WasmFunction;
  reluBackward: WasmFunction;
}

let kernels: Kernels | null | undefined;

function getKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const api = wasmApi();
  const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 65536 });
  const relu = new FunctionBuilder("relu", ["i32", "i32", "i32"]);
  mod.add(relu, reluBody(relu));
  const backward = new FunctionBuilder("relu_backward", ["i32", "i32", "i32", "i32"]);
  mod.add(backward, reluBackwardBody(backward));
  const bytes = mod.toBytes();
  if (api === undefined || !api.validate(bytes)) return kernels;
  try {
    const memory = new api.Memory({ initial: 1, maximum: 65536 });
    const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
    kernels = { memory, relu: exportedFunction(instance, "relu"), reluBackward: exportedFunction(instance, "relu_backward") };
  } catch {
    // NOTE: a runtime may refuse a synchronous compile; the plain loops run then
  }
  return kernels;
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
  const k = n >= SIMD_MIN_ELEMENTS && useWasm() ? getKernels() : null;
  if (k === null) return false;
  const { view, stride } = workspace(k, 2, n);
  view.set(x, 0);
  k.relu(0, 4 * stride, 4 * stride);
  out.set(view.subarray(stride, stride + n));
  return true;
}

/** out = g where x is not <= 0, else 0, on the SIMD kernel; false where it does not run or pays. */
export function simdReluBackward(g: Float32Array, x: Float32Array, out: Float32Array): boolean {
  const n = g.length;
  const k = n >= SIMD_MIN_ELEMENTS && useWasm() ? getKernels() : null;
  if (k === null) return false;
  const { view, stride } = workspace(k, 3, n);
  view.set(g, 0);
  view.set(x, stride);
  k.reluBackward(0, 4 * stride, 8 * stride, 4 * stride);
  out.set(view.subarray(2 * stride, 2 * stride + n));
  return true;
}
