// The WebAssembly backend: fast float32 kernels in WebAssembly SIMD, emitted from TypeScript at
// first use (no toolchain, nothing to load), multi-threaded in Node and on cross-origin isolated
// pages. wasmAccelerator is what backend.ts calls them through; the plain TypeScript kernels in ../
// stay the reference path. Each kernel X has X-code.ts (emits its code) and X.ts (drives it);
// runtime.ts builds, compiles and instantiates every module.

import type { Accelerator } from "../accelerator.js";
import { wasmAdam, wasmAdamState } from "./adam.js";
import { wasmConv2d, wasmConv2dInputGrad, wasmConv2dReluMaxPool2x2, wasmConv2dWeightGrad, wasmConv2dWeightGradPooled } from "./conv.js";
import { wasmBinary, wasmBinaryRows, wasmDropout, wasmRelu, wasmReluBackward, wasmSumRows } from "./elementwise.js";
import { wasmGemm } from "./gemm.js";
import { wasmMaxPool2x2 } from "./pool.js";

export { wasmGemm, initWasm, setNumThreads, getNumThreads, type F32Matrix } from "./gemm.js";
export { isWasmAvailable, wasmInfo, type WasmInfo } from "./runtime.js";

/** The WebAssembly backend's fast paths (see Accelerator). */
export const wasmAccelerator: Accelerator = {
  gemm: (m, n, k, a, b, c, cOffset) => {
    wasmGemm(m, n, k, a, b, c, cOffset);
    return true;
  },
  conv2d: wasmConv2d,
  conv2dReluMaxPool2x2: wasmConv2dReluMaxPool2x2,
  conv2dWeightGrad: wasmConv2dWeightGrad,
  conv2dWeightGradPooled: wasmConv2dWeightGradPooled,
  conv2dInputGrad: wasmConv2dInputGrad,
  maxPool2x2: wasmMaxPool2x2,
  relu: wasmRelu,
  reluBackward: wasmReluBackward,
  binary: wasmBinary,
  binaryRows: wasmBinaryRows,
  dropout: wasmDropout,
  sumRows: wasmSumRows,
  adamState: wasmAdamState,
  adam: wasmAdam,
};
