// The fusion pass: the one place where nn runs several layers in a row as one @tg/tensor op.
// Sequential asks it, at each position, for the next step. Its rules, tried in this order:
//
//   Conv2D, ReLU, MaxPool2D 2×2 (stride 2, no padding)  →  conv2dReluMaxPool2d
//   Conv2D, ReLU                                        →  conv2d with activation "relu"
//
// A fused step gives exactly the values and gradients of its layers run one by one, and saves the
// arrays in between (for the three-layer rule, the wasm kernels pool the convolution's output
// where they compute it). Only these classes exactly are fused: a subclass may override forward.
// Each rule is tested against its unfused twin here (fusion.test.ts) and, op against ops, in
// @tg/tensor's ops/conv-fusion.test.ts.

import type { Tensor } from "@tg/tensor";
import { ReLU } from "./activation.js";
import { Conv2D, MaxPool2D } from "./conv.js";
import type { Module } from "./module.js";

/** One step of a Sequential: how many modules it covers, and how to run them on an input. */
export interface Step {
  /** The number of modules it covers (1 when nothing was fused). */
  readonly length: number;
  /** Runs the covered modules on `x`, as one op where they were fused. */
  run(x: Tensor): Tensor;
}

/** The step that starts at `modules[i]`: the first rule above that matches, or the module alone. */
export function nextStep(modules: ArrayLike<Module>, i: number): Step {
  const at = (k: number): Module | null => (i + k < modules.length ? modules[i + k] : null);
  const first = modules[i];
  if (first.constructor === Conv2D && at(1)?.constructor === ReLU) {
    const conv = first as Conv2D;
    const pool = at(2);
    if (pool?.constructor === MaxPool2D && isPlain2x2(pool as MaxPool2D)) {
      return { length: 3, run: (x) => conv.forwardReluMaxPool(x) };
    }
    return { length: 2, run: (x) => conv.forwardRelu(x) };
  }
  return { length: 1, run: (x) => first.forward(x) };
}

/** A 2×2 window with stride 2 and no padding. */
function isPlain2x2(pool: MaxPool2D): boolean {
  const same = (pair: readonly number[], v: number) => pair[0] === v && pair[1] === v;
  return same(pool.kernelSize, 2) && same(pool.stride, 2) && same(pool.padding, 0);
}
