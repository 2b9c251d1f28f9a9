// Checks of the inputs that crossEntropyLoss and nllLoss share: [N, C] scores, class-index
// targets and per-class weights. Each throws a TensorError naming the loss and the shapes.

import { formatShape, Tensor, TensorError } from "@tg/tensor";

/** Throws unless `x` is a float [N, C] tensor; returns N and C. */
export function checkScores(loss: string, name: string, x: Tensor): { n: number; c: number } {
  if (!(x instanceof Tensor)) throw new TensorError(`${loss}: ${name} must be a Tensor, got ${typeof x}`);
  if (x.dtype === "int32") throw new TensorError(`${loss}: ${name} must be float32 or float64, got int32`);
  if (x.ndim !== 2) throw new TensorError(`${loss}: expected ${name} [N,C], got ${formatShape(x.shape)}`);
  return { n: x.shape[0], c: x.shape[1] };
}

/**
 * The class indices of `target` (an int32 tensor [N] or an array of N integers), each checked to
 * lie in [0, C) unless it equals `ignoreIndex`.
 */
export function classIndices(
  loss: string,
  name: string,
  target: Tensor | readonly number[],
  scores: Tensor,
  ignoreIndex: number,
): Int32Array {
  const [n, c] = scores.shape;
  let indices: Int32Array;
  let shape: readonly number[];
  if (target instanceof Tensor) {
    if (target.dtype !== "int32" || target.ndim !== 1) {
      throw new TensorError(
        `${loss}: target must be an int32 tensor [N] of class indices or a float tensor [N,C] of probabilities, ` +
          `got ${target.dtype} ${formatShape(target.shape)}`,
      );
    }
    indices = Int32Array.from(target.dataSync());
    shape = target.shape;
  } else if (Array.isArray(target)) {
    const bad = target.find((v) => typeof v !== "number" || !Number.isInteger(v));
    if (bad !== undefined) throw new TensorError(`${loss}: target must hold integer class indices, got ${String(bad)}`);
    indices = Int32Array.from(target);
    shape = [target.length];
  } else {
    throw new TensorError(`${loss}: target must be a Tensor or an array of class indices, got ${typeof target}`);
  }
  if (indices.length !== n) {
    throw new TensorError(
      `${loss}: ${name} ${formatShape(scores.shape)} and target ${formatShape(shape)} have different batch sizes (${n} != ${indices.length})`,
    );
  }
  for (const t of indices) {
    if (t !== ignoreIndex && (t < 0 || t >= c)) {
      throw new TensorError(`${loss}: target ${t} is out of range for ${c} classes`);
    }
  }
  return indices;
}

/** The per-class weights as numbers (null when not given), checked to be a float tensor [C]. */
export function classWeights(loss: string, weight: Tensor | undefined, c: number): Float64Array | null {
  if (weight === undefined) return null;
  if (!(weight instanceof Tensor) || weight.dtype === "int32" || weight.ndim !== 1 || weight.shape[0] !== c) {
    const got = weight instanceof Tensor ? `${weight.dtype} ${formatShape(weight.shape)}` : typeof weight;
    throw new TensorError(`${loss}: weight must be a float tensor [${c}] (one weight per class), got ${got}`);
  }
  return Float64Array.from(weight.dataSync());
}

/** Returns `ignoreIndex` (default −100, as PyTorch) when it is an integer. */
export function checkIgnoreIndex(loss: string, ignoreIndex: number): number {
  if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) {
    throw new RangeError(`${loss}: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  }
  return ignoreIndex;
}
