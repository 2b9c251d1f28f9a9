// Reductions: sum, mean, max, min (values, like PyTorch's amax/amin) and argmax.
// Loops are in kernels/reduce.ts; mean is a composite of sum.

import { defineOp } from "../autograd/op.js";
import { TensorError } from "../errors.js";
import {
  argmax as argmaxKernel,
  reduce,
  reducedShape,
  type ReduceKind,
} from "../kernels/reduce.js";
import { formatShape, normalizeDim, normalizeDims } from "../shape.js";
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
      const dims = normalizeDims(kind, dim ?? undefined, x.ndim);
      const empty = dims.find((d) => x.shape[d] === 0);
      if (kind !== "sum" && empty !== undefined) {
        throw new TensorError(
          `${kind}: cannot reduce dim ${empty} of size 0 (shape ${formatShape(x.shape)})`,
        );
      }
      return { dims, keepdim };
    },
    forward: ([x], { dims, keepdim }) => reduce(x, dims, keepdim, kind),
    backward: (g, [x], out, { dims }) => {
      const kept = reducedShape(x.shape, dims, true);
      const gk = g.reshape(kept);
      if (kind === "sum") return [gk.expand(x.shape)]; // d(Σx)/dx = 1 for every element
      // the extreme element(s) get the gradient; ties split it evenly
      const mask = x.eq(out.reshape(kept));
      return [gk.mul(mask).div(mask.sum(dims, true))];
    },
  });
  return (x, dim, keepdim) => op([x], { dim, keepdim });
}

/** Sum over `dim` (one, several, or all when omitted) (`torch.sum`). */
export const sum = reduceOp("sum");
/** Largest value over `dim` (`torch.amax`); ties share the gradient evenly. */
export const max = reduceOp("max");
/** Smallest value over `dim` (`torch.amin`); ties share the gradient evenly. */
export const min = reduceOp("min");

/** Mean over `dim` (all when omitted); int32 input gives float32 (`torch.mean`). */
export function mean(x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = normalizeDims("mean", dim ?? undefined, x.ndim);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  const s = sum(x, dims, keepdim);
  return s.dtype === "int32" ? s.to("float32").div(count) : s.div(count);
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
