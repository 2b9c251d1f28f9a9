// Which backend runs the float32 kernels: "wasm" (WebAssembly SIMD, kernels/wasm/) or "js" (the
// plain TypeScript reference loops of kernels/*.ts alone). A backend is an Accelerator
// (accelerator.ts); kernels/X.ts asks accelerator() for X's fast path and otherwise runs its own
// loop. A third backend is a new folder beside wasm/ and one row in BACKENDS.
// NOTE: the chosen backend is module state, a documented exception like the global Rng: it is a
// process-wide speed setting that never changes a result beyond float32 rounding.

import type { Accelerator } from "./accelerator.js";
import { isWasmAvailable, wasmAccelerator } from "./wasm/index.js";

/** A kernel backend: "wasm" (WebAssembly SIMD, multi-threaded) or "js" (the readable reference). */
export type Backend = "js" | "wasm";

/** Each backend: whether it can run here, and its fast paths. */
const BACKENDS: Record<Backend, { available: () => boolean; accelerator: Accelerator }> = {
  // the reference loops alone: no fast path
  js: { available: () => true, accelerator: {} },
  wasm: { available: isWasmAvailable, accelerator: wasmAccelerator },
};

function isBackend(name: string): name is Backend {
  return Object.hasOwn(BACKENDS, name);
}

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
  if (!isBackend(name)) {
    throw new RangeError(`setBackend: unknown backend ${JSON.stringify(name)}, expected "js" or "wasm"`);
  }
  if (!BACKENDS[name].available()) {
    throw new RangeError(`setBackend: "${name}" is not available in this runtime (WebAssembly SIMD is missing)`);
  }
  current = name;
}

/** The fast float32 paths of the current backend (none for "js"). */
export function accelerator(): Accelerator {
  return BACKENDS[getBackend()].accelerator;
}
