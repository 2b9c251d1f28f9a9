// Reductions shared by every loss: "mean" (the default), "sum" or "none".

import type { Tensor } from "@tg/tensor";

/** How a loss combines its per-element values: their mean, their sum, or none (PyTorch's `reduction`). */
export type Reduction = "mean" | "sum" | "none";

/** Returns `reduction` when it is "mean", "sum" or "none"; otherwise throws a RangeError naming the loss. */
export function checkReduction(loss: string, reduction: unknown): Reduction {
  if (reduction === "mean" || reduction === "sum" || reduction === "none") return reduction;
  throw new RangeError(`${loss}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
}

/**
 * Applies `reduction` to per-element losses: "none" returns them, "sum" adds them up, "mean"
 * divides the sum by `count` (default: the number of elements).
 */
export function reduce(losses: Tensor, reduction: Reduction, count: number = losses.size): Tensor {
  if (reduction === "none") return losses;
  const total = losses.sum();
  return reduction === "sum" ? total : total.div(count);
}
