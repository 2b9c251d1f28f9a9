// crossEntropyLoss (a fused, stable log-softmax and negative log-likelihood) and nllLoss, with
// PyTorch's semantics for class weights, ignoreIndex and label smoothing. Input checks: targets.ts.

import { defineOp, formatShape, Tensor, tensor, TensorError } from "@tg/tensor";
import { checkReduction, reduce, type Reduction } from "./reduction.js";
import { checkIgnoreIndex, checkScores, classIndices, classWeights } from "./targets.js";

/** Options of `crossEntropyLoss`. */
export interface CrossEntropyOptions {
  /** "mean" (default): the weighted mean over non-ignored targets; "sum"; or "none": one loss per row. */
  reduction?: Reduction;
  /** Mixes the target with the uniform distribution: (1 − s) · target + s / C (default 0). */
  labelSmoothing?: number;
  /** A float tensor [C] of per-class weights. */
  weight?: Tensor;
  /** A class index whose rows count for nothing (default −100, as PyTorch); class-index targets only. */
  ignoreIndex?: number;
}

/** Options of `nllLoss`. */
export interface NllLossOptions {
  /** "mean" (default): the weighted mean over non-ignored targets; "sum"; or "none": one loss per row. */
  reduction?: Reduction;
  /** A float tensor [C] of per-class weights. */
  weight?: Tensor;
  /** A class index whose rows count for nothing (default −100, as PyTorch). */
  ignoreIndex?: number;
}

/**
 * Row losses Σ_j k_ij · (lse_i − x_ij) for logits x [N, C] and target weights k [N, C], where
 * lse_i = m_i + log Σ_j exp(x_ij − m_i) with m_i the row max, so large logits cannot overflow.
 */
const softmaxCrossEntropy = defineOp<{ n: number; c: number }, undefined>({
  name: "crossEntropyLoss",
  check: ([x]) => ({ n: x.shape[0], c: x.shape[1] }),
  forward: ([xs, ks], { n, c }) => {
    const x = new Tensor(xs).dataSync();
    const k = new Tensor(ks).dataSync();
    const lse = rowLogSumExp(x, n, c);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let total = 0;
      // NOTE: classes with k = 0 are skipped, so a logit of -Infinity there gives no NaN
      for (let j = i * c; j < (i + 1) * c; j++) if (k[j] !== 0) total += k[j] * (lse[i] - x[j]);
      out[i] = total;
    }
    return tensor(out, { shape: [n], dtype: xs.dtype }).storage;
  },
  // d loss_i/d x_ij = softmax_ij · Σ_j k_ij − k_ij;  d loss_i/d k_ij = lse_i − x_ij = −log softmax_ij
  backward: (g, [xt, kt], _out, { n, c }) => {
    const x = xt.dataSync();
    const k = kt.dataSync();
    const gs = g.dataSync();
    const lse = rowLogSumExp(x, n, c);
    const dx = new Float64Array(n * c);
    const dk = kt.requiresGrad ? new Float64Array(n * c) : null;
    for (let i = 0; i < n; i++) {
      let rowK = 0;
      let weighted = false;
      for (let j = i * c; j < (i + 1) * c; j++) {
        rowK += k[j];
        if (k[j] !== 0) weighted = true;
      }
      // NOTE: a row whose k is all 0 (an ignored target) costs 0 whatever its logits, so its
      // gradient is exactly 0, even where g is infinite (a mean over no targets) or x is not finite
      for (let j = i * c; j < (i + 1) * c; j++) {
        if (weighted) dx[j] = gs[i] * (Math.exp(x[j] - lse[i]) * rowK - k[j]);
        if (dk !== null) dk[j] = gs[i] * (lse[i] - x[j]);
      }
    }
    const shape = [n, c];
    return [
      tensor(dx, { shape, dtype: xt.dtype }),
      dk === null ? null : tensor(dk, { shape, dtype: kt.dtype }),
    ];
  },
});

function rowLogSumExp(x: ArrayLike<number>, n: number, c: number): Float64Array {
  const lse = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = i * c; j < (i + 1) * c; j++) if (x[j] > m) m = x[j];
    if (m === -Infinity) {
      lse[i] = -Infinity;
      continue;
    }
    let s = 0;
    for (let j = i * c; j < (i + 1) * c; j++) s += Math.exp(x[j] - m);
    lse[i] = m + Math.log(s);
  }
  return lse;
}

/**
 * The cross-entropy between softmax(logits) and the target (PyTorch's `F.cross_entropy`), from
 * logits [N, C] via a fused, numerically stable log-softmax. The target is either class indices
 * (an int32 tensor [N] or a number[]) or probabilities (a float tensor [N, C]).
 *
 * With class indices, row i costs −w[y_i] · log p_i[y_i] (w = 1 without `weight`); with label
 * smoothing s it costs (1 − s) times that plus (s / C) · Σ_c −w[c] · log p_i[c]. Rows whose
 * target is `ignoreIndex` cost 0 and get a gradient of exactly 0, and "mean" divides by Σ w[y_i]
 * over the other rows (NaN when every target is ignored, as PyTorch, still with a gradient of 0). With
 * probabilities, row i costs Σ_c −w[c] · t_ic · log p_i[c] (t smoothed the same way) and "mean"
 * divides by N. All of this is PyTorch's arithmetic.
 * @example
 * const loss = crossEntropyLoss(model.forward(x), y); // y: int32 [N]
 * loss.backward();
 */
export function crossEntropyLoss(logits: Tensor, target: Tensor | readonly number[], opts: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropyLoss";
  const reduction = checkReduction(op, opts.reduction ?? "mean");
  const smoothing = opts.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${String(smoothing)}`);
  }
  const { n, c } = checkScores(op, "logits", logits);
  const w = classWeights(op, opts.weight, c);

  if (target instanceof Tensor && target.dtype !== "int32" && target.ndim === 2) {
    if (opts.ignoreIndex !== undefined) {
      throw new RangeError(`${op}: ignoreIndex applies to class-index targets only, not to probabilities`);
    }
    if (target.shape[0] !== n || target.shape[1] !== c) {
      throw new TensorError(
        `${op}: probability target must have the logits' shape ${formatShape(logits.shape)}, got ${formatShape(target.shape)}`,
      );
    }
    let k = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / c) : target;
    if (w !== null) k = k.mul(tensor(w, { dtype: k.dtype }));
    return reduce(softmaxCrossEntropy([logits, k.to(logits.dtype)], undefined), reduction, n);
  }

  const ignoreIndex = checkIgnoreIndex(op, opts.ignoreIndex ?? -100);
  const indices = classIndices(op, "logits", target, logits, ignoreIndex);
  const k = new Float64Array(n * c);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    const y = indices[i];
    if (y === ignoreIndex) continue;
    const wy = w === null ? 1 : w[y];
    totalWeight += wy;
    k[i * c + y] += (1 - smoothing) * wy;
    if (smoothing > 0) for (let j = 0; j < c; j++) k[i * c + j] += (smoothing / c) * (w === null ? 1 : w[j]);
  }
  const rows = softmaxCrossEntropy([logits, tensor(k, { shape: [n, c], dtype: logits.dtype })], undefined);
  return reduce(rows, reduction, totalWeight);
}

/** out_i = coef_i · x[i, index_i]: picks one class per row (a gather), so −Infinity elsewhere is harmless. */
const pickClass = defineOp<{ indices: Int32Array; coef: Float64Array; c: number }>({
  name: "nllLoss",
  check: (_, attrs) => attrs,
  forward: ([xs], { indices, coef, c }) => {
    const x = new Tensor(xs).dataSync();
    const out = new Float64Array(indices.length);
    for (let i = 0; i < indices.length; i++) if (coef[i] !== 0) out[i] = coef[i] * x[i * c + indices[i]];
    return tensor(out, { shape: [indices.length], dtype: xs.dtype }).storage;
  },
  // d out_i/d x_ij = coef_i where j = index_i, else 0
  backward: (g, [x], _out, { indices, coef, c }) => {
    const gs = g.dataSync();
    const dx = new Float64Array(x.size);
    for (let i = 0; i < indices.length; i++) if (coef[i] !== 0) dx[i * c + indices[i]] = gs[i] * coef[i];
    return [tensor(dx, { shape: x.shape, dtype: x.dtype })];
  },
});

/**
 * The negative log-likelihood of class indices under log-probabilities [N, C] (PyTorch's
 * `F.nll_loss`): row i costs −w[y_i] · logProbs[i, y_i], rows whose target is `ignoreIndex` cost
 * 0, and "mean" divides by Σ w[y_i] over the other rows.
 * @example
 * nllLoss(logits.logSoftmax(1), [3, 0, 1]);
 */
export function nllLoss(logProbs: Tensor, target: Tensor | readonly number[], opts: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const reduction = checkReduction(op, opts.reduction ?? "mean");
  const { n, c } = checkScores(op, "input", logProbs);
  const w = classWeights(op, opts.weight, c);
  const ignoreIndex = checkIgnoreIndex(op, opts.ignoreIndex ?? -100);
  const indices = classIndices(op, "input", target, logProbs, ignoreIndex);
  const coef = new Float64Array(n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    if (indices[i] === ignoreIndex) continue;
    const wy = w === null ? 1 : w[indices[i]];
    coef[i] = -wy;
    totalWeight += wy;
  }
  return reduce(pickClass([logProbs], { indices, coef, c }), reduction, totalWeight);
}
