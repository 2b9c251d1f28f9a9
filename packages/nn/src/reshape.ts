// Reshape and Flatten: layers that change the shape of their input, as views where possible.

import { formatShape, Tensor, TensorError } from "@tg/tensor";
import { checkInt } from "./checks.js";
import { Module } from "./module.js";

/**
 * Reshapes the whole input, batch dim included, to `shape`; one size may be −1 and is then
 * inferred (PyTorch's `x.reshape`, as a layer).
 * @example
 * new Reshape([-1, 1, 28, 28]).forward(Tensor.zeros([64, 784])).shape; // [64, 1, 28, 28]
 */
export class Reshape extends Module {
  /** The output shape, batch included (one -1 allowed). */
  readonly shape: readonly number[];

  /** Reshapes every input to `shape`. */
  constructor(shape: readonly number[]) {
    super();
    if (!Array.isArray(shape)) throw new RangeError(`Reshape: shape must be an array, got ${String(shape)}`);
    let unknown = 0;
    for (const d of shape) {
      if (d === -1) unknown++;
      else checkInt("Reshape", "every size in shape", d, 0);
    }
    if (unknown > 1) throw new RangeError(`Reshape: only one size may be -1, got ${formatShape(shape)}`);
    this.shape = [...shape];
  }

  forward(x: Tensor): Tensor {
    const known = this.shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
    const fits = this.shape.includes(-1) ? known > 0 && x.size % known === 0 : known === x.size;
    if (!fits) {
      throw new TensorError(
        `Reshape: cannot reshape input ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(this.shape)}`,
      );
    }
    return x.reshape(this.shape);
  }
}

/**
 * Merges dims startDim..endDim into one (defaults 1 and −1: every dim but the batch), as
 * PyTorch's `nn.Flatten`.
 * @example
 * new Flatten().forward(Tensor.zeros([64, 1, 28, 28])).shape; // [64, 784]
 */
export class Flatten extends Module {
  /** The first dim merged. */
  readonly startDim: number;
  /** The last dim merged. */
  readonly endDim: number;

  /** Merges dims `startDim..endDim` (by default all but the batch dim). */
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkInt("Flatten", "startDim", startDim, -Infinity);
    this.endDim = checkInt("Flatten", "endDim", endDim, -Infinity);
  }

  forward(x: Tensor): Tensor {
    const n = Math.max(x.ndim, 1);
    const start = this.startDim < 0 ? this.startDim + n : this.startDim;
    const end = this.endDim < 0 ? this.endDim + n : this.endDim;
    if (start < 0 || start >= n || end < 0 || end >= n || start > end) {
      throw new TensorError(
        `Flatten: cannot flatten dims ${this.startDim}..${this.endDim} of input ${formatShape(x.shape)}`,
      );
    }
    return x.flatten(start, end);
  }
}
