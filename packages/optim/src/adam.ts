// Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay), exactly as
// torch.optim.Adam and torch.optim.AdamW. The shared machinery is in optimizer.ts.

import { fusedAdamState, type Tensor } from "@tg/tensor";
import type { FloatArray } from "./arrays.js";
import type { ParamGroup } from "./param-groups.js";
import { adamUpdate, type AdamConstants } from "./adam-kernels.js";
import {
  BASE_KEYS,
  baseSettings,
  Optimizer,
  type BaseOptions,
  type ParamState,
} from "./optimizer.js";
import {
  booleanOption,
  checkKeys,
  checkRange,
  NON_NEGATIVE,
  numberOption,
  UNIT_INTERVAL,
} from "./options.js";

/** Settings of `Adam` and `AdamW`. */
export interface AdamOptions extends Partial<BaseOptions> {
  /** Decay rates (β1, β2) of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay λ: an L2 term in Adam (default 0), decoupled in AdamW (default 1e-2). */
  weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

/** `AdamOptions` with every default filled in. */
export type AdamSettings = Required<Omit<AdamOptions, "maxGradNorm" | "clipValue">> & BaseOptions;

const KEYS = [...BASE_KEYS, "betas", "eps", "weightDecay", "amsgrad"];

/** What Adam and AdamW share: settings, moment buffers and the bias-corrected step. */
abstract class AdamBase extends Optimizer<AdamSettings> {
  /** True for AdamW (decay multiplies the parameter), false for Adam (decay adds to the gradient). */
  protected abstract readonly decoupled: boolean;
  /** Reused by every `update`, so that a step allocates nothing. */
  private readonly constants: AdamConstants = {
    decay: 1,
    l2: 0,
    oneMinusBeta1: 0,
    beta2: 0,
    oneMinusBeta2: 0,
    stepSize: 0,
    bc2Sqrt: 1,
    eps: 0,
  };

  protected validate(options: Partial<AdamSettings>, where: string): AdamSettings {
    checkKeys(where, options, KEYS);
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new RangeError(
        `${where}: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`,
      );
    }
    return {
      ...baseSettings(where, options, 1e-3),
      betas: [
        checkRange(where, "betas[0]", betas[0], UNIT_INTERVAL),
        checkRange(where, "betas[1]", betas[1], UNIT_INTERVAL),
      ],
      eps: numberOption(where, "eps", options.eps, 1e-8, NON_NEGATIVE),
      weightDecay: numberOption(
        where,
        "weightDecay",
        options.weightDecay,
        this.weightDecayDefault(),
        NON_NEGATIVE,
      ),
      amsgrad: booleanOption(where, "amsgrad", options.amsgrad, false),
    };
  }

  /** The default weight decay; a method because `validate` runs before subclass fields exist. */
  protected abstract weightDecayDefault(): number;

  protected bufferNames(settings: AdamSettings): string[] {
    return settings.amsgrad ? ["expAvg", "expAvgSq", "maxExpAvgSq"] : ["expAvg", "expAvgSq"];
  }

  // float32 moments go where @tg/tensor's fused step reads them without copying (wasm backend)
  protected override allocBuffers(like: FloatArray, names: string[]): Record<string, FloatArray> {
    const fused = like instanceof Float32Array && names.join() === "expAvg,expAvgSq" ? fusedAdamState(like.length) : null;
    return fused ?? super.allocBuffers(like, names);
  }

  protected update(param: FloatArray, grad: FloatArray, state: ParamState, options: AdamSettings): void {
    // 1. this step's constants (the bias corrections depend on this parameter's step count)
    const { lr, betas, eps, weightDecay, amsgrad } = options;
    const k = this.constants;
    k.decay = this.decoupled ? 1 - lr * weightDecay : 1;
    k.l2 = this.decoupled ? 0 : weightDecay;
    k.oneMinusBeta1 = 1 - betas[0];
    k.beta2 = betas[1];
    k.oneMinusBeta2 = 1 - betas[1];
    k.stepSize = lr / (1 - betas[0] ** state.step);
    k.bc2Sqrt = Math.sqrt(1 - betas[1] ** state.step);
    k.eps = eps;
    // 2. the element loop: weight decay, moments, bias-corrected step (see kernels.ts)
    const { expAvg, expAvgSq, maxExpAvgSq } = state.buffers;
    adamUpdate(param, grad, expAvg, expAvgSq, amsgrad ? maxExpAvgSq : null, k);
  }
}

/**
 * Adam (PyTorch's `torch.optim.Adam`; Kingma & Ba, https://arxiv.org/abs/1412.6980). Each step, with
 * t counting this parameter's steps:
 *
 *     g ← g + λθ                                 (weightDecay λ, an L2 penalty)
 *     m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *     mHat = m / (1 − β1^t),   vHat = v / (1 − β2^t)
 *     θ ← θ − lr · mHat / (sqrt(vHat) + eps)
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  /** Adam over `params`; defaults lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroup<AdamOptions>>, options: AdamOptions = {}) {
    super("Adam", params, options);
  }

  protected weightDecayDefault(): number {
    return 0;
  }
}

/**
 * AdamW: Adam with decoupled weight decay (PyTorch's `torch.optim.AdamW`; Loshchilov & Hutter,
 * https://arxiv.org/abs/1711.05101). Each step first shrinks the parameter, θ ← θ·(1 − lr·λ), then
 * takes Adam's step on the raw gradient (no L2 term).
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-2 });
 * for (const [x, y] of loader) {
 *   opt.zeroGrad();
 *   crossEntropyLoss(model.forward(x), y).backward();
 *   opt.step();
 * }
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  /** AdamW over `params`; defaults lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroup<AdamOptions>>, options: AdamOptions = {}) {
    super("AdamW", params, options);
  }

  protected weightDecayDefault(): number {
    return 1e-2;
  }
}
