// @tg/nn: modules, layers, activations, initialisers and safetensors checkpoints. Public surface only.

export { Module, StateDictError, type LoadStateDictResult } from "./module.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Conv2D, MaxPool2D, type Conv2DOptions, type MaxPool2DOptions, type Size2 } from "./conv.js";
export { ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax } from "./activation.js";
export { Dropout, type DropoutOptions } from "./dropout.js";
export { Reshape, Flatten } from "./reshape.js";
export { Sequential } from "./sequential.js";
export { ModuleList, ModuleDict } from "./containers.js";
export { Embedding, LayerNorm, type EmbeddingOptions, type LayerNormOptions } from "./embedding.js";
export {
  MultiheadAttention,
  type AttentionForwardOptions,
  type MultiheadAttentionOptions,
} from "./attention.js";
export { BatchNorm1D, BatchNorm2D, type BatchNormOptions } from "./batchnorm.js";
export {
  xavierUniform,
  xavierNormal,
  kaimingUniform,
  kaimingNormal,
  zeros,
  ones,
  calculateGain,
  fanInAndFanOut,
  type Initializer,
  type InitOptions,
  type XavierOptions,
  type KaimingOptions,
  type Nonlinearity,
} from "./init.js";
export { summary, type SummaryOptions } from "./summary.js";
export { saveSafetensors, loadSafetensors, loadSafetensorsMetadata } from "./safetensors.js";
export { gradcheckModule, type GradcheckModuleOptions } from "./gradcheck-module.js";
