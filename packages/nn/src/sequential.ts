// Sequential: a container that feeds each module's output to the next.

import type { Tensor } from "@tg/tensor";
import { ReLU } from "./activation.js";
import { Conv2D, MaxPool2D } from "./conv.js";
import { Module } from "./module.js";

/**
 * Runs its modules in order, each on the previous one's output (PyTorch's `nn.Sequential`).
 * The modules are its children "0", "1", …, so parameters are named `0.weight`, `2.bias`, and
 * `model[0]` is the first module.
 * @example
 * const model = new Sequential(new Flatten(), new Linear(784, 10));
 * model.forward(Tensor.zeros([64, 1, 28, 28])).shape; // [64, 10]
 */
export class Sequential extends Module {
  readonly [index: number]: Module;
  /** The number of modules. */
  readonly length: number;

  /** Chains `modules`: each one's output is the next one's input; they are named "0", "1", … */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) {
        throw new RangeError(`Sequential: argument ${i} must be a Module, got ${describe(m)}`);
      }
      Object.defineProperty(this, String(i), { value: m, enumerable: true });
    });
    this.length = modules.length;
  }

  /**
   * Applies the modules in order. A Conv2D directly followed by a ReLU (those classes exactly)
   * runs as one conv2d with relu, and with a 2×2 MaxPool2D (stride 2, no padding) after them as
   * one conv2dReluMaxPool2d: the same values and gradients, without an array for the
   * convolution's output.
   */
  forward(x: Tensor): Tensor {
    let out = x;
    for (let i = 0; i < this.length; i++) {
      const m = this[i];
      if (m.constructor === Conv2D && i + 1 < this.length && this[i + 1].constructor === ReLU) {
        const next = i + 2 < this.length ? this[i + 2] : null;
        if (next !== null && next.constructor === MaxPool2D && isPlain2x2(next as MaxPool2D)) {
          out = (m as Conv2D).forwardReluMaxPool(out);
          i += 2;
        } else {
          out = (m as Conv2D).forwardRelu(out);
          i += 1;
        }
      } else {
        out = m.forward(out);
      }
    }
    return out;
  }

  /** Iterates over the modules in order. */
  *[Symbol.iterator](): IterableIterator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }
}

/** A 2×2 window with stride 2 and no padding. */
function isPlain2x2(pool: MaxPool2D): boolean {
  const same = (pair: readonly number[], v: number) => pair[0] === v && pair[1] === v;
  return same(pool.kernelSize, 2) && same(pool.stride, 2) && same(pool.padding, 0);
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null) return value.constructor?.name ?? "object";
  return value === null ? "null" : typeof value;
}
