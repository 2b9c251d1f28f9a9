// @tg/loss: loss functions for tg. Public surface only.

export { crossEntropyLoss, nllLoss, type CrossEntropyOptions, type NllLossOptions } from "./cross-entropy.js";
export { mseLoss, type MseLossOptions } from "./mse.js";
export { binaryCrossEntropyWithLogits, type BceWithLogitsOptions } from "./bce.js";
export { type Reduction } from "./reduction.js";
