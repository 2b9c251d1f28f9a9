// Sorting ops: sort, argsort and topk. The order comes from kernels/sort.ts without a
// gradient; the values are a gather of the input, so their gradient flows back to the picks.

import { defineOp } from "../autograd/op.js";
import { TensorError } from "../errors.js";
import { argsortLanes } from "../kernels/sort.js";
import { normalizeDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { gather } from "./indexing.js";

/** Values and their int32 positions along the sorted dim, as PyTorch's (values, indices). */
export interface SortResult {
  /** The sorted (or top-k) values, a gather of the input, so their gradient flows back to it. */
  values: Tensor;
  /** Where each value came from along the sorted dim, int32, without a gradient. */
  indices: Tensor;
}

const argsortOp = defineOp<{ dim: number; descending: boolean; k: number }>({
  name: "argsort",
  check: (_, attrs) => attrs,
  forward: ([x], { dim, descending, k }) => argsortLanes(x, dim, descending, k),
});

/** The dim to sort, resolved; a 0-d tensor is sorted as one element. */
function sortDim(op: string, x: Tensor, dim: number): number {
  if (!(x instanceof Tensor)) throw new TensorError(`${op}: expected a tensor, got ${typeof x}`);
  return normalizeDim(op, dim, x.ndim);
}

/**
 * The int32 positions that sort `x` along `dim` (ascending, or `descending`); equal elements
 * keep their order (a stable sort) and NaN counts as the largest (`torch.argsort(stable=True)`).
 */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  const d = sortDim("argsort", x, dim);
  if (x.ndim === 0) return Tensor.zeros([], { dtype: "int32" });
  return argsortOp([x], { dim: d, descending, k: x.shape[d] });
}

/**
 * `x` sorted along `dim` with the positions the values came from (`torch.sort(stable=True)`);
 * the values' gradient goes back to those positions.
 */
export function sort(x: Tensor, dim = -1, descending = false): SortResult {
  const d = sortDim("sort", x, dim);
  if (x.ndim === 0) return { values: x.reshape([]), indices: Tensor.zeros([], { dtype: "int32" }) };
  const indices = argsort(x, d, descending);
  return { values: gather(x, d, indices), indices };
}

/**
 * The `k` largest (or, with `largest = false`, smallest) elements along `dim` and their int32
 * positions (`torch.topk`), in sorted order; among equal elements the earlier one comes first.
 * `sorted` is accepted for PyTorch's signature: the result is sorted either way.
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): SortResult {
  const d = sortDim("topk", x, dim);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new TensorError(`topk: k must be an integer in 0..${n} for dim ${d} of size ${n}, got ${k}`);
  }
  if (typeof sorted !== "boolean") throw new TensorError(`topk: sorted must be a boolean, got ${String(sorted)}`);
  if (x.ndim === 0) return sort(x);
  const indices = argsortOp([x], { dim: d, descending: largest, k });
  return { values: gather(x, d, indices), indices };
}
