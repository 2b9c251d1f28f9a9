// Sequential: a container that feeds each module's output to the next; the fusion pass
// (fusion.ts) runs some sequences of layers in it as one op.

import type { Tensor } from "@tg/tensor";
import { nextStep } from "./fusion.js";
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
   * Applies the modules in order. Some runs of layers execute as one op with the same values and
   * gradients (a Conv2D and a ReLU, with a 2×2 MaxPool2D after them or not): see the fusion pass,
   * fusion.ts, for the rules.
   */
  forward(x: Tensor): Tensor {
    let out = x;
    for (let i = 0; i < this.length; ) {
      const step = nextStep(this, i);
      out = step.run(out);
      i += step.length;
    }
    return out;
  }

  /** Iterates over the modules in order. */
  *[Symbol.iterator](): IterableIterator<Module> {
    for (let i = 0; i < this.length; i++) yield this[i];
  }
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null) return value.constructor?.name ?? "object";
  return value === null ? "null" : typeof value;
}
