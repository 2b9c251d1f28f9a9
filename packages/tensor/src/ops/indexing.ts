// Indexing ops: indexSelect, index (integer indexing along dim 0), gather, scatterAdd,
// maskedFill, tril/triu, split and chunk. Loops are in kernels/indexing.ts.

import { defineOp, type Grads } from "../autograd/op.js";
import { TensorError } from "../errors.js";
import { contiguousData } from "../kernels/copy.js";
import {
  gather as gatherKernel,
  indexAdd,
  indexSelect as indexSelectKernel,
  scatterAdd as scatterAddKernel,
  triangle,
} from "../kernels/indexing.js";
import { broadcastShapes, formatShape, normalizeDim, shapesEqual, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { where } from "./elementwise.js";
import { cat, slice } from "./movement.js";

/** Throws unless `index` is an int32 tensor (the only integer dtype, PyTorch's int64 here). */
function checkIndexDType(op: string, index: Tensor): void {
  if (!(index instanceof Tensor)) throw new TensorError(`${op}: index must be a tensor, got ${typeof index}`);
  if (index.dtype !== "int32") {
    throw new TensorError(`${op}: index must be an int32 tensor, got ${index.dtype} ${formatShape(index.shape)}`);
  }
}

/**
 * The values of an int32 `index` after checking each lies in [0, n); with `wrap`, -n..-1 count
 * from the end (as Python indexing does) and come back resolved.
 */
export function checkedIndices(op: string, index: Tensor, n: number, what: string, wrap = false): Int32Array {
  checkIndexDType(op, index);
  const values = contiguousData(index.storage) as Int32Array;
  // ops keep the result for their backward: a view into a part of the index's array must be
  // copied, as the array's memory is reused once it is gone (memory.ts)
  const data = index.storage.data;
  let resolved = values !== data && values.buffer === data.buffer ? values.slice() : values;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v >= 0 && v < n) continue;
    if (wrap && v < 0 && v >= -n) {
      if (resolved === data) resolved = Int32Array.from(values);
      resolved[k] = v + n;
      continue;
    }
    throw new TensorError(`${op}: index ${v} is out of range for ${what} (expected ${wrap ? -n : 0}..${n - 1})`);
  }
  return resolved;
}

interface SelectAttrs {
  dim: number;
  index: Int32Array;
  shape: number[];
}

// out[o, j, i] = x[o, index[j], i]; the gradient adds g's rows back at their indices
const indexSelectOp = defineOp<SelectAttrs>({
  name: "indexSelect",
  check: (_, attrs) => attrs,
  forward: ([x], { dim, index, shape }) => indexSelectKernel(x, dim, index, shape),
  backward: (g, [x], _out, { dim, index }): Grads => [indexAddOp([g], { dim, index, shape: [...x.shape] })],
});

// the gradient of indexSelect as an op of its own, so that it is differentiable too
const indexAddOp = defineOp<SelectAttrs>({
  name: "indexAdd",
  check: (_, attrs) => attrs,
  forward: ([g], { dim, index, shape }) => indexAdd(g, dim, index, shape),
  backward: (g, [x], _out, { dim, index }): Grads => {
    const shape = [...g.shape];
    shape[dim] = x.shape[dim];
    return [indexSelectOp([g], { dim, index, shape })];
  },
});

/**
 * The slices of `x` at the positions `index` (int32, 1-D or 0-d) along `dim`, in that order
 * (`torch.index_select`); indices must lie in 0..size-1. The gradient adds back into those slices.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("indexSelect", dim, x.ndim);
  checkIndexDType("indexSelect", index);
  if (index.ndim > 1) {
    throw new TensorError(`indexSelect: index must be 1-D or 0-d, got shape ${formatShape(index.shape)}`);
  }
  if (x.ndim === 0) return indexSelect(x.reshape([1]), 0, index).reshape([]);
  const values = checkedIndices("indexSelect", index, x.shape[d], `dim ${d} of shape ${formatShape(x.shape)}`);
  const shape = [...x.shape];
  shape[d] = values.length;
  return indexSelectOp([x], { dim: d, index: values, shape });
}

/**
 * Integer indexing along the first dim, `x[index]` in PyTorch: the rows of `x` at `index`
 * (int32, any shape), so the result has shape index.shape + x.shape[1:]. Negative indices
 * count from the end.
 */
export function index(x: Tensor, index: Tensor): Tensor {
  if (x.ndim === 0) throw new TensorError("index: cannot index a 0-d tensor");
  const values = checkedIndices("index", index, x.shape[0], `dim 0 of shape ${formatShape(x.shape)}`, true);
  const rows = indexSelectOp([x], { dim: 0, index: values, shape: [values.length, ...x.shape.slice(1)] });
  return rows.reshape([...index.shape, ...x.shape.slice(1)]);
}

/** Checks gather/scatterAdd's shapes: same ndim, and index no larger than `x` (and `src`) off `dim`. */
function checkScatterShapes(op: string, x: Tensor, dim: number, index: Tensor, src?: Tensor): void {
  if (x.ndim === 0) throw new TensorError(`${op}: expected a tensor of at least 1 dim, got a 0-d tensor`);
  const sizes = [x, index, ...(src ? [src] : [])];
  if (sizes.some((t) => t.ndim !== x.ndim)) {
    const all = sizes.map((t) => formatShape(t.shape)).join(", ");
    throw new TensorError(`${op}: index and input must have the same number of dims, got ${all}`);
  }
  const tooBig = index.shape.findIndex((n, d) => (d !== dim && n > x.shape[d]) || (src !== undefined && n > src.shape[d]));
  if (tooBig >= 0) {
    const with_ = src ? ` and src ${formatShape(src.shape)}` : "";
    throw new TensorError(
      `${op}: index ${formatShape(index.shape)} is larger than input ${formatShape(x.shape)}${with_} in dim ${tooBig}`,
    );
  }
}

const gatherOp = defineOp<{ dim: number; index: Tensor }>({
  name: "gather",
  check: (_, attrs) => attrs,
  forward: ([x], { dim, index }) => gatherKernel(x, dim, index.storage),
  // each picked element sends its gradient back to where it was picked from
  backward: (g, [x], _out, { dim, index }) => [scatterAdd(Tensor.zeros(x.shape, { dtype: g.dtype }), dim, index, g)],
});

/**
 * Picks one element along `dim` for every position of `index` (int32, same number of dims as
 * `x`): out[i][j] = x[i][index[i][j]] for dim 1 (`torch.gather`). The result has index's shape.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("gather", dim, x.ndim);
  checkIndexDType("gather", index);
  checkScatterShapes("gather", x, d, index);
  checkedIndices("gather", index, x.shape[d], `dim ${d} of shape ${formatShape(x.shape)}`);
  return gatherOp([x], { dim: d, index });
}

const scatterAddOp = defineOp<{ dim: number; index: Tensor }>({
  name: "scatterAdd",
  check: (_, attrs) => attrs,
  forward: ([x, src], { dim, index }) => scatterAddKernel(x, dim, index.storage, src),
  // x passes through; each src element within index's shape reaches the output once, at its
  // index (src elements beyond it are unused and get 0)
  backward: (g, [, src], _out, { dim, index }) => [g, padTo(gather(g, dim, index), src.shape)],
});

/** `x` followed by zeros up to `shape` in every dim where it is smaller. */
function padTo(x: Tensor, shape: Shape): Tensor {
  let out = x;
  shape.forEach((n, d) => {
    if (out.shape[d] === n) return;
    const rest = [...out.shape];
    rest[d] = n - out.shape[d];
    out = cat([out, Tensor.zeros(rest, { dtype: x.dtype })], d);
  });
  return out;
}

/**
 * A copy of `x` with each src element added at the position `index` names along `dim`:
 * out[i][index[i][j]] += src[i][j] for dim 1 (`torch.scatter_add`). Repeated indices add up.
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim("scatterAdd", dim, x.ndim);
  checkIndexDType("scatterAdd", index);
  if (!(src instanceof Tensor)) throw new TensorError(`scatterAdd: src must be a tensor, got ${typeof src}`);
  if (src.dtype !== x.dtype) {
    throw new TensorError(`scatterAdd: src has dtype ${src.dtype}, expected ${x.dtype} like the input`);
  }
  checkScatterShapes("scatterAdd", x, d, index, src);
  checkedIndices("scatterAdd", index, x.shape[d], `dim ${d} of shape ${formatShape(x.shape)}`);
  return scatterAddOp([x, src], { dim: d, index });
}

/**
 * `x` with `value` wherever `mask` (any dtype, non-zero is true, broadcast to x's shape) is
 * set (`torch.Tensor.masked_fill`); those positions get no gradient.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (!(mask instanceof Tensor)) throw new TensorError(`maskedFill: mask must be a tensor, got ${typeof mask}`);
  if (typeof value !== "number") throw new TensorError(`maskedFill: value must be a number, got ${typeof value}`);
  const shape = broadcastShapes("maskedFill", mask.shape, x.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new TensorError(`maskedFill: mask ${formatShape(mask.shape)} does not broadcast to input ${formatShape(x.shape)}`);
  }
  if (x.dtype === "int32" && !Number.isInteger(value)) {
    throw new TensorError(`maskedFill: cannot fill an int32 tensor with ${value}`);
  }
  return where(mask, value, x);
}

const triangleOp = defineOp<{ diagonal: number; upper: boolean }>({
  name: "triangle",
  check: (_, attrs) => attrs,
  forward: ([x], { diagonal, upper }) => triangle(x, diagonal, upper),
  backward: (g, _inputs, _out, attrs): Grads => [triangleOp([g], attrs)], // kept elements pass g, the rest 0
});

function triangular(op: string, x: Tensor, diagonal: number, upper: boolean): Tensor {
  if (x.ndim < 2) throw new TensorError(`${op}: expected a tensor of at least 2 dims, got ${formatShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new TensorError(`${op}: diagonal must be an integer, got ${diagonal}`);
  return triangleOp([x], { diagonal, upper });
}

/**
 * The lower triangle of the last two dims: elements with col - row <= diagonal are kept, the
 * rest are 0 (`torch.tril`); diagonal 1 keeps one more diagonal above the main one.
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangular("tril", x, diagonal, false);
}

/** The upper triangle of the last two dims: col - row >= diagonal kept, the rest 0 (`torch.triu`). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangular("triu", x, diagonal, true);
}

/**
 * Views of `x` cut along `dim` into pieces of `splitSize` elements (the last may be smaller),
 * or of the sizes listed, which must add up to the dim's size (`torch.split`).
 */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  if (x.ndim === 0) throw new TensorError("split: cannot split a 0-d tensor");
  const d = normalizeDim("split", dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (!Number.isInteger(splitSize) || splitSize < 0 || (splitSize === 0 && n !== 0)) {
      throw new TensorError(`split: splitSize must be a positive integer, got ${splitSize}`);
    }
    sizes = [];
    for (let start = 0; start < n; start += splitSize) sizes.push(Math.min(splitSize, n - start));
    if (sizes.length === 0) sizes.push(0);
  } else {
    if (!Array.isArray(splitSize) || splitSize.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new TensorError(`split: sizes must be non-negative integers, got ${formatShape(splitSize)}`);
    }
    const total = splitSize.reduce((a, b) => a + b, 0);
    if (total !== n) {
      throw new TensorError(
        `split: sizes ${formatShape(splitSize)} add up to ${total}, but dim ${d} of ${formatShape(x.shape)} has ${n}`,
      );
    }
    sizes = [...splitSize];
  }
  let start = 0;
  return sizes.map((size) => {
    start += size;
    return slice(x, d, start - size, start);
  });
}

/**
 * `x` cut along `dim` into `chunks` views of ceil(size/chunks) elements each, the last one
 * smaller; fewer chunks when the size does not allow so many (`torch.chunk`).
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) {
    throw new TensorError(`chunk: chunks must be a positive integer, got ${chunks}`);
  }
  if (x.ndim === 0) throw new TensorError("chunk: cannot chunk a 0-d tensor");
  const d = normalizeDim("chunk", dim, x.ndim);
  const n = x.shape[d];
  return split(x, n === 0 ? 0 : Math.ceil(n / chunks), d);
}
