// Gradients the backward pass hands an op's backward as scratch: computed in this pass, dense from
// index 0, and held by nothing else, so the backward may overwrite them (relu and dropout mask the
// gradient in place instead of allocating another array of its size).

import type { Tensor } from "../tensor.js";

const scratch = new WeakSet<Tensor>();

/** Marks `g`, a tensor the engine made for one backward call, as that call's scratch; returns it. */
export function markScratch(g: Tensor): Tensor {
  scratch.add(g);
  return g;
}

/**
 * True when an op's backward may overwrite the data of its gradient `g` and return it: the engine
 * computed it in this pass and nothing else holds it. False for any other tensor.
 */
export function isScratch(g: Tensor): boolean {
  return scratch.has(g);
}
