// Linear: y = x Wᵀ + b over the last dim of x (PyTorch's nn.Linear).

import { formatShape, linear, Tensor, TensorError, type DType, type Rng } from "@tg/tensor";
import { checkFloatDType, checkInt } from "./checks.js";
import { xavierUniform, type Initializer } from "./init.js";
import { Module } from "./module.js";

/** Options of `Linear`. */
export interface LinearOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Fills the weight (default `xavierUniform`); the bias starts at zero. */
  init?: Initializer;
  /** The generator `init` draws from (the global one by default). */
  rng?: Rng;
  /** The parameters' dtype (default "float32"). */
  dtype?: DType;
}

/**
 * A fully connected layer: `y = x Wᵀ + b` over the last dim of `x`, with `weight` of shape
 * [outFeatures, inFeatures] and `bias` of shape [outFeatures] (PyTorch's `nn.Linear`, but
 * Xavier-uniform weights and a zero bias by default).
 * @example
 * const layer = new Linear(784, 10);
 * layer.forward(Tensor.zeros([64, 784])).shape; // [64, 10]
 */
export class Linear extends Module {
  /**
   * The weight, [outFeatures, inFeatures]. Assign another layer's parameter of the same shape to
   * tie the two (`head.weight = embedding.weight`): they then train as one tensor.
   */
  weight: Tensor;
  /** The bias, [outFeatures], or null when made with `bias: false`. */
  readonly bias: Tensor | null;
  /** The size of each input's last dim. */
  readonly inFeatures: number;
  /** The size of each output's last dim. */
  readonly outFeatures: number;

  /** A layer from `inFeatures` to `outFeatures` features; `opts.init` fills the weight (Xavier-uniform by default), the bias starts at zero. */
  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    const { bias = true, init = xavierUniform, rng, dtype = "float32" } = opts;
    this.inFeatures = checkInt("Linear", "inFeatures", inFeatures, 1);
    this.outFeatures = checkInt("Linear", "outFeatures", outFeatures, 1);
    const floatType = checkFloatDType("Linear", dtype);
    this.weight = Tensor.zeros([outFeatures, inFeatures], { dtype: floatType, requiresGrad: true });
    init(this.weight, { rng });
    this.bias = bias ? Tensor.zeros([outFeatures], { dtype: floatType, requiresGrad: true }) : null;
  }

  /** Maps x [..., inFeatures] to [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new TensorError(`Linear: expected input [...,${this.inFeatures}], got ${formatShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }
}
