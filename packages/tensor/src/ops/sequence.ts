// The ops a transformer is built from: embedding and layerNorm (each one op with a fused
// backward) and scaledDotProductAttention (matmuls around one fused scale-mask-softmax op).
// Loops are in kernels/indexing.ts, kernels/layer-norm.ts and kernels/attention.ts.

import { defineOp, type Grads } from "../autograd/op.js";
import { allocate, isFloat, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import { scaledSoftmaxBackward, scaledSoftmaxForward } from "../kernels/attention.js";
import { contiguousData } from "../kernels/copy.js";
import { indexAdd, indexSelect as indexSelectKernel } from "../kernels/indexing.js";
import { layerNormBackward, layerNormForward, layerNormStats } from "../kernels/layer-norm.js";
import { formatShape, shapesEqual, sizeOf, type Shape } from "../shape.js";
import { emptyStorage, makeStorage, type Storage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { checkedIndices, maskedFill } from "./indexing.js";
import { dropout } from "./nn.js";

interface EmbeddingAttrs {
  /** The checked indices, flattened. */
  index: Int32Array;
  shape: number[];
}

// out[..., :] = weight[input[...], :]; the weight's gradient adds each output row's gradient
// into the row it came from (repeated indices add up)
const embeddingOp = defineOp<EmbeddingAttrs>({
  name: "embedding",
  check: (_, attrs) => attrs,
  forward: ([weight], { index, shape }) => indexSelectKernel(weight, 0, index, shape),
  backward: (g, [weight], _out, { index }) => [new Tensor(indexAdd(g.storage, 0, index, weight.shape))],
});

/**
 * The rows of `weight` ([numEmbeddings, embeddingDim]) at the int32 indices `input` (any
 * shape): a tensor of shape input.shape + [embeddingDim] (`torch.nn.functional.embedding`).
 * Indices outside 0..numEmbeddings-1 throw. The weight's gradient is dense: each row gets the
 * sum of the gradients of the outputs that read it.
 */
export function embedding(input: Tensor, weight: Tensor): Tensor {
  if (!(input instanceof Tensor) || !(weight instanceof Tensor)) {
    throw new TensorError("embedding: expected an int32 tensor of indices and a weight tensor");
  }
  if (weight.ndim !== 2) {
    throw new TensorError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got ${formatShape(weight.shape)}`);
  }
  if (input.dtype !== "int32") {
    throw new TensorError(`embedding: input must be an int32 tensor of indices, got ${input.dtype} ${formatShape(input.shape)}`);
  }
  const [count, width] = weight.shape;
  const index = checkedIndices("embedding", input, count, `a weight of shape ${formatShape(weight.shape)}`);
  return embeddingOp([weight], { index, shape: [...input.shape, width] });
}

interface LayerNormAttrs {
  rows: number;
  cols: number;
  hasWeight: boolean;
  hasBias: boolean;
  eps: number;
}

/** What layerNorm's forward keeps for its backward: each row's mean and 1/sqrt(var + eps). */
interface RowStatistics {
  mean: Float64Array;
  rstd: Float64Array;
}

// y = (x - mean)·rstd·weight + bias over the trailing dims; the backward is the fused formula
// of kernels/layer-norm.ts, from the saved mean and rstd
const layerNormOp = defineOp<LayerNormAttrs, LayerNormAttrs, RowStatistics>({
  name: "layerNorm",
  check: (_, attrs) => attrs,
  forward: ([x, ...params], { rows, cols, hasWeight, hasBias, eps }, ctx) => {
    const xd = contiguousData(x);
    const { mean, rstd } = layerNormStats(xd, rows, cols, eps);
    ctx.save({ mean, rstd });
    const out = emptyStorage(x.dtype, x.shape);
    const weight = hasWeight ? contiguousData(params[0]) : null;
    const bias = hasBias ? contiguousData(params[hasWeight ? 1 : 0]) : null;
    layerNormForward(xd, out.data, rows, cols, mean, rstd, weight, bias);
    return out;
  },
  backward: (g, [x, ...params], _out, { rows, cols, hasWeight, hasBias }, saved) => {
    const { mean, rstd } = saved!;
    const weight = hasWeight ? params[0] : null;
    const gradWeight = hasWeight && weight?.requiresGrad ? new Float64Array(cols) : null;
    const bias = hasBias ? params[hasWeight ? 1 : 0] : null;
    const gradBias = hasBias && bias?.requiresGrad ? new Float64Array(cols) : null;
    const gradX = emptyStorage(x.dtype, x.shape);
    const w = weight === null ? null : contiguousData(weight.storage);
    const gd = contiguousData(g.to(x.dtype).storage);
    layerNormBackward(gd, contiguousData(x.storage), gradX.data, rows, cols, mean, rstd, w, gradWeight, gradBias);
    const asParam = (acc: Float64Array | null, like: Tensor | null): Tensor | null =>
      acc === null || like === null ? null : fromFloat64(acc, like.dtype, like.shape);
    const grads = [new Tensor(gradX), asParam(gradWeight, weight), asParam(gradBias, bias)];
    return grads.filter((_, i) => i === 0 || (i === 1 ? hasWeight : hasBias));
  },
});

/** A tensor of `dtype` and `shape` holding `values`. */
function fromFloat64(values: Float64Array, dtype: DType, shape: Shape): Tensor {
  const data = allocate(dtype, values.length);
  data.set(values);
  return new Tensor(makeStorage(data, dtype, shape));
}

/**
 * Normalises `x` over its trailing dims `normalizedShape` to zero mean and unit variance (biased,
 * plus `eps`), then scales by `weight` and shifts by `bias` when given, both of shape
 * `normalizedShape` (`torch.nn.functional.layer_norm`). One op with a fused backward.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | Shape,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new TensorError(`layerNorm: normalizedShape must be positive sizes, got ${String(normalizedShape)}`);
  }
  if (!isFloat(x.dtype)) throw new TensorError(`layerNorm: expected a float tensor, got ${x.dtype}`);
  const trailing = x.shape.slice(x.ndim - shape.length);
  if (x.ndim < shape.length || !shapesEqual(trailing, shape)) {
    throw new TensorError(
      `layerNorm: expected input [...,${shape.join(",")}] to end in normalizedShape ${formatShape(shape)}, got ${formatShape(x.shape)}`,
    );
  }
  for (const [name, p] of [["weight", weight], ["bias", bias]] as const) {
    if (p === null || p === undefined) continue;
    if (!(p instanceof Tensor) || !shapesEqual(p.shape, shape) || p.dtype !== x.dtype) {
      const got = p instanceof Tensor ? `${p.dtype} ${formatShape(p.shape)}` : typeof p;
      throw new TensorError(`layerNorm: ${name} must be a ${x.dtype} tensor of shape ${formatShape(shape)}, got ${got}`);
    }
  }
  if (typeof eps !== "number" || !(eps >= 0)) throw new TensorError(`layerNorm: eps must be a non-negative number, got ${eps}`);
  const cols = sizeOf(shape);
  const rows = x.size / cols;
  const params = [weight, bias].filter((p): p is Tensor => p !== null && p !== undefined);
  return layerNormOp([x, ...params], { rows, cols, hasWeight: weight != null, hasBias: bias != null, eps });
}

/** Options of `scaledDotProductAttention`. */
export interface AttentionOptions {
  /**
   * Broadcast to [..., L, S]. An int32 mask says which positions take part (non-zero: attend,
   * 0: masked out), as a boolean mask in PyTorch 2; a float mask is added to the scores.
   */
  mask?: Tensor | null;
  /** Lets query i attend to keys 0..i only (the mask of a decoder); not together with `mask`. */
  isCausal?: boolean;
  /** Drops attention weights with this probability, drawing from the global Rng, when > 0. */
  dropoutP?: number;
  /** The factor of the scores; 1/sqrt(E) by default. */
  scale?: number;
}

/**
 * softmax(q·kᵀ·scale + mask)·v over the last two dims (`torch.nn.functional.scaled_dot_product_attention`):
 * q [..., L, E], k [..., S, E], v [..., S, Ev] give [..., L, Ev], leading dims broadcast. A
 * query row whose every key is masked out gives NaN, as softmax over -Infinity does.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const { mask = null, isCausal = false, dropoutP = 0, scale } = opts;
  const shapes = `q ${formatShape(q.shape)}, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`;
  if (![q, k, v].every((t) => t instanceof Tensor && t.ndim >= 2)) {
    throw new TensorError(`scaledDotProductAttention: q, k and v must have at least 2 dims, got ${shapes}`);
  }
  if (q.shape[q.ndim - 1] !== k.shape[k.ndim - 1] || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new TensorError(`scaledDotProductAttention: expected q [...,L,E], k [...,S,E], v [...,S,Ev], got ${shapes}`);
  }
  if (typeof dropoutP !== "number" || !(dropoutP >= 0 && dropoutP <= 1)) {
    throw new TensorError(`scaledDotProductAttention: dropoutP must be in [0, 1], got ${dropoutP}`);
  }
  if (isCausal && mask !== null) {
    throw new TensorError("scaledDotProductAttention: give either mask or isCausal, not both");
  }
  const factor = scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]);
  if (typeof factor !== "number" || !Number.isFinite(factor)) {
    throw new TensorError(`scaledDotProductAttention: scale must be a finite number, got ${String(scale)}`);
  }
  let scores = q.matmul(k.transpose(-2, -1));
  let weights: Tensor;
  if (mask === null) {
    // scale, the causal mask (aligned top-left as PyTorch's: query i sees keys 0..i) and softmax in one op
    weights = attentionSoftmaxOp([scores], { scale: factor, causal: isCausal });
  } else {
    scores = scores.mul(factor);
    if (!(mask instanceof Tensor)) throw new TensorError(`scaledDotProductAttention: mask must be a tensor, got ${typeof mask}`);
    const scoreShape = [...scores.shape];
    try {
      scores = mask.dtype === "int32" ? maskedFill(scores, mask.eq(0), -Infinity) : scores.add(mask);
    } catch (e) {
      if (!(e instanceof TensorError)) throw e;
      throw new TensorError(
        `scaledDotProductAttention: mask ${formatShape(mask.shape)} does not broadcast to the scores ${formatShape(scoreShape)}`,
      );
    }
    if (!shapesEqual(scores.shape, scoreShape)) {
      throw new TensorError(
        `scaledDotProductAttention: mask ${formatShape(mask.shape)} does not broadcast to the scores ${formatShape(scoreShape)}`,
      );
    }
    weights = attentionSoftmaxOp([scores], { scale: 1, causal: false });
  }
  if (dropoutP > 0) weights = dropout(weights, dropoutP, true);
  return weights.matmul(v);
}

/** The float elements of a storage in row-major order (a view when already contiguous). */
function floats(s: Storage): Float32Array | Float64Array {
  const data = contiguousData(s);
  if (data instanceof Int32Array) throw new TensorError("scaledDotProductAttention: expected float scores, got int32");
  return data;
}

// y = softmax(scale·x) along the last dim, with query i seeing keys 0..i when causal; the
// gradient is scale·y·(g − Σ g·y) per row, and masked positions (y = 0) get none
const attentionSoftmaxOp = defineOp<{ scale: number; causal: boolean }>({
  name: "scaledDotProductAttention",
  check: (_, attrs) => attrs,
  forward: ([x], { scale, causal }) => {
    const out = emptyStorage(x.dtype, x.shape);
    scaledSoftmaxForward(floats(x), floats(out), x.shape[x.shape.length - 1], x.shape[x.shape.length - 2], scale, causal);
    return out;
  },
  backward: (g, [x], out, { scale }): Grads => {
    const grad = emptyStorage(x.dtype, x.shape);
    scaledSoftmaxBackward(floats(g.to(x.dtype).storage), floats(out.storage), floats(grad), x.shape[x.ndim - 1], scale);
    return [new Tensor(grad)];
  },
});
