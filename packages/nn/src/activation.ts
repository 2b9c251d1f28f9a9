// Activation layers: ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax. Each is a thin
// wrapper over @tg/tensor ops (GELU over Tensor.erf); none has parameters.

import { formatShape, gelu, Tensor, TensorError, where } from "@tg/tensor";
import { checkFinite } from "./checks.js";
import { Module } from "./module.js";

/** max(x, 0) element-wise (PyTorch's `nn.ReLU`); the gradient at 0 is 0. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/**
 * x where x > 0, else negativeSlope · x (PyTorch's `nn.LeakyReLU`, default slope 0.01); the
 * gradient at 0 is negativeSlope, as in PyTorch.
 */
export class LeakyReLU extends Module {
  /** The slope for negative inputs. */
  readonly negativeSlope: number;

  /** Leaky ReLU with slope `negativeSlope` below zero. */
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = checkFinite("LeakyReLU", "negativeSlope", negativeSlope);
  }

  forward(x: Tensor): Tensor {
    return where(x.gt(0), x, x.mul(this.negativeSlope));
  }
}

/**
 * x · Φ(x) = x/2 · (1 + erf(x/√2)), the exact Gaussian error linear unit (PyTorch's `nn.GELU()`
 * with its default `approximate="none"`).
 */
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return gelu(x);
  }
}

/** 1 / (1 + e^(−x)) element-wise (PyTorch's `nn.Sigmoid`). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh(x) element-wise (PyTorch's `nn.Tanh`). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** exp(x) / Σ exp(x) along `dim` (default −1, the last), as PyTorch's `nn.Softmax`. */
export class Softmax extends Module {
  /** The dim that sums to 1. */
  readonly dim: number;

  /** Softmax along `dim` (the last by default). */
  constructor(dim = -1) {
    super();
    this.dim = checkDim("Softmax", dim);
  }

  forward(x: Tensor): Tensor {
    return x.softmax(resolveDim("Softmax", this.dim, x));
  }
}

/** log(softmax(x)) along `dim` (default −1), computed stably (PyTorch's `nn.LogSoftmax`). */
export class LogSoftmax extends Module {
  /** The dim softmax normalises over. */
  readonly dim: number;

  /** Log-softmax along `dim` (the last by default). */
  constructor(dim = -1) {
    super();
    this.dim = checkDim("LogSoftmax", dim);
  }

  forward(x: Tensor): Tensor {
    return x.logSoftmax(resolveDim("LogSoftmax", this.dim, x));
  }
}

function checkDim(layer: string, dim: number): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new RangeError(`${layer}: dim must be an integer, got ${String(dim)}`);
  }
  return dim;
}

function resolveDim(layer: string, dim: number, x: Tensor): number {
  const n = Math.max(x.ndim, 1);
  if (dim < -n || dim >= n) {
    throw new TensorError(`${layer}: dim ${dim} is out of range for input ${formatShape(x.shape)}`);
  }
  return dim;
}
