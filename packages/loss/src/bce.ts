// binaryCrossEntropyWithLogits: binary cross-entropy from logits, stable for logits of any size,
// through a softplus op with its own backward.

import { broadcastShapes, defineOp, formatShape, Tensor, tensor, TensorError, type DType } from "@tg/tensor";
import { checkReduction, reduce, type Reduction } from "./reduction.js";

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BceWithLogitsOptions {
  /** "mean" (default) over all elements, "sum", or "none". */
  reduction?: Reduction;
  /** Weight of the positive term, broadcast over the logits (usually [C]): >1 favours recall. */
  posWeight?: Tensor;
  /** A rescaling weight per element, broadcast over the logits. */
  weight?: Tensor;
}

/** softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)), exact for any z. */
const softplus = defineOp<DType, undefined>({
  name: "softplus",
  check: ([z]) => z.dtype,
  forward: ([zs], dtype) => {
    const z = new Tensor(zs).dataSync();
    const out = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = Math.max(z[i], 0) + Math.log1p(Math.exp(-Math.abs(z[i])));
    return tensor(out, { shape: zs.shape, dtype }).storage;
  },
  // d softplus(z)/dz = sigmoid(z)
  backward: (g, [z]) => [g.mul(z.sigmoid())],
});

/**
 * The binary cross-entropy between sigmoid(logits) and a float target of the same shape
 * (PyTorch's `F.binary_cross_entropy_with_logits`), computed without ever forming the sigmoid:
 * per element, (1 − y) · x + l · softplus(−x) with l = 1 + (posWeight − 1) · y, which equals
 * max(x, 0) − x·y + log(1 + e^(−|x|)) when posWeight is 1, so logits of ±100 stay exact.
 * @example
 * binaryCrossEntropyWithLogits(tensor([0]), tensor([1])).item(); // log 2 = 0.6931
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  const reduction = checkReduction(op, opts.reduction ?? "mean");
  if (!(logits instanceof Tensor) || !(target instanceof Tensor)) {
    throw new TensorError(`${op}: logits and target must be tensors`);
  }
  if (logits.dtype === "int32" || target.dtype === "int32") {
    throw new TensorError(`${op}: logits and target must be float tensors, got ${logits.dtype} and ${target.dtype}`);
  }
  if (logits.shape.length !== target.shape.length || logits.shape.some((d, i) => d !== target.shape[i])) {
    throw new TensorError(`${op}: logits ${formatShape(logits.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  checkBroadcast(op, "posWeight", opts.posWeight, logits);
  checkBroadcast(op, "weight", opts.weight, logits);
  const negative = softplus([logits.neg()], undefined);
  const positive = opts.posWeight === undefined ? negative : opts.posWeight.sub(1).mul(target).add(1).mul(negative);
  let losses = target.neg().add(1).mul(logits).add(positive);
  if (opts.weight !== undefined) losses = losses.mul(opts.weight);
  return reduce(losses, reduction);
}

function checkBroadcast(op: string, name: string, t: Tensor | undefined, logits: Tensor): void {
  if (t === undefined) return;
  if (!(t instanceof Tensor) || t.dtype === "int32") {
    throw new TensorError(`${op}: ${name} must be a float tensor`);
  }
  const shape = broadcastShapes(op, t.shape, logits.shape);
  if (shape.length !== logits.ndim || shape.some((d, i) => d !== logits.shape[i])) {
    throw new TensorError(`${op}: ${name} ${formatShape(t.shape)} does not broadcast to the logits' shape ${formatShape(logits.shape)}`);
  }
}
