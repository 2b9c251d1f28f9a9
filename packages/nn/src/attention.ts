// MultiheadAttention: PyTorch's nn.MultiheadAttention (batch first), with its parameter names, so
// state dicts move between the two. The attention itself is @tg/tensor's scaledDotProductAttention.

import {
  dropout,
  formatShape,
  linear,
  scaledDotProductAttention,
  Tensor,
  TensorError,
  triu,
  type DType,
  type Rng,
} from "@tg/tensor";
import { checkFloatDType, checkInt } from "./checks.js";
import { kaimingUniform, xavierUniform } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

/** Options of `MultiheadAttention`, with PyTorch's defaults. */
export interface MultiheadAttentionOptions {
  /** Learn biases for the input and output projections (default true). */
  bias?: boolean;
  /** Dropout probability on the attention weights while training (default 0). */
  dropout?: number;
  /** The generator of the initial weights (the global one by default). */
  rng?: Rng;
  /** The parameters' dtype (default "float32"). */
  dtype?: DType;
}

/** Options of `MultiheadAttention.forward`, as PyTorch's keyword arguments. */
export interface AttentionForwardOptions {
  /**
   * [L, S] or [batch · numHeads, L, S]. An int32 mask marks positions that may NOT be attended
   * (non-zero), as PyTorch's boolean `attn_mask` (True = masked); a float mask is added to the scores.
   */
  attnMask?: Tensor | null;
  /** Shape `[batch, S]`: int32 non-zero marks padding keys to ignore (PyTorch's True); float is added. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights too (default true, as PyTorch; only `forwardWithWeights` does). */
  needWeights?: boolean;
  /** Average the returned weights over the heads (default true): [batch, L, S], else [batch, heads, L, S]. */
  averageAttnWeights?: boolean;
  /** Let query i attend to keys 0..i only, the mask of a decoder (added to any attnMask). */
  isCausal?: boolean;
}

/**
 * Multi-head attention (PyTorch's `nn.MultiheadAttention` with `batch_first=True`; Vaswani et al.
 * 2017, https://arxiv.org/abs/1706.03762): query [batch, L, E], key and value [batch, S, E] are
 * projected by `in_proj_weight` [3E, E] (query, key, value rows in that order) and `in_proj_bias`
 * [3E], split into `numHeads` heads of E / numHeads, attended with softmax(q·kᵀ/√d)·v, joined, and
 * projected by `out_proj`. Parameter names are PyTorch's (`in_proj_weight`, `in_proj_bias`,
 * `out_proj.weight`, `out_proj.bias`) and so is the initialisation (Xavier-uniform input
 * projection, zero biases). Unbatched input [L, E] gives [L, E].
 * @example
 * const attn = new MultiheadAttention(128, 4);
 * const y = attn.forward(x, x, x, { isCausal: true }); // x [B, T, 128] → [B, T, 128]
 * const [out, weights] = attn.forwardWithWeights(x, x, x); // weights [B, T, T], averaged over heads
 */
export class MultiheadAttention extends Module {
  /** The input projections of query, key and value stacked, [3E, E]; state-dict key "in_proj_weight". */
  readonly inProjWeight: Tensor;
  /** Their biases, [3E] (null without `bias`); state-dict key "in_proj_bias". */
  readonly inProjBias: Tensor | null;
  /** The output projection; state-dict keys "out_proj.weight" and "out_proj.bias". */
  readonly outProj: Linear;
  /** The model width E: the last dim of query, key, value and output. */
  readonly embedDim: number;
  /** The number of attention heads. */
  readonly numHeads: number;
  /** The width of each head, embedDim / numHeads. */
  readonly headDim: number;
  /** The dropout probability on the attention weights, applied only in training mode. */
  readonly dropout: number;

  /**
   * Makes the layer with PyTorch's initialisation.
   * @param embedDim The model width E (PyTorch's `embed_dim`).
   * @param numHeads The number of heads, which must divide `embedDim` (PyTorch's `num_heads`).
   * @param opts `bias` (default true), `dropout` (default 0), the generator of the initial weights
   * and the parameters' dtype.
   */
  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const { bias = true, dropout: p = 0, rng, dtype = "float32" } = opts;
    this.embedDim = checkInt("MultiheadAttention", "embedDim", embedDim, 1);
    this.numHeads = checkInt("MultiheadAttention", "numHeads", numHeads, 1);
    if (embedDim % numHeads !== 0) {
      throw new RangeError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`MultiheadAttention: dropout must be in [0, 1], got ${String(p)}`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = p;
    const floatType = checkFloatDType("MultiheadAttention", dtype);
    this.inProjWeight = Tensor.zeros([3 * embedDim, embedDim], { dtype: floatType, requiresGrad: true });
    xavierUniform(this.inProjWeight, { rng });
    this.inProjBias = bias ? Tensor.zeros([3 * embedDim], { dtype: floatType, requiresGrad: true }) : null;
    // PyTorch's out_proj starts as a default nn.Linear weight, U(±1/√E), with a zero bias
    this.outProj = new Linear(embedDim, embedDim, {
      bias,
      dtype: floatType,
      rng,
      init: (t, o) => kaimingUniform(t, { ...o, a: Math.sqrt(5) }),
    });
  }

  protected override ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [["in_proj_weight", this.inProjWeight]];
    if (this.inProjBias !== null) out.push(["in_proj_bias", this.inProjBias]);
    return out;
  }

  override namedChildren(): [string, Module][] {
    return [["out_proj", this.outProj]];
  }

  /**
   * The attention output [batch, L, E] (PyTorch's first return value; `forwardWithWeights` gives
   * both). Key and value default to the query (self-attention). A tensor in place of the options
   * is the keyPaddingMask, as PyTorch's fourth positional argument.
   */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, opts: AttentionForwardOptions | Tensor = {}): Tensor {
    const options = opts instanceof Tensor ? { keyPaddingMask: opts } : opts;
    return this.attend(query, key, value, { ...options, needWeights: false })[0];
  }

  /**
   * The output and the attention weights, as PyTorch's `forward` returns them: weights
   * [batch, L, S] averaged over heads (or [batch, heads, L, S]), null when `needWeights` is false.
   */
  forwardWithWeights(query: Tensor, key: Tensor, value: Tensor, opts: AttentionForwardOptions = {}): [Tensor, Tensor | null] {
    return this.attend(query, key, value, opts);
  }

  private attend(query: Tensor, key: Tensor, value: Tensor, opts: AttentionForwardOptions): [Tensor, Tensor | null] {
    const { attnMask = null, keyPaddingMask = null, needWeights = true, averageAttnWeights = true, isCausal = false } = opts;
    // 1. shapes: batch-first [B, L, E]; unbatched [L, E] runs as a batch of one
    const batched = query.ndim === 3;
    this.checkInputs(query, key, value);
    const [q3, k3, v3] = batched ? [query, key, value] : [query, key, value].map((t) => t.unsqueeze(0));
    const [b, l] = q3.shape;
    const s = k3.shape[1];
    const { embedDim: e, numHeads: h, headDim: d } = this;
    // 2. input projections, split into heads [B, H, L|S, d]
    const w = this.inProjWeight;
    const bias = this.inProjBias;
    const project = (x: Tensor, i: number, n: number) =>
      linear(x, w.slice(0, i * e, (i + 1) * e), bias === null ? null : bias.slice(0, i * e, (i + 1) * e))
        .reshape([b, n, h, d])
        .transpose(1, 2);
    const q = project(q3, 0, l);
    const k = project(k3, 1, s);
    const v = project(v3, 2, s);
    // 3. one additive mask [B|1, H|1, L, S] from attnMask, keyPaddingMask and isCausal (a causal
    // mask alone goes to scaledDotProductAttention as isCausal, which needs no mask tensor)
    const causalOnly = isCausal && attnMask === null && keyPaddingMask === null && !needWeights;
    const mask = causalOnly ? null : this.combinedMask(attnMask, keyPaddingMask, isCausal, b, l, s, q.dtype);
    const p = this.training ? this.dropout : 0;
    let context: Tensor;
    let weights: Tensor | null = null;
    if (needWeights) {
      let scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(d));
      if (mask !== null) scores = scores.add(mask);
      const attn = scores.softmax(-1);
      weights = averageAttnWeights ? attn.mean(1) : attn;
      context = (p > 0 ? dropout(attn, p, true) : attn).matmul(v);
    } else {
      context = scaledDotProductAttention(q, k, v, { mask, isCausal: causalOnly, dropoutP: p });
    }
    // 4. join the heads and project
    const out = this.outProj.forward(context.transpose(1, 2).reshape([b, l, e]));
    return batched ? [out, weights] : [out.squeeze(0), weights === null ? null : weights.squeeze(0)];
  }

  private checkInputs(query: Tensor, key: Tensor, value: Tensor): void {
    const e = this.embedDim;
    const rank = query.ndim;
    const ok =
      (rank === 2 || rank === 3) &&
      key.ndim === rank &&
      value.ndim === rank &&
      query.shape[rank - 1] === e &&
      key.shape[rank - 1] === e &&
      value.shape[rank - 1] === e &&
      key.shape[rank - 2] === value.shape[rank - 2] &&
      (rank === 2 || (key.shape[0] === query.shape[0] && value.shape[0] === query.shape[0]));
    if (!ok) {
      throw new TensorError(
        `MultiheadAttention: expected query [B,L,${e}], key and value [B,S,${e}] (or unbatched [L,${e}], [S,${e}]), ` +
          `got ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`,
      );
    }
  }

  /** The masks as one float tensor to add to the scores [B, H, L, S] (null when there are none). */
  private combinedMask(
    attnMask: Tensor | null,
    keyPaddingMask: Tensor | null,
    isCausal: boolean,
    b: number,
    l: number,
    s: number,
    dtype: DType,
  ): Tensor | null {
    let mask: Tensor | null = null;
    const add = (m: Tensor) => (mask = mask === null ? m : mask.add(m));
    if (attnMask !== null) {
      const shape = attnMask.shape;
      const is2d = shape.length === 2 && shape[0] === l && shape[1] === s;
      const is3d = shape.length === 3 && shape[0] === b * this.numHeads && shape[1] === l && shape[2] === s;
      if (!is2d && !is3d) {
        throw new TensorError(
          `MultiheadAttention: attnMask must be [${l},${s}] or [${b * this.numHeads},${l},${s}], got ${formatShape(shape)}`,
        );
      }
      const additive = toAdditive(attnMask, dtype);
      add(is2d ? additive : additive.reshape([b, this.numHeads, l, s]));
    }
    if (keyPaddingMask !== null) {
      if (keyPaddingMask.ndim !== 2 || keyPaddingMask.shape[0] !== b || keyPaddingMask.shape[1] !== s) {
        throw new TensorError(`MultiheadAttention: keyPaddingMask must be [${b},${s}], got ${formatShape(keyPaddingMask.shape)}`);
      }
      add(toAdditive(keyPaddingMask, dtype).reshape([b, 1, 1, s]));
    }
    if (isCausal) add(toAdditive(triu(Tensor.ones([l, s], { dtype: "int32" }), 1), dtype));
    return mask;
  }
}

/** An int32 mask (non-zero = masked) as 0 / -Infinity in `dtype`; a float mask as it is. */
function toAdditive(mask: Tensor, dtype: DType): Tensor {
  if (mask.dtype !== "int32") return mask.to(dtype);
  return Tensor.zeros(mask.shape, { dtype }).maskedFill(mask, -Infinity);
}
