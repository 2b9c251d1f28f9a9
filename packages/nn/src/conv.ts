// Conv2D and MaxPool2D: layers over NCHW images that call @tg/tensor's conv2d and maxPool2d.

import { conv2d, conv2dReluMaxPool2d, formatShape, maxPool2d, Tensor, TensorError, type DType, type Rng } from "@tg/tensor";
import { checkFloatDType, checkInt, checkPair } from "./checks.js";
import { xavierUniform, type Initializer } from "./init.js";
import { Module } from "./module.js";

/** A size given as one number for both spatial dims or as [h, w]. */
export type Size2 = number | readonly [number, number];

/** Options of `Conv2D`. */
export interface Conv2DOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side of the height and width (default 0). */
  padding?: Size2;
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Fills the weight (default `xavierUniform`, fans counting the kernel); the bias starts at zero. */
  init?: Initializer;
  /** The generator `init` draws from (the global one by default). */
  rng?: Rng;
  /** The parameters' dtype (default "float32"). */
  dtype?: DType;
}

/**
 * A 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) input with `weight` of shape
 * [outChannels, inChannels, kh, kw] and `bias` [outChannels] (PyTorch's `nn.Conv2d`). Output
 * sizes are floor((H + 2·padding − kh) / stride) + 1.
 * @example
 * const conv = new Conv2D(1, 8, 3, { padding: 1 });
 * conv.forward(Tensor.zeros([2, 1, 28, 28])).shape; // [2, 8, 28, 28]
 */
export class Conv2D extends Module {
  /** The kernels, [outChannels, inChannels, kh, kw]. */
  readonly weight: Tensor;
  /** The bias, [outChannels], or null when made with `bias: false`. */
  readonly bias: Tensor | null;
  /** Channels of the input (its dim 1). */
  readonly inChannels: number;
  /** Channels of the output, one filter each. */
  readonly outChannels: number;
  /** The filter's [height, width]. */
  readonly kernelSize: [number, number];
  /** The step between filter positions, [height, width]. */
  readonly stride: [number, number];
  /** Zeros added on each side, [height, width]. */
  readonly padding: [number, number];

  /** A convolution from `inChannels` to `outChannels` with a `kernelSize` filter; `opts.init` fills the weight, the bias starts at zero. */
  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2DOptions = {}) {
    super();
    const { stride = 1, padding = 0, bias = true, init = xavierUniform, rng, dtype = "float32" } = opts;
    this.inChannels = checkInt("Conv2D", "inChannels", inChannels, 1);
    this.outChannels = checkInt("Conv2D", "outChannels", outChannels, 1);
    this.kernelSize = checkPair("Conv2D", "kernelSize", kernelSize, 1);
    this.stride = checkPair("Conv2D", "stride", stride, 1);
    this.padding = checkPair("Conv2D", "padding", padding, 0);
    const floatType = checkFloatDType("Conv2D", dtype);
    const [kh, kw] = this.kernelSize;
    this.weight = Tensor.zeros([outChannels, inChannels, kh, kw], { dtype: floatType, requiresGrad: true });
    init(this.weight, { rng });
    this.bias = bias ? Tensor.zeros([outChannels], { dtype: floatType, requiresGrad: true }) : null;
  }

  /** Convolves x [N, inChannels, H, W] into [N, outChannels, H', W']. */
  forward(x: Tensor): Tensor {
    return this.apply(x, (batched, options) => conv2d(batched, this.weight, this.bias ?? undefined, options));
  }

  /**
   * relu(forward(x)) in one pass, without a second activation array: the same values and
   * gradients. Sequential's fusion pass (fusion.ts) uses it for a Conv2D directly followed by a
   * ReLU.
   */
  forwardRelu(x: Tensor): Tensor {
    return this.apply(x, (batched, options) =>
      conv2d(batched, this.weight, this.bias ?? undefined, { ...options, activation: "relu" }));
  }

  /**
   * maxPool2d(relu(forward(x)), 2) in one op: the same values and gradients, and on the wasm
   * kernels the convolution's output is pooled where it is computed, without an array of its
   * own. Sequential's fusion pass (fusion.ts) uses it for a Conv2D, a ReLU and a 2×2 MaxPool2D
   * in a row.
   */
  forwardReluMaxPool(x: Tensor): Tensor {
    return this.apply(x, (batched, options) => conv2dReluMaxPool2d(batched, this.weight, this.bias ?? undefined, options));
  }

  /** Checks x, batches a [C, H, W] input, runs `op` with this layer's stride and padding, unbatches. */
  private apply(x: Tensor, op: (batched: Tensor, options: { stride: Size2; padding: Size2 }) => Tensor): Tensor {
    const batched = checkImage("Conv2D", x, this.inChannels, this.kernelSize, this.padding);
    const y = op(batched, { stride: this.stride, padding: this.padding });
    return x.ndim === 3 ? y.squeeze(0) : y;
  }
}

/** Options of `MaxPool2D`. */
export interface MaxPool2DOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Size2;
  /** Padding on each side, read as −Infinity (default 0; at most half the kernel, as PyTorch). */
  padding?: Size2;
}

/**
 * Max pooling over [N, C, H, W] (or unbatched [C, H, W]) input (PyTorch's `nn.MaxPool2d`):
 * each output element is the largest value in its kernelSize window.
 * @example
 * new MaxPool2D(2).forward(Tensor.zeros([2, 8, 28, 28])).shape; // [2, 8, 14, 14]
 */
export class MaxPool2D extends Module {
  /** The window's [height, width]. */
  readonly kernelSize: [number, number];
  /** The step between windows, [height, width] (the kernel size by default). */
  readonly stride: [number, number];
  /** Padding on each side, [height, width]; it acts as -Infinity. */
  readonly padding: [number, number];

  /** Max pooling over `kernelSize` windows. */
  constructor(kernelSize: Size2, opts: MaxPool2DOptions = {}) {
    super();
    this.kernelSize = checkPair("MaxPool2D", "kernelSize", kernelSize, 1);
    this.stride = checkPair("MaxPool2D", "stride", opts.stride ?? this.kernelSize, 1);
    this.padding = checkPair("MaxPool2D", "padding", opts.padding ?? 0, 0);
    for (let i = 0; i < 2; i++) {
      if (this.padding[i] > this.kernelSize[i] / 2) {
        throw new RangeError(
          `MaxPool2D: padding must be at most half the kernel size, got padding ${formatShape(this.padding)} ` +
            `for kernel ${formatShape(this.kernelSize)}`,
        );
      }
    }
  }

  /** Pools x [N, C, H, W] into [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    const batched = checkImage("MaxPool2D", x, null, this.kernelSize, this.padding);
    const y = maxPool2d(batched, this.kernelSize, { stride: this.stride, padding: this.padding });
    return x.ndim === 3 ? y.squeeze(0) : y;
  }
}

/** Checks an [N, C, H, W] or [C, H, W] input against the layer and returns it batched. */
function checkImage(
  layer: string,
  x: Tensor,
  channels: number | null,
  kernel: readonly number[],
  padding: readonly number[],
): Tensor {
  const c = channels === null ? "C" : String(channels);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new TensorError(`${layer}: expected input [N,${c},H,W] or [${c},H,W], got ${formatShape(x.shape)}`);
  }
  const [h, w] = x.shape.slice(-2);
  if (channels !== null && x.shape[x.ndim - 3] !== channels) {
    const expected = x.ndim === 4 ? `[N,${c},H,W]` : `[${c},H,W]`;
    throw new TensorError(`${layer}: expected input ${expected}, got ${formatShape(x.shape)}`);
  }
  if (h + 2 * padding[0] < kernel[0] || w + 2 * padding[1] < kernel[1]) {
    throw new TensorError(
      `${layer}: input ${formatShape(x.shape)} with padding ${formatShape(padding)} is smaller than ` +
        `the kernel ${formatShape(kernel)}`,
    );
  }
  return x.ndim === 3 ? x.unsqueeze(0) : x;
}
