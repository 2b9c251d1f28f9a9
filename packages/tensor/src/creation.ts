// Creation functions: tensor() from JS data, and zeros, ones, full, arange, eye, rand, randn.
// Every one defaults to float32 unless a dtype is given.

import {
  allocate,
  checkDType,
  dtypeOfArray,
  isFloat,
  type DType,
  type TypedArray,
} from "./dtype.js";
import { TensorError } from "./errors.js";
import { getGlobalRng, type Rng } from "./rng.js";
import { checkShape, formatShape, sizeOf, type Shape } from "./shape.js";
import { makeStorage } from "./storage.js";
import { Tensor, type CreationOptions, type NestedArray, type RandomOptions } from "./tensor.js";

/** Options of `tensor()`: a shape for flat typed-array data, a dtype, and requiresGrad. */
export interface TensorOptions extends CreationOptions {
  /** The shape to give flat data (a typed array or a flat array); inferred from nested arrays. */
  shape?: Shape;
}

/**
 * Makes a tensor from nested arrays or a typed array (copied). Nested arrays default to float32;
 * a typed array keeps its own dtype unless `dtype` is given. Like `torch.tensor`.
 * @example
 * const x = tensor([[1, 2], [3, 4]]);           // float32 [2,2]
 * const y = tensor(new Int32Array([1, 2, 3]));  // int32 [3]
 * const z = tensor(new Float64Array(6), { shape: [2, 3] });
 */
export function tensor(
  data: NestedArray | TypedArray | readonly NestedArray[],
  opts: TensorOptions = {},
): Tensor {
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, opts);
  const dtype = checkOptions("tensor", opts);
  const shape = inferShape(data);
  const out = allocate(dtype, sizeOf(shape), "tensor", shape);
  let i = 0;
  const fill = (value: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (typeof value !== "number") {
        throw new TensorError(`tensor: expected a number at depth ${dim}, got ${describe(value)}`);
      }
      out[i++] = dtype === "int32" ? Math.trunc(value) : value;
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) {
      throw new TensorError(
        `tensor: ragged nested array: expected ${shape[dim]} elements at depth ${dim}, got ${describe(value)}`,
      );
    }
    for (const v of value) fill(v, dim + 1);
  };
  fill(data, 0);
  return fromArray(out, dtype, withShape(shape, opts.shape), opts.requiresGrad);
}

function fromTypedArray(data: ArrayBufferView, opts: TensorOptions): Tensor {
  if (!(
    data instanceof Float32Array ||
    data instanceof Float64Array ||
    data instanceof Int32Array
  )) {
    throw new TensorError(
      `tensor: unsupported ${data.constructor.name} (expected Float32Array, Float64Array or Int32Array)`,
    );
  }
  const dtype = checkOptions("tensor", { ...opts, dtype: opts.dtype ?? dtypeOfArray(data) });
  const shape = withShape([data.length], opts.shape);
  return fromArray(toDType(data, dtype), dtype, shape, opts.requiresGrad);
}

/** `given` (checked to hold as many elements as `inferred`) or else `inferred`. */
function withShape(inferred: Shape, given: Shape | undefined): Shape {
  if (given === undefined) return inferred;
  const shape = checkShape("tensor", given);
  if (sizeOf(shape) !== sizeOf(inferred)) {
    throw new TensorError(
      `tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, got ${sizeOf(inferred)}`,
    );
  }
  return shape;
}

/** The dtype of a creation call (float32 unless given); throws before any work on bad options. */
function checkOptions(op: string, opts: CreationOptions): DType {
  const dtype = checkDType(op, opts.dtype ?? "float32");
  if (opts.requiresGrad && !isFloat(dtype)) {
    throw new TensorError(`${op}: only float tensors can require grad, got ${dtype}`);
  }
  return dtype;
}

function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let v = data;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function toDType(data: TypedArray, dtype: DType): TypedArray {
  const out = allocate(dtype, data.length);
  if (dtype === "int32" && !(data instanceof Int32Array)) {
    for (let i = 0; i < data.length; i++) out[i] = Math.trunc(data[i]);
  } else {
    out.set(data);
  }
  return out;
}

function fromArray(data: TypedArray, dtype: DType, shape: Shape, requiresGrad = false): Tensor {
  return new Tensor(makeStorage(data, dtype, shape), requiresGrad);
}

function filled(op: string, shape: Shape, value: number, opts: CreationOptions): Tensor {
  const s = checkShape(op, shape);
  const dtype = checkOptions(op, opts);
  const data = allocate(dtype, sizeOf(s), op, s);
  if (value !== 0) data.fill(value);
  return fromArray(data, dtype, s, opts.requiresGrad);
}

/** A tensor of zeros, float32 unless `opts.dtype` says otherwise (`torch.zeros`). */
export function zeros(shape: Shape, opts: CreationOptions = {}): Tensor {
  return filled("zeros", shape, 0, opts);
}

/** A tensor of ones (`torch.ones`). */
export function ones(shape: Shape, opts: CreationOptions = {}): Tensor {
  return filled("ones", shape, 1, opts);
}

/** A tensor filled with `value` (`torch.full`). */
export function full(shape: Shape, value: number, opts: CreationOptions = {}): Tensor {
  if (typeof value !== "number") {
    throw new TensorError(`full: value must be a number, got ${describe(value)}`);
  }
  return filled("full", shape, value, opts);
}

/** Zeros with the shape of `t`, and its dtype unless `opts.dtype` is given (`torch.zeros_like`). */
export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return filled("zerosLike", t.shape, 0, { ...opts, dtype: opts.dtype ?? t.dtype });
}

/** Ones with the shape of `t`, and its dtype unless `opts.dtype` is given (`torch.ones_like`). */
export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return filled("onesLike", t.shape, 1, { ...opts, dtype: opts.dtype ?? t.dtype });
}

/**
 * Values from `start` up to (not including) `stop` by `step`; `arange(n)` counts 0..n-1
 * (`torch.arange`). float32 unless `opts.dtype` is given.
 */
export function arange(start: number, stop?: number, step = 1, opts: CreationOptions = {}): Tensor {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (![from, to, step].every(Number.isFinite) || step === 0) {
    throw new TensorError(
      `arange: start, stop and step must be finite with step != 0, got ${from}, ${to}, ${step}`,
    );
  }
  if (Math.sign(to - from) === -Math.sign(step)) {
    throw new TensorError(`arange: step ${step} moves away from stop ${to} (start ${from})`);
  }
  const dtype = checkOptions("arange", opts);
  const n = Math.ceil((to - from) / step);
  const data = allocate(dtype, n, "arange", [n]);
  for (let i = 0; i < n; i++) data[i] = from + i * step;
  return fromArray(data, dtype, [n], opts.requiresGrad);
}

/** The n×n identity matrix (`torch.eye`). */
export function eye(n: number, opts: CreationOptions = {}): Tensor {
  const t = filled("eye", [n, n], 0, opts);
  for (let i = 0; i < n; i++) t.storage.data[i * n + i] = 1;
  return t;
}

/** Uniform samples in [0, 1) from `opts.rng` or the global generator (`torch.rand`). */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return random("rand", shape, opts, (rng) => rng.uniform());
}

/** Standard normal samples from `opts.rng` or the global generator (`torch.randn`). */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return random("randn", shape, opts, (rng) => rng.normal());
}

function random(op: string, shape: Shape, opts: RandomOptions, draw: (rng: Rng) => number): Tensor {
  if (opts.dtype === "int32") {
    throw new TensorError(`${op}: dtype must be float32 or float64, got int32`);
  }
  const t = filled(op, shape, 0, opts);
  const rng = opts.rng ?? getGlobalRng();
  const data = t.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return t;
}
