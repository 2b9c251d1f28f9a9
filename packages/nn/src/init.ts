// Initialisers: fill a tensor in place from its fan-in/fan-out, with PyTorch's formulas
// (torch.nn.init). Linear and Conv2D call them on their weights.

import { formatShape, getGlobalRng, noGrad, tensor, Tensor, TensorError, type Rng } from "@tg/tensor";

/** Options every initialiser takes: the generator to draw from (the global one by default). */
export interface InitOptions {
  /** The generator to draw from; the global one when omitted. */
  rng?: Rng;
}

/** A function that fills `t` in place and returns it, as Linear's and Conv2D's `init` option. */
export type Initializer = (t: Tensor, opts?: InitOptions) => Tensor;

/** Options of the Xavier initialisers: `gain` scales the standard deviation (default 1). */
export interface XavierOptions extends InitOptions {
  /** Scales the bound or standard deviation (see `calculateGain`); default 1. */
  gain?: number;
}

/** A non-linearity `calculateGain` knows, as in PyTorch. */
export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** Options of the Kaiming initialisers, with PyTorch's defaults. */
export interface KaimingOptions extends InitOptions {
  /** The negative slope of the leaky ReLU that follows (default 0, used with "leaky_relu"). */
  a?: number;
  /** Keep the variance of the forward pass ("fan_in", default) or of the backward pass ("fan_out"). */
  mode?: "fan_in" | "fan_out";
  /** The non-linearity that follows (default "leaky_relu", which with a = 0 gives gain √2). */
  nonlinearity?: Nonlinearity;
}

/**
 * The fan-in and fan-out of a weight: `shape[1]` and `shape[0]` times the receptive field (the
 * product of the dims after the second), as PyTorch's `_calculate_fan_in_and_fan_out`.
 */
export function fanInAndFanOut(shape: readonly number[], op = "fanInAndFanOut"): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new TensorError(
      `${op}: fan-in and fan-out need a tensor with at least 2 dims, got ${formatShape(shape)}`,
    );
  }
  let receptiveField = 1;
  for (let i = 2; i < shape.length; i++) receptiveField *= shape[i];
  return { fanIn: shape[1] * receptiveField, fanOut: shape[0] * receptiveField };
}

/**
 * The recommended gain for a non-linearity (PyTorch's `calculate_gain`): 1 for linear, conv and
 * sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu (slope 0.01 unless
 * `param` is given), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new RangeError(`calculateGain: negative slope must be finite, got ${slope}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * Fills `t` with U(-b, b), b = gain · √(6 / (fanIn + fanOut)) (Glorot & Bengio 2010; PyTorch's
 * `xavier_uniform_`). The default initialiser of Linear and Conv2D.
 */
export function xavierUniform(t: Tensor, { rng, gain = 1 }: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape, "xavierUniform");
  const bound = checkGain("xavierUniform", gain) * Math.sqrt(6 / (fanIn + fanOut));
  return fillWith("xavierUniform", t, rng, (r) => (2 * r.uniform() - 1) * bound);
}

/** Fills `t` with N(0, std²), std = gain · √(2 / (fanIn + fanOut)) (PyTorch's `xavier_normal_`). */
export function xavierNormal(t: Tensor, { rng, gain = 1 }: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape, "xavierNormal");
  const std = checkGain("xavierNormal", gain) * Math.sqrt(2 / (fanIn + fanOut));
  return fillWith("xavierNormal", t, rng, (r) => r.normal() * std);
}

/**
 * Fills `t` with U(-b, b), b = gain · √(3 / fan) with gain = calculateGain(nonlinearity, a)
 * (He et al. 2015; PyTorch's `kaiming_uniform_`, same defaults).
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform", t.shape, opts);
  return fillWith("kaimingUniform", t, opts.rng, (r) => (2 * r.uniform() - 1) * bound);
}

/** Fills `t` with N(0, std²), std = gain / √fan (PyTorch's `kaiming_normal_`, same defaults). */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd("kaimingNormal", t.shape, opts);
  return fillWith("kaimingNormal", t, opts.rng, (r) => r.normal() * std);
}

/** Fills `t` with zeros in place (PyTorch's `zeros_`). */
export function zeros(t: Tensor, _opts: InitOptions = {}): Tensor {
  return noGrad(() => t.fill_(0));
}

/** Fills `t` with ones in place (PyTorch's `ones_`). */
export function ones(t: Tensor, _opts: InitOptions = {}): Tensor {
  return noGrad(() => t.fill_(1));
}

function kaimingStd(op: string, shape: readonly number[], opts: KaimingOptions): number {
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" } = opts;
  if (mode !== "fan_in" && mode !== "fan_out") {
    throw new RangeError(`${op}: mode must be "fan_in" or "fan_out", got ${JSON.stringify(mode)}`);
  }
  const { fanIn, fanOut } = fanInAndFanOut(shape, op);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === "fan_in" ? fanIn : fanOut);
}

function checkGain(op: string, gain: number): number {
  if (typeof gain !== "number" || !Number.isFinite(gain)) {
    throw new RangeError(`${op}: gain must be a finite number, got ${String(gain)}`);
  }
  return gain;
}

/** Draws every element (row-major) from `draw` and copies them into `t` under noGrad. */
function fillWith(op: string, t: Tensor, rng: Rng | undefined, draw: (r: Rng) => number): Tensor {
  if (t.dtype === "int32") {
    throw new TensorError(`${op}: only float tensors can be filled with random values, got ${t.dtype}`);
  }
  const r = rng ?? getGlobalRng();
  const values = new Float64Array(t.size);
  for (let i = 0; i < values.length; i++) values[i] = draw(r);
  const source = tensor(values, { shape: t.shape, dtype: t.dtype });
  return noGrad(() => t.copy_(source));
}
