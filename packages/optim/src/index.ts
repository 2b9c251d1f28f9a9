// @tg/optim: optimizers (SGD, Adam, AdamW) with parameter groups, gradient clipping and
// learning-rate schedulers.

export {
  Optimizer,
  type BaseOptions,
  type OptimizerStateDict,
  type ParamState,
  type ParamStateDict,
} from "./optimizer.js";
export { SGD, type SGDOptions, type SGDSettings } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamSettings } from "./adam.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export {
  LRScheduler,
  StepLR,
  CosineAnnealingLR,
  type HasLr,
  type SchedulerStateDict,
  type StepLROptions,
  type CosineAnnealingLROptions,
} from "./lr-scheduler.js";
export {
  LambdaLR,
  LinearLR,
  SequentialLR,
  type LambdaLROptions,
  type LinearLROptions,
  type SequentialLROptions,
  type SequentialLRStateDict,
} from "./lr-warmup.js";
export { type ParamGroup } from "./param-groups.js";
export { type FloatArray } from "./arrays.js";
