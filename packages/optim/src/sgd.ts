// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// exactly as torch.optim.SGD. The shared machinery is in optimizer.ts.

import type { Tensor } from "@tg/tensor";
import type { FloatArray } from "./arrays.js";
import { sgdUpdate, type SGDConstants } from "./sgd-kernels.js";
import {
  BASE_KEYS,
  baseSettings,
  Optimizer,
  type BaseOptions,
  type ParamState,
} from "./optimizer.js";
import type { ParamGroup } from "./param-groups.js";
import { booleanOption, checkKeys, NON_NEGATIVE, numberOption, UNIT_CLOSED } from "./options.js";

/** Settings of `SGD`; every field but `lr` has PyTorch's default. */
export interface SGDOptions extends BaseOptions {
  /** Momentum factor μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** Use Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

/** `SGDOptions` with every default filled in. */
export type SGDSettings = Required<Omit<SGDOptions, "maxGradNorm" | "clipValue">> & BaseOptions;

const KEYS = [...BASE_KEYS, "momentum", "dampening", "nesterov", "weightDecay"];

/**
 * Stochastic gradient descent (PyTorch's `torch.optim.SGD`). With gradient g, parameter θ and
 * learning rate γ, each step computes
 *
 *     g ← g + λθ                                        (weightDecay λ)
 *     b ← g on the first step, else μb + (1 − τ)g       (momentum μ, dampening τ)
 *     g ← g + μb if nesterov, else b                    (only when μ ≠ 0)
 *     θ ← θ − γg
 *
 * See Sutskever et al., "On the importance of initialization and momentum in deep learning" (2013).
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 */
export class SGD extends Optimizer<SGDSettings> {
  /** Reused by every `update`, so that a step allocates nothing. */
  private readonly constants: SGDConstants = {
    lr: 0,
    weightDecay: 0,
    momentum: 0,
    oneMinusDampening: 1,
    nesterov: false,
    first: true,
  };

  /** SGD over `params` with `options.lr` and optional momentum, Nesterov, weight decay and clipping. */
  constructor(params: Iterable<Tensor> | Iterable<ParamGroup<Partial<SGDSettings>>>, options: SGDOptions) {
    super("SGD", params, options);
  }

  protected validate(options: Partial<SGDSettings>, where: string): SGDSettings {
    checkKeys(where, options, KEYS);
    const settings: SGDSettings = {
      ...baseSettings(where, options),
      momentum: numberOption(where, "momentum", options.momentum, 0, NON_NEGATIVE),
      dampening: numberOption(where, "dampening", options.dampening, 0, UNIT_CLOSED),
      nesterov: booleanOption(where, "nesterov", options.nesterov, false),
      weightDecay: numberOption(where, "weightDecay", options.weightDecay, 0, NON_NEGATIVE),
    };
    if (settings.nesterov && (settings.momentum <= 0 || settings.dampening !== 0)) {
      throw new RangeError(
        `${where}: nesterov needs momentum > 0 and dampening 0, got momentum ${settings.momentum} and dampening ${settings.dampening}`,
      );
    }
    return settings;
  }

  protected bufferNames(settings: SGDSettings): string[] {
    return settings.momentum === 0 ? [] : ["momentumBuffer"];
  }

  protected update(param: FloatArray, grad: FloatArray, state: ParamState, options: SGDSettings): void {
    // 1. this step's constants; 2. the element loop: weight decay, momentum, descent (kernels.ts)
    const { lr, momentum, dampening, nesterov, weightDecay } = options;
    const k = this.constants;
    k.lr = lr;
    k.weightDecay = weightDecay;
    k.momentum = momentum;
    k.oneMinusDampening = 1 - dampening;
    k.nesterov = nesterov;
    k.first = state.step === 1;
    sgdUpdate(param, grad, momentum === 0 ? null : state.buffers.momentumBuffer, k);
  }
}
