// BatchNorm1D and BatchNorm2D: normalise each channel over the batch (and length or H, W),
// keeping running statistics for eval, exactly as PyTorch's nn.BatchNorm1d/2d.

import { formatShape, noGrad, Tensor, TensorError, type DType } from "@tg/tensor";
import { checkFinite, checkFloatDType, checkInt } from "./checks.js";
import { Module } from "./module.js";

/** Options of `BatchNorm1D` and `BatchNorm2D`, with PyTorch's defaults. */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics (default 0.1): running = (1 − m) · running
   * + m · batch. `null` keeps a cumulative average instead, as PyTorch's `momentum=None`.
   */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); without them eval uses the batch's. */
  trackRunningStats?: boolean;
  /** The dtype of the parameters and running statistics (default "float32"). */
  dtype?: DType;
}

abstract class BatchNorm extends Module {
  /** The per-channel scale, [numFeatures] (null without `affine`). */
  readonly weight: Tensor | null;
  /** The per-channel shift, [numFeatures] (null without `affine`). */
  readonly bias: Tensor | null;
  /** The running mean, [numFeatures]; state-dict key "running_mean". */
  readonly runningMean: Tensor | null;
  /** The running unbiased variance, [numFeatures]; state-dict key "running_var". */
  readonly runningVar: Tensor | null;
  /** How many training batches updated the statistics, int32 0-d; key "num_batches_tracked". */
  readonly numBatchesTracked: Tensor | null;
  /** Channels (C) of the input. */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** The running statistics' update factor; null for a cumulative average. */
  readonly momentum: number | null;

  /**
   * Checks the settings and makes the parameters and buffers.
   * @param layer The layer's name in error messages.
   */
  protected constructor(protected readonly layer: string, numFeatures: number, opts: BatchNormOptions) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = "float32" } = opts;
    this.numFeatures = checkInt(layer, "numFeatures", numFeatures, 1);
    this.eps = checkFinite(layer, "eps", eps);
    if (eps <= 0) throw new RangeError(`${layer}: eps must be positive, got ${eps}`);
    if (momentum !== null && !(typeof momentum === "number" && momentum >= 0 && momentum <= 1)) {
      throw new RangeError(`${layer}: momentum must be in [0, 1] or null, got ${String(momentum)}`);
    }
    this.momentum = momentum;
    const floatType = checkFloatDType(layer, dtype);
    const shape = [numFeatures];
    this.weight = affine ? Tensor.ones(shape, { dtype: floatType, requiresGrad: true }) : null;
    this.bias = affine ? Tensor.zeros(shape, { dtype: floatType, requiresGrad: true }) : null;
    this.runningMean = trackRunningStats ? Tensor.zeros(shape, { dtype: floatType }) : null;
    this.runningVar = trackRunningStats ? Tensor.ones(shape, { dtype: floatType }) : null;
    this.numBatchesTracked = trackRunningStats ? Tensor.zeros([], { dtype: "int32" }) : null;
  }

  protected override ownBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    if (this.runningMean !== null) out.push(["running_mean", this.runningMean]);
    if (this.runningVar !== null) out.push(["running_var", this.runningVar]);
    if (this.numBatchesTracked !== null) out.push(["num_batches_tracked", this.numBatchesTracked]);
    return out;
  }

  /** Throws unless `x` has one of the accepted ranks and numFeatures channels in dim 1. */
  protected abstract checkInput(x: Tensor): void;

  /** Normalises x [N, C, ...] per channel, then scales and shifts. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const channelShape = x.shape.map((d, i) => (i === 1 ? d : 1));
    const useBatchStats = this.training || this.runningMean === null;
    let mean: Tensor;
    let variance: Tensor;
    if (useBatchStats) {
      const count = x.size / this.numFeatures;
      if (this.training && count <= 1) {
        throw new TensorError(
          `${this.layer}: expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`,
        );
      }
      mean = x.mean(dims, true);
      // NOTE: the batch is normalised with the biased variance; the running variance gets the unbiased one
      variance = x.sub(mean).pow(2).mean(dims, true);
      if (this.training) this.updateRunningStats(mean, variance, count);
    } else {
      mean = this.buffer(this.runningMean).reshape(channelShape);
      variance = this.buffer(this.runningVar).reshape(channelShape);
    }
    let y = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight !== null) y = y.mul(this.weight.reshape(channelShape));
    if (this.bias !== null) y = y.add(this.bias.reshape(channelShape));
    return y;
  }

  private updateRunningStats(mean: Tensor, variance: Tensor, count: number): void {
    if (this.runningMean === null || this.runningVar === null || this.numBatchesTracked === null) return;
    const runningMean = this.runningMean;
    const runningVar = this.runningVar;
    const tracked = this.numBatchesTracked;
    noGrad(() => {
      tracked.copy_(tracked.add(1));
      const m = this.momentum ?? 1 / tracked.item();
      const batchMean = mean.reshape([this.numFeatures]);
      const unbiased = variance.reshape([this.numFeatures]).mul(count / (count - 1));
      runningMean.copy_(runningMean.mul(1 - m).add(batchMean.mul(m)));
      runningVar.copy_(runningVar.mul(1 - m).add(unbiased.mul(m)));
    });
  }

  private buffer(t: Tensor | null): Tensor {
    if (t === null) throw new TensorError(`${this.layer}: running statistics are not tracked`);
    return t;
  }
}

/**
 * Batch normalisation over [N, C] or [N, C, L] input, per channel C (PyTorch's
 * `nn.BatchNorm1d`): in training, y = (x − mean) / √(var + eps) · weight + bias with the batch's
 * mean and biased variance, and the running statistics are updated (unbiased variance); in eval,
 * the running statistics are used.
 * @example
 * const bn = new BatchNorm1D(16);
 * bn.forward(Tensor.randn([8, 16])).shape; // [8, 16]
 */
export class BatchNorm1D extends BatchNorm {
  /** Batch normalisation over `numFeatures` channels of [N, C] or [N, C, L] inputs. */
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super("BatchNorm1D", numFeatures, opts);
  }

  protected checkInput(x: Tensor): void {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      const c = this.numFeatures;
      throw new TensorError(`BatchNorm1D: expected input [N,${c}] or [N,${c},L], got ${formatShape(x.shape)}`);
    }
  }
}

/**
 * Batch normalisation over [N, C, H, W] input, per channel C (PyTorch's `nn.BatchNorm2d`); the
 * statistics are taken over N, H and W. Training and eval behave as in `BatchNorm1D`.
 * @example
 * const bn = new BatchNorm2D(8);
 * bn.forward(Tensor.randn([4, 8, 5, 5])).shape; // [4, 8, 5, 5]
 */
export class BatchNorm2D extends BatchNorm {
  /** Batch normalisation over `numFeatures` channels of [N, C, H, W] inputs. */
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super("BatchNorm2D", numFeatures, opts);
  }

  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) {
      throw new TensorError(`BatchNorm2D: expected input [N,${this.numFeatures},H,W], got ${formatShape(x.shape)}`);
    }
  }
}
