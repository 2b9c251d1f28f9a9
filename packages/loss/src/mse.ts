// mseLoss: the mean squared error between an input and a target of the same shape.

import { formatShape, Tensor, TensorError } from "@tg/tensor";
import { checkReduction, reduce, type Reduction } from "./reduction.js";

/** Options of `mseLoss`. */
export interface MseLossOptions {
  /** "mean" (default) over all elements, "sum", or "none": the squared errors themselves. */
  reduction?: Reduction;
}

/**
 * (input − target)² per element, reduced (PyTorch's `F.mse_loss`). The shapes must match: unlike
 * PyTorch, which broadcasts with a warning, a mismatch such as [N, 1] against [N] is an error.
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])).item(); // (0 + 4) / 2 = 2
 */
export function mseLoss(input: Tensor, target: Tensor, opts: MseLossOptions = {}): Tensor {
  const op = "mseLoss";
  const reduction = checkReduction(op, opts.reduction ?? "mean");
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) {
    throw new TensorError(`${op}: input and target must be tensors`);
  }
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new TensorError(`${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  const diff = input.sub(target);
  return reduce(diff.mul(diff), reduction);
}
