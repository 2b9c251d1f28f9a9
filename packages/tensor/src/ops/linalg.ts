// Matrix multiplication in every form torch.matmul accepts: 1-D·1-D (dot), 2-D, and batched
// N-D with broadcast batch dims. The loops (the plain loop, or the backend's fast gemm) are in
// kernels/matmul.ts.

import { defineOp } from "../autograd/op.js";
import { promoteTypes, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import { batchedMatmul } from "../kernels/matmul.js";
import { addRowBias } from "../kernels/elementwise.js";
import { broadcastShapes, formatShape, type Shape } from "../shape.js";
import { view } from "../storage.js";
import type { Tensor } from "../tensor.js";

/** Throws unless `a` and `b` can be multiplied; both must have at least one dim. */
export function checkMatmulShapes(a: Shape, b: Shape): void {
  if (a.length === 0 || b.length === 0) {
    throw new TensorError(`matmul: both operands need at least 1 dim, got ${formatShape(a)} and ${formatShape(b)}`);
  }
  const k = a[a.length - 1];
  const kb = b.length === 1 ? b[0] : b[b.length - 2];
  if (k !== kb) {
    throw new TensorError(`matmul: shapes ${formatShape(a)} and ${formatShape(b)} do not align (${k} != ${kb})`);
  }
  try {
    broadcastShapes("matmul", a.slice(0, -2), b.slice(0, -2));
  } catch {
    throw new TensorError(`matmul: batch dims of ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
  }
}

// operands with 2 or more dims; the batch dims broadcast
// NOTE: the transposes in backward are views; the kernel's packing reads them in place
const matmulOp = defineOp<{ batch: number[]; dtype: DType }, undefined>({
  name: "matmul",
  check: ([a, b]) => ({
    batch: broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2)),
    dtype: promoteTypes(a.dtype, b.dtype),
  }),
  forward: ([a, b], { batch, dtype }) => batchedMatmul(a, b, batch, dtype),
  // d(AB)/dA = G·Bᵀ, d(AB)/dB = Aᵀ·G (broadcast batch dims are summed by the engine)
  backward: (g, [a, b]) => [
    a.requiresGrad ? g.matmul(b.transpose(-2, -1)) : null,
    b.requiresGrad ? a.transpose(-2, -1).matmul(g) : null,
  ],
});

/** The matrix product of `a` and `b`, with torch.matmul's rules for 1-D and batched operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkMatmulShapes(a.shape, b.shape);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  let out = matmulOp([a2, b2], undefined);
  if (b.ndim === 1) out = out.squeeze(-1);
  if (a.ndim === 1) out = out.squeeze(out.ndim === 1 ? 0 : -2);
  return out;
}

// x [n, in], weight [out, in], bias [out] or absent: y = x·Wᵀ + b in one op, so that the weight's
// gradient comes out as a contiguous [out, in] product (Gᵀ·X) instead of a transposed copy
const linearOp = defineOp<DType, undefined>({
  name: "linear",
  check: (inputs) => inputs.map((t) => t.dtype).reduce(promoteTypes),
  forward: ([x, w, b], dtype) => {
    const [out, inFeatures] = w.shape;
    const wt = view(w, [inFeatures, out], [w.strides[1], w.strides[0]], w.offset);
    const y = batchedMatmul(x, wt, [], dtype);
    if (b !== undefined) addRowBias(y, b);
    return y;
  },
  // dX = G·W, dW = Gᵀ·X, db = Σ_rows G
  backward: (g, [x, w, b]) => [
    x.requiresGrad ? g.matmul(w) : null,
    w.requiresGrad ? g.transpose(0, 1).matmul(x) : null,
    b?.requiresGrad ? g.sum(0) : null,
  ],
});

/**
 * x·weightᵀ + bias over the last dim of `x` (`torch.nn.functional.linear`): `x` is [..., in],
 * `weight` [out, in] and `bias` [out]; the result is [..., out].
 * @example
 * linear(zeros([64, 784]), randn([10, 784]), zeros([10])).shape; // [64, 10]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const shapes = (): string => [x, weight, ...(bias ? [bias] : [])].map((t) => formatShape(t.shape)).join(", ");
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new TensorError(`linear: expected x [..., in] and weight [out, in], got ${shapes()}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new TensorError(`linear: bias must be [out] = [${weight.shape[0]}], got ${shapes()}`);
  }
  const lead = x.shape.slice(0, -1);
  const x2 = x.reshape([lead.reduce((rows, d) => rows * d, 1), weight.shape[1]]);
  const y = linearOp(bias ? [x2, weight, bias] : [x2, weight], undefined);
  return x.ndim === 2 ? y : y.reshape([...lead, weight.shape[0]]);
}
