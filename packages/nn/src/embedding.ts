// Embedding and LayerNorm: the lookup table and the per-position normalisation of sequence
// models, thin wrappers over @tg/tensor's embedding and layerNorm ops.

import { embedding, formatShape, layerNorm, Tensor, TensorError, type DType, type Rng } from "@tg/tensor";
import { checkFinite, checkFloatDType, checkInt } from "./checks.js";

import { Module } from "./module.js";

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  /** The generator of the N(0, 1) initial weights (the global one by default). */
  rng?: Rng;
  /** The weight's dtype (default "float32"). */
  dtype?: DType;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's `nn.Embedding`):
 * an int32 input of any shape [...] gives [..., embeddingDim], row `i` of `weight` for token i.
 * The weight starts as N(0, 1) draws, as in PyTorch; its gradient adds up over repeated tokens.
 * @example
 * const tokens = new Embedding(65, 128);
 * tokens.forward(tensor([[1, 5, 5]], { dtype: "int32" })).shape; // [1, 3, 128]
 */
export class Embedding extends Module {
  /**
   * The table, [numEmbeddings, embeddingDim]. Assign it to another layer's weight (or that
   * layer's to it) to tie the two, as a language model ties its output head to its embedding.
   */
  weight: Tensor;
  /** The number of rows of the table: token indices run from 0 to numEmbeddings − 1. */
  readonly numEmbeddings: number;
  /** The size of each vector, the last dim of the output. */
  readonly embeddingDim: number;

  /**
   * Makes the table, its weight drawn from N(0, 1).
   * @param numEmbeddings The vocabulary size, the number of rows (PyTorch's `num_embeddings`).
   * @param embeddingDim The size of each vector (PyTorch's `embedding_dim`).
   * @param opts The generator of the initial weights and their dtype.
   */
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    const { rng, dtype = "float32" } = opts;
    this.numEmbeddings = checkInt("Embedding", "numEmbeddings", numEmbeddings, 1);
    this.embeddingDim = checkInt("Embedding", "embeddingDim", embeddingDim, 1);
    const floatType = checkFloatDType("Embedding", dtype);
    this.weight = Tensor.randn([numEmbeddings, embeddingDim], { rng, dtype: floatType });
    this.weight.requiresGrad = true;
  }

  /** Looks up every token of the int32 `input` (shape `[...]`) into shape `[..., embeddingDim]`. */
  forward(input: Tensor): Tensor {
    if (input.dtype !== "int32") {
      throw new TensorError(`Embedding: expected int32 token indices, got ${input.dtype} ${formatShape(input.shape)}`);
    }
    return embedding(input, this.weight);
  }
}

/** Options of `LayerNorm`, with PyTorch's defaults. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a scale `weight` (ones) and a shift `bias` (zeros) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, learn the shift too (default true). */
  bias?: boolean;
  /** The parameters' dtype (default "float32"). */
  dtype?: DType;
}

/**
 * Normalises each position over its trailing dims `normalizedShape` to zero mean and unit
 * (biased) variance, then scales and shifts (PyTorch's `nn.LayerNorm`; Ba et al. 2016,
 * https://arxiv.org/abs/1607.06450). Unlike BatchNorm it uses no batch statistics, so training
 * and eval compute the same thing.
 * @example
 * const norm = new LayerNorm(128);
 * norm.forward(Tensor.randn([4, 16, 128])).shape; // [4, 16, 128]
 */
export class LayerNorm extends Module {
  /** The scale, of shape normalizedShape (null without elementwiseAffine). */
  readonly weight: Tensor | null;
  /** The shift, of shape normalizedShape (null without elementwiseAffine or bias). */
  readonly bias: Tensor | null;
  /** The trailing dims normalised over, e.g. `[128]`. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root. */
  readonly eps: number;

  /**
   * Makes the layer; with `elementwiseAffine` its weight starts as ones and its bias as zeros.
   * @param normalizedShape The trailing dims to normalise over: a number for the last dim alone, or
   * a shape such as `[16, 128]` (PyTorch's `normalized_shape`).
   * @param opts `eps` (default 1e-5), `elementwiseAffine` (default true), `bias` (default true) and
   * the parameters' dtype, as PyTorch's.
   */
  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = "float32" } = opts;
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new RangeError("LayerNorm: normalizedShape must have at least one dim");
    shape.forEach((d, i) => checkInt("LayerNorm", `normalizedShape[${i}]`, d, 1));
    this.normalizedShape = shape;
    this.eps = checkFinite("LayerNorm", "eps", eps);
    if (eps < 0) throw new RangeError(`LayerNorm: eps must be >= 0, got ${eps}`);
    const floatType = checkFloatDType("LayerNorm", dtype);
    this.weight = elementwiseAffine ? Tensor.ones(shape, { dtype: floatType, requiresGrad: true }) : null;
    this.bias = elementwiseAffine && bias ? Tensor.zeros(shape, { dtype: floatType, requiresGrad: true }) : null;
  }

  /** Normalises x [..., *normalizedShape] over its trailing dims. */
  forward(x: Tensor): Tensor {
    const n = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - n);
    if (x.ndim < n || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new TensorError(`LayerNorm: expected input [...,${this.normalizedShape.join(",")}], got ${formatShape(x.shape)}`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
