// Which kernels run float32 matmul and convolution: the WebAssembly SIMD ones (kernels/wasm/) or
// the plain TypeScript reference loops (kernels/matmul.ts, kernels/conv.ts).
// NOTE: the chosen backend is module state, a documented exception like the global Rng: it is a
// process-wide speed setting that never changes a result beyond float32 rounding.

import { isWasmAvailable } from "./kernels/wasm/index.js";

/** A kernel backend: "wasm" (WebAssembly SIMD, multi-threaded) or "js" (the readable reference). */
export type Backend = "js" | "wasm";

const BACKENDS: readonly Backend[] = ["js", "wasm"];

let current: Backend | undefined;

/**
 * The backend that float32 matmul and conv2d use. Unless set, "wasm" where WebAssembly SIMD is
 * available (checked on first call), otherwise "js". float64 and int32 always use the "js" loops.
 * @example
 * getBackend(); // "wasm" in Node 20+ and current browsers
 */
export function getBackend(): Backend {
  current ??= isWasmAvailable() ? "wasm" : "js";
  return current;
}

/**
 * Selects the kernels for float32 matmul and conv2d: "wasm" (the default where available) or "js"
 * (the plain TypeScript reference path). Throws a RangeError for an unknown name, or for "wasm"
 * where WebAssembly SIMD is unavailable.
 * @example
 * setBackend("js"); // readable reference loops, e.g. to compare results
 */
export function setBackend(name: Backend): void {
  if (!BACKENDS.includes(name)) {
    throw new RangeError(`setBackend: unknown backend ${JSON.stringify(name)}, expected "js" or "wasm"`);
  }
  if (name === "wasm" && !isWasmAvailable()) {
    throw new RangeError('setBackend: "wasm" is not available in this runtime (WebAssembly SIMD is missing)');
  }
  current = name;
}

/** True when float32 kernels should run in WebAssembly. */
export function useWasm(): boolean {
  return getBackend() === "wasm";
}
