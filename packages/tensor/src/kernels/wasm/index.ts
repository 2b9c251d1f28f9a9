// Fast float32 kernels in WebAssembly SIMD, emitted from TypeScript at first use (no toolchain,
// nothing to load): gemm in every transposition, multi-threaded in Node and on cross-origin
// isolated pages. The plain TypeScript kernels in ../ stay the reference path.

export { wasmGemm, initWasm, setNumThreads, getNumThreads, type F32Matrix } from "./gemm.js";
export { isWasmAvailable, wasmInfo, type WasmInfo } from "./runtime.js";
