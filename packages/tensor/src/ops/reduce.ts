// Reductions: sum, mean, max, min (values, like PyTorch's amax/amin) and argmax.
// Loops are in kernels/reduce.ts; mean is a composite of sum.

import { defineOp } from "../autograd/op.js";
import { TensorError } from "../errors.js";
import { castStorage } from "../kernels/copy.js";
import {
  argmax as argmaxKernel,
  reduce,
  reducedShape,
  type ReduceKind,
} from "../kernels/reduce.js";
import { formatShape, normalizeDim, normalizeDims } from "../shape.js";
import type { Storage } from "../storage.js";
import type { Tensor } from "../tensor.js";

type Dims = number | readonly number[] | null | undefined;
interface ReduceAttrs {
  dims: number[];
  keepdim: boolean;
}

function reduceOp(kind: ReduceKind): (x: Tensor, dim: Dims, keepdim: boolean) => Tensor {
  const op = defineOp<ReduceAttrs, { dim: Dims; keepdim: boolean }>({
    name: kind,
    check: ([x], { dim, keepdim }) => {
      const dims = reduceDims(kind, dim, x.ndim);
      const empty = dims.find((d) => x.shape[d] === 0);
      if (kind !== "sum" && empty !== undefined) {
        throw new TensorError(
          `${kind}: cannot reduce dim ${empty} of size 0 (shape ${formatShape(x.shape)})`,
        );
      }
      return { dims, keepdim };
    },
    forward: ([x], { dims, keepdim }) =>
      kind === "sum" && x.dtype === "int32" ? int32Sum(x, dims, keepdim) : reduce(x, dims, keepdim, kind),
    backward: (g, [x], out, { dims }) => {
      const kept = reducedShape(x.shape, dims, true);
      const gk = g.reshape(kept);
      if (kind === "sum") return [gk.expand(x.shape)]; // d(Σx)/dx = 1 for every element
      // the extreme element(s) get the gradient; ties split it evenly
      // (dims is empty only for a 0-d x, whose one element is all there is to sum)
      const mask = x.eq(out.reshape(kept));
      return [gk.mul(mask).div(mask.sum(dims.length > 0 ? dims : null, true))];
    },
  });
  return (x, dim, keepdim) => op([x], { dim, keepdim });
}

/**
 * The dims `dim` names, resolved and sorted; all of them when it is omitted. An empty list is
 * refused: PyTorch reduces every dim there and NumPy none, so neither reading would be safe.
 */
function reduceDims(op: string, dim: Dims, ndim: number): number[] {
  if (Array.isArray(dim) && dim.length === 0) {
    throw new TensorError(`${op}: dim = [] names no dim; omit dim to reduce every dim`);
  }
  return normalizeDims(op, dim ?? undefined, ndim);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * An int32 sum, computed in float64 (exact while partial sums stay below 2^53) and checked to
 * fit int32: there is no int64 to widen to, so a result out of range throws instead of wrapping.
 */
function int32Sum(x: Storage, dims: readonly number[], keepdim: boolean): Storage {
  const wide = reduce(x, dims, keepdim, "sum", "float64");
  const outside = wide.data.find((v) => v < INT32_MIN || v > INT32_MAX);
  if (outside !== undefined) {
    throw new TensorError(
      `sum: the int32 sum ${outside} of a ${formatShape(x.shape)} tensor is outside the int32 range [${INT32_MIN}, ${INT32_MAX}]; cast to float64 first`,
    );
  }
  return castStorage(wide, "int32");
}

/** Sum over `dim` (one, several, or all when omitted) (`torch.sum`). */
export const sum = reduceOp("sum");
/** Largest value over `dim` (`torch.amax`); ties share the gradient evenly. */
export const max = reduceOp("max");
/** Smallest value over `dim` (`torch.amin`); ties share the gradient evenly. */
export const min = reduceOp("min");

/** Mean over `dim` (all when omitted); int32 input gives float32 (`torch.mean`). */
export function mean(x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = reduceDims("mean", dim, x.ndim);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  // NOTE: int32 is summed in float64, where no int32 sum overflows, and rounded once to float32
  if (x.dtype === "int32") return sum(x.to("float64"), dim, keepdim).div(count).to("float32");
  return sum(x, dim, keepdim).div(count);
}

const argmaxOp = defineOp<{ dim: number | null; keepdim: boolean }>({
  name: "argmax",
  check: ([x], { dim, keepdim }) => {
    const d = dim === null ? null : normalizeDim("argmax", dim, x.ndim);
    if (x.size === 0 && (d === null || x.shape[d] === 0)) {
      const which = d === null ? "an empty tensor" : `dim ${d} of size 0`;
      throw new TensorError(`argmax: cannot reduce ${which} (shape ${formatShape(x.shape)})`);
    }
    return { dim: d, keepdim };
  },
  forward: ([x], { dim, keepdim }) => argmaxKernel(x, x.shape.length === 0 ? null : dim, keepdim),
});

/** Int32 index of the first maximum along `dim`, or the flat index when `dim` is omitted. */
export function argmax(x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  return argmaxOp([x], { dim: dim ?? null, keepdim });
}
