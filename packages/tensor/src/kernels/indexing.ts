// Index loops: selecting rows along a dim (indexSelect, embedding), adding them back (their
// gradient), gather/scatterAdd, triangles, and cumulative sums. Ops in ops/indexing.ts and
// ops/sequence.ts check the indices first; these loops trust them.

import { allocate, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import { contiguousStrides, formatShape, sizeOf, type Shape } from "../shape.js";
import { emptyStorage, makeStorage, type Storage } from "../storage.js";
import { contiguousData } from "./copy.js";

/** Sizes of the dims before `dim`, of `dim`, and after it: `shape` seen as [outer, n, inner]. */
export function splitAt(shape: Shape, dim: number): [number, number, number] {
  return [sizeOf(shape.slice(0, dim)), shape[dim], sizeOf(shape.slice(dim + 1))];
}

/** out[o, j, i] = x[o, index[j], i] for `x` seen as [outer, n, inner] around `dim`. */
export function indexSelect(x: Storage, dim: number, index: Int32Array, outShape: Shape): Storage {
  const [outer, n, inner] = splitAt(x.shape, dim);
  const xd = contiguousData(x);
  const out = emptyStorage(x.dtype, outShape);
  const od = out.data;
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const from = (o * n + index[j]) * inner;
      const to = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) od[to + i] = xd[from + i];
    }
  }
  return out;
}

/** The gradient of indexSelect: zeros of `shape` with g[o, j, i] added at [o, index[j], i]. */
export function indexAdd(g: Storage, dim: number, index: Int32Array, shape: Shape): Storage {
  const [outer, n, inner] = splitAt(shape, dim);
  const gd = contiguousData(g);
  const out = emptyStorage(g.dtype, shape);
  const od = out.data;
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const to = (o * n + index[j]) * inner;
      const from = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) od[to + i] += gd[from + i];
    }
  }
  return out;
}

/**
 * Calls `visit(k, at)` for every element k of a contiguous tensor of `shape`, where `at` is the
 * offset of that element's coordinates in a tensor of `strides`, with the coordinate along
 * `dim` left out (the caller adds its own index there).
 */
function walkExcept(shape: Shape, strides: readonly number[], dim: number, visit: (k: number, at: number) => void): void {
  const size = sizeOf(shape);
  if (size === 0) return;
  const counter = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let k = 0; k < size; k++) {
    visit(k, at);
    for (let d = shape.length - 1; d >= 0; d--) {
      counter[d]++;
      if (d !== dim) at += strides[d];
      if (counter[d] < shape[d]) break;
      if (d !== dim) at -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** out[…, k, …] = x[…, index[…, k, …], …] along `dim`; out has index's shape (`torch.gather`). */
export function gather(x: Storage, dim: number, index: Storage): Storage {
  const xd = contiguousData(x);
  const strides = contiguousStrides(x.shape);
  const idx = contiguousData(index);
  const out = emptyStorage(x.dtype, index.shape);
  const od = out.data;
  const step = strides[dim];
  walkExcept(index.shape, strides, dim, (k, at) => {
    od[k] = xd[at + idx[k] * step];
  });
  return out;
}

/** A copy of `x` with src[…, k, …] added at x[…, index[…, k, …], …] along `dim`. */
export function scatterAdd(x: Storage, dim: number, index: Storage, src: Storage): Storage {
  const out = makeStorage(allocate(x.dtype, x.size), x.dtype, x.shape);
  out.data.set(contiguousData(x));
  const od = out.data;
  const strides = contiguousStrides(x.shape);
  const idx = contiguousData(index);
  // src may be larger than index; walk index's shape with src's strides
  const sd = src.data;
  const step = strides[dim];
  const counter = new Array<number>(index.shape.length).fill(0);
  for (let k = 0; k < index.size; k++) {
    let at = 0;
    let from = src.offset;
    for (let d = 0; d < counter.length; d++) {
      at += (d === dim ? idx[k] : counter[d]) * (d === dim ? step : strides[d]);
      from += counter[d] * src.strides[d];
    }
    od[at] += sd[from];
    for (let d = counter.length - 1; d >= 0; d--) {
      if (++counter[d] < index.shape[d]) break;
      counter[d] = 0;
    }
  }
  return out;
}

/**
 * Keeps the elements of the last two dims with col - row >= diagonal (`upper`) or
 * col - row <= diagonal (lower) and zeroes the rest (`torch.triu` / `torch.tril`).
 */
export function triangle(x: Storage, diagonal: number, upper: boolean, dtype: DType = x.dtype): Storage {
  const rows = x.shape[x.shape.length - 2];
  const cols = x.shape[x.shape.length - 1];
  const xd = contiguousData(x);
  const out = emptyStorage(dtype, x.shape);
  const od = out.data;
  for (let base = 0; base < x.size; base += rows * cols) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const keep = upper ? c - r >= diagonal : c - r <= diagonal;
        if (keep) od[base + r * cols + c] = xd[base + r * cols + c];
      }
    }
  }
  return out;
}

/**
 * Running sums along `dim`, from the end when `reverse` (`torch.cumsum`; reverse is its
 * gradient). Sums run in float64; an int32 sum outside the int32 range throws.
 */
export function cumsum(x: Storage, dim: number, reverse: boolean): Storage {
  const [outer, n, inner] = splitAt(x.shape, dim);
  const xd = contiguousData(x);
  const out = emptyStorage(x.dtype, x.shape);
  const od = out.data;
  const acc = new Float64Array(inner);
  const exact = x.dtype === "int32";
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let step = 0; step < n; step++) {
      const j = reverse ? n - 1 - step : step;
      const at = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) {
        acc[i] += xd[at + i];
        od[at + i] = acc[i];
        if (exact && od[at + i] !== acc[i]) {
          throw new TensorError(`cumsum: a running sum of the int32 ${formatShape(x.shape)} input leaves the int32 range`);
        }
      }
    }
  }
  return out;
}
