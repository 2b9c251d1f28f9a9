// @tg/tensor: typed-array tensors with reverse-mode autograd. The public surface, nothing else.

export { Tensor, type NestedArray, type CreationOptions, type RandomOptions } from "./tensor.js";
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn, type TensorOptions } from "./creation.js";
export { cat, stack } from "./ops/movement.js";
export { where } from "./ops/elementwise.js";
export { dropout } from "./ops/nn.js";
export { gelu, type GeluApproximate } from "./ops/activation.js";
export { chunk, gather, indexSelect, maskedFill, scatterAdd, split, tril, triu } from "./ops/indexing.js";
export { embedding, layerNorm, scaledDotProductAttention, type AttentionOptions } from "./ops/sequence.js";
export { cumsum, logsumexp, std, variance, type VarianceOptions } from "./ops/statistics.js";
export { argsort, sort, topk, type SortResult } from "./ops/sorting.js";
export { multinomial, topkFilter, type MultinomialOptions } from "./ops/sampling.js";
export { linear } from "./ops/linalg.js";
export { fusedAdamF32, fusedAdamState, type FusedAdamConstants } from "./kernels/adam.js";
export { conv2d, conv2dReluMaxPool2d, maxPool2d, type Conv2dOptions, type MaxPool2dOptions, type Size2d } from "./ops/conv.js";
export { noGrad, isGradEnabled } from "./autograd/grad-mode.js";
export { defineOp, type OpSpec, type Grads } from "./autograd/op.js";
export { Rng, manualSeed, getGlobalRng } from "./rng.js";
export { setBackend, getBackend, type Backend } from "./kernels/backend.js";
export {
  setNumThreads,
  getNumThreads,
  isWasmAvailable,
  initWasm,
  wasmInfo,
  type WasmInfo,
} from "./kernels/wasm/index.js";
export { TensorError } from "./errors.js";
export { toDot, type ToDotOptions } from "./dot.js";
export { type DType, type TypedArray, promoteTypes } from "./dtype.js";
export { type Shape, formatShape, broadcastShapes } from "./shape.js";
export { type Storage } from "./storage.js";
export {
  gradcheck,
  type GradcheckElement,
  type GradcheckOptions,
  type GradcheckReport,
} from "./testing/gradcheck.js";
