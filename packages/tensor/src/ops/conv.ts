// Convolution and pooling ops: conv2d and maxPool2d over NCHW (or unbatched CHW) tensors, each with
// its checks and backward. The loops (im2col + gemm, col2im, window scans) are in kernels/conv.ts.

import { isGradEnabled } from "../autograd/grad-mode.js";
import { defineOp, type Grads } from "../autograd/op.js";
import { isScratch } from "../autograd/scratch.js";
import { promoteTypes, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import * as kernels from "../kernels/conv.js";
import { reluBackward } from "../kernels/elementwise.js";
import * as pool from "../kernels/pool.js";
import type { WindowGeometry } from "../kernels/conv.js";
import { formatShape, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** A size per spatial dim: one number for both, or `[h, w]`. */
export type Size2d = number | readonly [number, number];

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step of the kernel over the input (default 1). */
  stride?: Size2d;
  /** Zeros added on each side of the input (default 0). */
  padding?: Size2d;
  /**
   * "relu" applies relu to the output in the same pass (the values and gradients of
   * `conv2d(…).relu()`, without a second output array); default none. nn's fusion pass
   * (packages/nn/src/fusion.ts) uses it for a Conv2D followed by a ReLU.
   */
  activation?: "relu" | null;
}

/** Options of {@link maxPool2d}. */
export interface MaxPool2dOptions {
  /** Step of the window over the input (default: the kernel size). */
  stride?: Size2d | null;
  /** -Infinity added on each side of the input, at most half the kernel size (default 0). */
  padding?: Size2d;
}

interface WindowAttrs {
  stride: Size2d;
  padding: Size2d;
}

/** Reads a number-or-pair setting; every entry must be an integer >= `min`. */
function pair(op: string, name: string, value: Size2d, min: number): [number, number] {
  const [h, w] =
    typeof value === "number"
      ? [value, value]
      : Array.isArray(value) && value.length === 2
        ? value
        : [NaN, NaN];
  const ok = (v: number): boolean => typeof v === "number" && Number.isInteger(v) && v >= min;
  if (!ok(h) || !ok(w)) {
    const kind = min > 0 ? "a positive integer" : "a non-negative integer";
    throw new TensorError(
      `${op}: ${name} must be ${kind} or a pair [h, w] of them, got ${JSON.stringify(value)}`,
    );
  }
  return [h, w];
}

/** Checks a 4-d NCHW or 3-d CHW input and returns [n, c, h, w, unbatched]. */
function inputDims(op: string, x: Shape): [number, number, number, number, boolean] {
  if (x.length === 4) return [x[0], x[1], x[2], x[3], false];
  if (x.length === 3) return [1, x[0], x[1], x[2], true];
  throw new TensorError(`${op}: input must be 4-d [N,C,H,W] or 3-d [C,H,W], got ${formatShape(x)}`);
}

/** Sizes of a window op; outputs are floor((size + 2·padding − kernel) / stride) + 1. */
function windowGeometry(
  op: string,
  x: Shape,
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  o: number,
): WindowGeometry {
  const [n, c, h, w, unbatched] = inputDims(op, x);
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const [ph, pw] = padding;
  if (kh > h + 2 * ph || kw > w + 2 * pw) {
    throw new TensorError(
      `${op}: kernel ${kh}x${kw} is larger than the padded input ${h + 2 * ph}x${w + 2 * pw} (input ${formatShape(x)}, padding ${formatShape(padding)})`,
    );
  }
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  return { n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow, unbatched };
}

function checkConv2d(
  [x, weight, bias]: readonly Tensor[],
  { stride, padding }: WindowAttrs,
): WindowGeometry & { dtype: DType } {
  const s = pair("conv2d", "stride", stride, 1);
  const p = pair("conv2d", "padding", padding, 0);
  inputDims("conv2d", x.shape);
  const ws = weight.shape;
  if (ws.length !== 4 || ws[2] === 0 || ws[3] === 0) {
    throw new TensorError(
      `conv2d: weight must be 4-d [out,in,kh,kw] with a non-empty kernel, got ${formatShape(ws)}`,
    );
  }
  const channels = x.shape[x.ndim - 3];
  if (channels !== ws[1]) {
    throw new TensorError(
      `conv2d: input has ${channels} channels (${formatShape(x.shape)}) but weight expects ${ws[1]} (${formatShape(ws)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== ws[0])) {
    throw new TensorError(
      `conv2d: bias must have shape [${ws[0]}] to match weight ${formatShape(ws)}, got ${formatShape(bias.shape)}`,
    );
  }
  const geometry = windowGeometry("conv2d", x.shape, [ws[2], ws[3]], s, p, ws[0]);
  const dtype = promoteTypes(promoteTypes(x.dtype, weight.dtype), bias ? bias.dtype : x.dtype);
  return { ...geometry, dtype };
}

/** A conv2d call's geometry and settings. */
interface ConvAttrs extends WindowGeometry {
  dtype: DType;
  /** The weight needs a gradient: the forward saves the columns it unfolds (where it has them). */
  keepColumns: boolean;
  relu: boolean;
}

function checkActivation(activation: unknown): boolean {
  if (activation === undefined || activation === null) return false;
  if (activation === "relu") return true;
  throw new TensorError(`conv2d: activation must be "relu" or null, got ${JSON.stringify(activation)}`);
}

// saved: every image's im2col columns, where the forward unfolded them (strides other than 1)
const conv2dOp = defineOp<ConvAttrs, WindowAttrs & { activation?: "relu" | null }, Float32Array>({
  name: "conv2d",
  check: (inputs, attrs) => ({
    ...checkConv2d(inputs, attrs),
    keepColumns: inputs[1].requiresGrad && isGradEnabled(),
    relu: checkActivation(attrs.activation),
  }),
  forward: ([x, weight, bias], g, ctx) => {
    const columns: kernels.SavedColumns = {};
    const out = kernels.conv2d(x, weight, bias ?? null, g, g.dtype, g.keepColumns ? columns : undefined, g.relu);
    if (columns.cols) ctx.save(columns.cols);
    return out;
  },
  // with the fused relu, G first passes only where the output is positive (or NaN), as relu's
  // own backward does
  backward: (gOut, inputs, out, geo, cols) =>
    convGrads(geo.relu ? new Tensor(reluBackward(gOut.storage, out.storage, isScratch(gOut))) : gOut, inputs, geo, cols),
});

/** out = W ⋆ x + b: dx = col2im(Wᵀ·G), dW = Σ G·im2col(x)ᵀ, db = Σ G over batch and positions. */
function convGrads(g: Tensor, [x, weight, bias]: readonly Tensor[], geo: ConvAttrs, cols?: Float32Array): Grads {
  const needBias = bias?.requiresGrad ?? false;
  // NOTE: the weight gradient's pass over G also sums it per channel for the bias when it can
  const grads = weight.requiresGrad
    ? kernels.conv2dWeightGrad(g.storage, x.storage, geo, weight.shape, g.dtype, cols, needBias)
    : null;
  const dx = x.requiresGrad
    ? new Tensor(kernels.conv2dInputGrad(g.storage, weight.storage, geo, x.shape, g.dtype))
    : null;
  const biasGrad = grads?.bias ?? (needBias ? kernels.conv2dBiasGrad(g.storage, geo, g.dtype) : null);
  return [dx, grads ? new Tensor(grads.weight) : null, biasGrad ? new Tensor(biasGrad) : null];
}

/**
 * 2-D convolution (cross-correlation, as `torch.nn.functional.conv2d`) of `x` [N, C, H, W] (or
 * unbatched [C, H, W]) with `weight` [out, C, kh, kw], plus `bias` [out] when given. Output sizes
 * are floor((H + 2·padding − kh) / stride) + 1. Differentiable in `x`, `weight` and `bias`.
 * @example
 * const x = Tensor.randn([8, 1, 28, 28]);
 * conv2d(x, Tensor.randn([32, 1, 3, 3]), null, { padding: 1 }).shape; // [8, 32, 28, 28]
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  { stride = 1, padding = 0, activation = null }: Conv2dOptions = {},
): Tensor {
  return conv2dOp(bias ? [x, weight, bias] : [x, weight], { stride, padding, activation });
}

/** A conv2dReluMaxPool2d call: the convolution's geometry and the pooling's over its output. */
interface ConvPoolAttrs extends ConvAttrs {
  pool: WindowGeometry;
}

// The fused ops, conv2d with activation "relu" and this one, serve nn's fusion pass
// (packages/nn/src/fusion.ts); ops/conv-fusion.test.ts holds each to its unfused twin, bit for bit.
// saved: each window's winner, an index into the convolution's output
const conv2dReluMaxPool2dOp = defineOp<ConvPoolAttrs, WindowAttrs, Int32Array>({
  name: "conv2dReluMaxPool2d",
  check: (inputs, attrs) => {
    const geo = checkConv2d(inputs, attrs);
    const convShape = geo.unbatched ? [geo.o, geo.oh, geo.ow] : [geo.n, geo.o, geo.oh, geo.ow];
    const pool = windowGeometry("maxPool2d", convShape, [2, 2], [2, 2], [0, 0], geo.o);
    return { ...geo, keepColumns: false, relu: true, pool };
  },
  // one pass where the wasm units run it (the convolution's output never leaves their memory),
  // else conv2d with relu, then maxPool2d; either way the winners are kept for the backward
  forward: ([x, weight, bias], g, ctx) => {
    const fused = kernels.conv2dReluMaxPool2x2(x, weight, bias ?? null, g, g.pool, g.dtype);
    const { out, winners } = fused ?? pool.maxPool2d(kernels.conv2d(x, weight, bias ?? null, g, g.dtype, undefined, true), g.pool);
    ctx.save(winners);
    return out;
  },
  // each window's gradient goes to its winner where relu passed it (the pooled value is positive
  // or NaN), then on through conv2d's backward
  backward: (gOut, inputs, out, geo, winners) => {
    // a first layer (x needs no gradient): the wasm units can take the pooled gradient directly
    const [x, weight, bias] = inputs;
    if (!x.requiresGrad && weight.requiresGrad) {
      const needBias = bias?.requiresGrad ?? false;
      const direct = kernels.conv2dReluMaxPoolWeightGrad(
        gOut.storage, out.storage, winners!, x.storage, geo, weight.shape, gOut.dtype, needBias,
      );
      if (direct !== null) return [null, new Tensor(direct.weight), direct.bias ? new Tensor(direct.bias) : null];
    }
    const { n, o, oh, ow, unbatched } = geo;
    const shape = unbatched ? [o, oh, ow] : [n, o, oh, ow];
    return convGrads(new Tensor(pool.maxPoolReluGrad(gOut.storage, out.storage, winners!, shape)), inputs, geo);
  },
});

/**
 * `maxPool2d(conv2d(x, weight, bias, { stride, padding }).relu(), 2)` as one op: the same values
 * and gradients, and where the wasm kernels run it (float32, stride 1) the convolution's output
 * is pooled where the threads compute it, without an array of its own. nn's fusion pass
 * (packages/nn/src/fusion.ts) uses it for a Conv2D, a ReLU and a 2×2 MaxPool2D in a row.
 * @example
 * const x = Tensor.randn([8, 1, 28, 28]);
 * conv2dReluMaxPool2d(x, Tensor.randn([32, 1, 3, 3]), null, { padding: 1 }).shape; // [8, 32, 14, 14]
 */
export function conv2dReluMaxPool2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  { stride = 1, padding = 0 }: Omit<Conv2dOptions, "activation"> = {},
): Tensor {
  return conv2dReluMaxPool2dOp(bias ? [x, weight, bias] : [x, weight], { stride, padding });
}

interface PoolAttrs extends WindowAttrs {
  kernelSize: Size2d;
}

function checkMaxPool2d(
  [x]: readonly Tensor[],
  { kernelSize, stride, padding }: PoolAttrs,
): WindowGeometry {
  const k = pair("maxPool2d", "kernelSize", kernelSize, 1);
  const s = pair("maxPool2d", "stride", stride, 1);
  const p = pair("maxPool2d", "padding", padding, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
    throw new TensorError(
      `maxPool2d: padding ${formatShape(p)} must be at most half the kernel size ${formatShape(k)}`,
    );
  }
  const c = inputDims("maxPool2d", x.shape)[1];
  return windowGeometry("maxPool2d", x.shape, k, s, p, c);
}

const maxPool2dOp = defineOp<WindowGeometry, PoolAttrs, Int32Array>({
  name: "maxPool2d",
  check: checkMaxPool2d,
  // NOTE: like PyTorch, the forward saves the winners' indices for the backward
  forward: ([x], g, ctx) => {
    const { out, winners } = pool.maxPool2d(x, g);
    ctx.save(winners);
    return out;
  },
  // d max / d x_i = 1 for the element that won the window (the first on ties), 0 elsewhere
  backward: (g, [x], _out, geo, winners) => [new Tensor(pool.maxPool2dGrad(g.storage, x.storage, geo, winners))],
});

/**
 * 2-D max pooling (`torch.nn.functional.max_pool2d`) of `x` [N, C, H, W] (or [C, H, W]): the
 * largest element of each kernelSize window, moved by `stride` (default kernelSize) over the input
 * padded with -Infinity. The gradient goes to each window's first maximum.
 * @example
 * maxPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).toArray(); // [[[[4]]]]
 */
export function maxPool2d(
  x: Tensor,
  kernelSize: Size2d,
  { stride = null, padding = 0 }: MaxPool2dOptions = {},
): Tensor {
  return maxPool2dOp([x], { kernelSize, stride: stride ?? kernelSize, padding });
}
