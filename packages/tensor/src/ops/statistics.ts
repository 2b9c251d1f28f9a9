// Reductions built on sum and max: logsumexp, variance and std (composites, so they need no
// backward), and cumsum (an op; its loop is in kernels/indexing.ts).

import { defineOp, type Grads } from "../autograd/op.js";
import { isFloat } from "../dtype.js";
import { TensorError } from "../errors.js";
import { cumsum as cumsumKernel } from "../kernels/indexing.js";
import { reducedShape } from "../kernels/reduce.js";
import { normalizeDim, normalizeDims } from "../shape.js";
import { Tensor } from "../tensor.js";
import { where } from "./elementwise.js";

type Dims = number | readonly number[];

/** `x` as a float tensor: int32 becomes float32, as PyTorch's float-only reductions need. */
function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : x.to("float32");
}

/**
 * log Σ exp(x) over `dim`, computed stably by shifting by the max (`torch.logsumexp`). A lane of
 * only -Infinity gives -Infinity. The gradient is softmax(x) along the reduced dims.
 */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  if (dim === undefined || dim === null) throw new TensorError("logsumexp: dim is required (a number or an array of numbers)");
  const dims = normalizeDims("logsumexp", dim, x.ndim);
  const xf = asFloat(x);
  if (x.size === 0) return xf.exp().sum(dims, keepdim).log();
  // NOTE: the shift does not change the result, so it needs no gradient; an infinite max is
  // replaced by 0 so that a lane of -Infinity gives log(0) = -Infinity, not NaN
  const max = xf.max(dims, true).detach();
  const shift = where(max.abs().eq(Infinity), 0, max);
  const sum = xf.sub(shift).exp().sum(dims, keepdim);
  return sum.log().add(keepdim ? shift : shift.reshape(reducedShape(x.shape, dims, false)));
}

/** Options of `variance` and `std`. */
export interface VarianceOptions {
  /** Subtracted from the count in the divisor: 1 (Bessel's correction, the default) or 0 (biased). */
  correction?: number;
  /** Keeps the reduced dims as size 1. */
  keepdim?: boolean;
}

/**
 * The variance over `dim` (all dims when omitted): Σ(x - mean)² / (N - correction)
 * (`torch.var`). As in PyTorch, N <= correction divides by 0 (Infinity or NaN).
 */
export function variance(x: Tensor, dim?: Dims | null, opts: VarianceOptions = {}): Tensor {
  const { correction = 1, keepdim = false } = opts;
  if (typeof correction !== "number" || !Number.isFinite(correction) || correction < 0) {
    throw new TensorError(`var: correction must be a non-negative number, got ${String(correction)}`);
  }
  const dims = normalizeDims("var", dim ?? undefined, x.ndim);
  const xf = asFloat(x);
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  const centred = xf.sub(xf.mean(dims, true));
  return centred.mul(centred).sum(dims, keepdim).div(Math.max(0, count - correction));
}

/** The standard deviation over `dim`: sqrt of `variance` with the same options (`torch.std`). */
export function std(x: Tensor, dim?: Dims | null, opts: VarianceOptions = {}): Tensor {
  return variance(x, dim, opts).sqrt();
}

const cumsumOp = defineOp<{ dim: number; reverse: boolean }>({
  name: "cumsum",
  check: (_, attrs) => attrs,
  forward: ([x], { dim, reverse }) => cumsumKernel(x, dim, reverse),
  // output j sums inputs 0..j, so input i receives the gradients of outputs i..n-1
  backward: (g, _inputs, _out, { dim, reverse }): Grads => [cumsumOp([g], { dim, reverse: !reverse })],
});

/**
 * Running sums along `dim`: out[i] = x[0] + … + x[i] (`torch.cumsum`). Int32 stays int32 and
 * throws a TensorError when a sum leaves the int32 range.
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  if (!(x instanceof Tensor)) throw new TensorError(`cumsum: expected a tensor, got ${typeof x}`);
  const d = normalizeDim("cumsum", dim, x.ndim);
  if (x.ndim === 0) return cumsumOp([x.reshape([1])], { dim: 0, reverse: false }).reshape([]);
  return cumsumOp([x], { dim: d, reverse: false });
}
