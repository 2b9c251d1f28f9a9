// Shape ops. reshape (of contiguous data), transpose, permute, squeeze, unsqueeze, expand and
// slice return views that share storage; cat and stack copy.

import { defineOp } from "../autograd/op.js";
import { promoteTypes, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import { contiguous, copyInto } from "../kernels/copy.js";
import {
  broadcastStrides,
  contiguousStrides,
  formatShape,
  normalizeDim,
  sizeOf,
  type Shape,
} from "../shape.js";
import { emptyStorage, isContiguous, view } from "../storage.js";
import type { Tensor } from "../tensor.js";

const reshapeOp = defineOp<number[], Shape>({
  name: "reshape",
  check: ([x], shape) => inferReshape(x.shape, shape),
  forward: ([x], shape) => {
    const src = isContiguous(x) ? x : contiguous(x);
    return view(src, shape, contiguousStrides(shape));
  },
  backward: (g, [x]) => [g.reshape(x.shape)],
});

/** Resolves one -1 in `shape` and checks that the element count matches. */
function inferReshape(from: Shape, shape: Shape): number[] {
  if (!Array.isArray(shape))
    throw new TensorError(`reshape: shape must be an array, got ${String(shape)}`);
  const bad = shape.find((d) => !Number.isInteger(d) || d < -1);
  if (bad !== undefined)
    throw new TensorError(`reshape: invalid size ${bad} in ${formatShape(shape)}`);
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1)
    throw new TensorError(`reshape: only one dim may be -1, got ${formatShape(shape)}`);
  const known = shape.reduce((n: number, d) => (d === -1 ? n : n * d), 1);
  const total = sizeOf(from);
  if (unknown === 1) {
    if (known === 0 || total % known !== 0) {
      throw new TensorError(
        `reshape: cannot reshape ${formatShape(from)} (${total} elements) into ${formatShape(shape)}`,
      );
    }
    return shape.map((d) => (d === -1 ? total / known : d));
  }
  if (known !== total) {
    throw new TensorError(
      `reshape: cannot reshape ${formatShape(from)} (${total} elements) into ${formatShape(shape)} (${known} elements)`,
    );
  }
  return [...shape];
}

/** The same elements in a new shape (one dim may be -1); a view when `x` is contiguous. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  return reshapeOp([x], shape);
}

/** Merges dims `startDim..endDim` into one (`torch.flatten`). */
export function flatten(x: Tensor, startDim: number, endDim: number): Tensor {
  const start = normalizeDim("flatten", startDim, x.ndim);
  const end = normalizeDim("flatten", endDim, x.ndim);
  if (x.ndim === 0) return reshape(x, [1]);
  if (start > end)
    throw new TensorError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

const permuteOp = defineOp<number[], readonly number[]>({
  name: "permute",
  check: ([x], dims) => {
    if (dims.length !== x.ndim) {
      throw new TensorError(
        `permute: expected ${x.ndim} dims for shape ${formatShape(x.shape)}, got ${formatShape(dims)}`,
      );
    }
    const resolved = dims.map((d) => normalizeDim("permute", d, x.ndim));
    if (new Set(resolved).size !== resolved.length)
      throw new TensorError(`permute: dims ${formatShape(dims)} repeat a dim`);
    return resolved;
  },
  forward: ([x], dims) =>
    view(
      x,
      dims.map((d) => x.shape[d]),
      dims.map((d) => x.strides[d]),
    ),
  backward: (g, _inputs, _out, dims) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [g.permute(...inverse)];
  },
});

/** Reorders the dims (`torch.permute`); a view. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  return permuteOp([x], dims);
}

/** Swaps two dims (`torch.transpose`); a view. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const d0 = normalizeDim("transpose", dim0, x.ndim);
  const d1 = normalizeDim("transpose", dim1, x.ndim);
  const dims = Array.from({ length: x.ndim }, (_, i) => (i === d0 ? d1 : i === d1 ? d0 : i));
  return permute(x, dims);
}

const viewAsOp = defineOp<{ shape: number[]; strides: number[] }>({
  name: "view",
  check: (_, attrs) => attrs,
  forward: ([x], { shape, strides }) => view(x, shape, strides),
  backward: (g, [x]) => [g.reshape(x.shape)],
});

/** Removes `dim` if it has size 1, or every size-1 dim when `dim` is omitted; a view. */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const d = dim === undefined ? null : normalizeDim("squeeze", dim, x.ndim);
  const keep = x.shape.map((n, i) => n !== 1 || (d !== null && i !== d));
  return viewAsOp([x], {
    shape: x.shape.filter((_, i) => keep[i]),
    strides: x.storage.strides.filter((_, i) => keep[i]),
  });
}

/** Inserts a size-1 dim at `dim` (which may be `ndim`, or negative); a view. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.ndim, true);
  const shape = [...x.shape];
  const strides = [...x.storage.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.storage.strides[d] * x.shape[d] : 1);
  return viewAsOp([x], { shape, strides });
}

const expandOp = defineOp<number[], Shape>({
  name: "expand",
  check: ([x], shape) => {
    if (!Array.isArray(shape))
      throw new TensorError(`expand: shape must be an array, got ${String(shape)}`);
    const lead = shape.length - x.ndim;
    const bad = () =>
      new TensorError(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
    if (lead < 0) throw bad();
    return shape.map((d, i) => {
      const own = i >= lead ? x.shape[i - lead] : 1;
      const target = d === -1 && i >= lead ? own : d;
      if (!Number.isInteger(target) || target < 0 || (own !== 1 && own !== target)) throw bad();
      return target;
    });
  },
  forward: ([x], shape) => view(x, shape, broadcastStrides(x.shape, x.strides, shape)),
  backward: (g) => [g], // the engine sums the gradient back over the expanded dims
});

/** Repeats size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a dim. */
export function expand(x: Tensor, shape: Shape): Tensor {
  return expandOp([x], shape);
}

interface SliceAttrs {
  dim: number;
  start: number;
  end: number;
}

const sliceOp = defineOp<SliceAttrs, { dim: number; start: number; end?: number }>({
  name: "slice",
  check: ([x], { dim, start, end }) => {
    if (x.ndim === 0) throw new TensorError("slice: cannot slice a 0-d tensor");
    const d = normalizeDim("slice", dim, x.ndim);
    const n = x.shape[d];
    for (const v of end === undefined ? [start] : [start, end]) {
      if (!Number.isInteger(v)) throw new TensorError(`slice: indices must be integers, got ${v}`);
    }
    // Python slicing: negative indices count from the end, and the range is clipped to [0, n]
    const resolve = (i: number): number => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    const s = resolve(start);
    return { dim: d, start: s, end: Math.max(resolve(end ?? n), s) };
  },
  forward: ([x], { dim, start, end }) => {
    const shape = [...x.shape];
    shape[dim] = end - start;
    return view(x, shape, x.strides, x.offset + start * x.strides[dim]);
  },
  backward: (g, [x], _out, { dim, start }) => [padSlice(g, x.shape, dim, start)],
});

/** Elements `start` (inclusive) to `end` (exclusive) along `dim`; negative indices count from the end. */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  return sliceOp([x], { dim, start, end });
}

const padSliceOp = defineOp<{ shape: Shape; dim: number; start: number }>({
  name: "padSlice",
  check: (_, attrs) => attrs,
  forward: ([g], { shape, dim, start }) => {
    const out = emptyStorage(g.dtype, shape);
    copyInto(view(out, g.shape, out.strides, start * out.strides[dim]), g);
    return out;
  },
  backward: (g, [x], _out, { dim, start }) => [slice(g, dim, start, start + x.shape[dim])],
});

/** Zeros of `shape` with `g` written at `start` along `dim`: the gradient of `slice`. */
function padSlice(g: Tensor, shape: Shape, dim: number, start: number): Tensor {
  return padSliceOp([g], { shape, dim, start });
}

const cloneOp = defineOp<undefined>({
  name: "clone",
  check: () => undefined,
  forward: ([x]) => {
    const out = emptyStorage(x.dtype, x.shape);
    copyInto(out, x);
    return out;
  },
  backward: (g) => [g],
});

/** A contiguous copy that stays in the graph. */
export function clone(x: Tensor): Tensor {
  return cloneOp([x], undefined);
}

const catOp = defineOp<{ dim: number; dtype: DType; shape: number[] }, number>({
  name: "cat",
  check: (inputs, dim) => {
    if (inputs.length === 0) throw new TensorError("cat: expected at least one tensor");
    const first = inputs[0];
    if (first.ndim === 0)
      throw new TensorError("cat: zero-dimensional tensors cannot be concatenated");
    const d = normalizeDim("cat", dim, first.ndim);
    let size = 0;
    let dtype = first.dtype;
    inputs.forEach((t, i) => {
      const fits =
        t.ndim === first.ndim && t.shape.every((n, j) => j === d || n === first.shape[j]);
      if (!fits) {
        throw new TensorError(
          `cat: tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(first.shape)} except in dim ${d}`,
        );
      }
      size += t.shape[d];
      dtype = promoteTypes(dtype, t.dtype);
    });
    const shape = [...first.shape];
    shape[d] = size;
    return { dim: d, dtype, shape };
  },
  forward: (inputs, { dim, dtype, shape }) => {
    const out = emptyStorage(dtype, shape);
    let start = 0;
    for (const s of inputs) {
      copyInto(view(out, s.shape, out.strides, start * out.strides[dim]), s);
      start += s.shape[dim];
    }
    return out;
  },
  backward: (g, inputs, _out, { dim }) => {
    let start = 0;
    return inputs.map((t) => {
      start += t.shape[dim];
      return slice(g, dim, start - t.shape[dim], start);
    });
  },
});

/** Joins tensors along an existing dim (`torch.cat`). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return catOp(tensors, dim);
}

/** Joins tensors of one shape along a new dim (`torch.stack`). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new TensorError("stack: expected at least one tensor");
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((n, j) => n !== first.shape[j])) {
      throw new TensorError(
        `stack: tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(first.shape)} like tensor 0`,
      );
    }
  });
  const d = normalizeDim("stack", dim, first.ndim, true);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}
