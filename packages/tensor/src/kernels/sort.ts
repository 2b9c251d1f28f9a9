// Sorting along one dim: the int32 positions that order each lane, stably. ops/sorting.ts
// turns them into values (a gather, so gradients flow) for sort and topk.

import { emptyStorage, type Storage } from "../storage.js";
import { contiguousData } from "./copy.js";
import { splitAt } from "./indexing.js";

/**
 * For every lane of `x` along `dim`, the positions of its `k` smallest (or, `descending`, largest)
 * elements in order; equal elements keep their original order, and NaN counts as larger than
 * every number (PyTorch's order). The result has x's shape with `k` at `dim`.
 */
export function argsortLanes(x: Storage, dim: number, descending: boolean, k: number): Storage {
  const [outer, n, inner] = splitAt(x.shape, dim);
  const xd = contiguousData(x);
  const shape = [...x.shape];
  shape[dim] = k;
  const out = emptyStorage("int32", shape);
  const od = out.data;
  const lane = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  // NaN sorts last ascending and first descending, as in PyTorch
  const ascending = (a: number, b: number): number => {
    const va = lane[a];
    const vb = lane[b];
    if (va < vb) return -1;
    if (va > vb) return 1;
    const na = Number.isNaN(va);
    return na === Number.isNaN(vb) ? 0 : na ? 1 : -1;
  };
  const compare = descending ? (a: number, b: number) => ascending(b, a) : ascending;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) {
        lane[j] = xd[base + j * inner];
        order[j] = j;
      }
      order.sort(compare); // Array.prototype.sort is stable
      const to = o * k * inner + i;
      for (let j = 0; j < k; j++) od[to + j * inner] = order[j];
    }
  }
  return out;
}
