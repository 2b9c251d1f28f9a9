// Creation functions: tensor() from JS data, and zeros, ones, full, arange, eye, rand, randn.
// Every one defaults to float32 unless a dtype is given.

import { allocate, checkDType, dtypeOfArray, type DType, type TypedArray } from "./dtype.js";
import { TensorError } from "./errors.js";
import { getGlobalRng } from "./rng.js";
import { checkShape, formatShape, sizeOf, type Shape } from "./shape.js";
import { makeStorage } from "./storage.js";
import { Tensor, type CreationOptions, type NestedArray, type RandomOptions } from "./tensor.js";

/** Options of `tensor()`: a shape for flat typed-array data, a dtype, and requiresGrad. */
export interface TensorOptions extends CreationOptions {
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
  if (ArrayBuffer.isView(data)) {
    const dtype = opts.dtype === undefined ? dtypeOfArray(data) : checkDType("tensor", opts.dtype);
    const shape = opts.shape === undefined ? [data.length] : checkShape("tensor", opts.shape);
    if (sizeOf(shape) !== data.length) {
      throw new TensorError(
        `tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, got ${data.length}`,
      );
    }
    return fromArray(toDType(data, dtype), dtype, shape, opts.requiresGrad);
  }
  const dtype = checkDType("tensor", opts.dtype ?? "float32");
  const shape = inferShape(data);
  const out = allocate(dtype, sizeOf(shape));
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
  if (opts.shape !== undefined) {
    const target = checkShape("tensor", opts.shape);
    if (sizeOf(target) !== out.length) {
      throw new TensorError(
        `tensor: shape ${formatShape(target)} needs ${sizeOf(target)} elements, got ${out.length}`,
      );
    }
    return fromArray(out, dtype, target, opts.requiresGrad);
  }
  return fromArray(out, dtype, shape, opts.requiresGrad);
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
  const dtype = checkDType(op, opts.dtype ?? "float32");
  const data = allocate(dtype, sizeOf(s));
  if (value !== 0) data.fill(value);
  return fromArray(data, dtype, s, opts.requiresGrad);
}

/** A tensor of zeros (`torch.zeros`). */
export function zeros(shape: Shape, opts: CreationOptions = {}): Tensor {
  return filled("zeros", shape, 0, opts);
}

/** A tensor of ones (`torch.ones`). */
export function ones(shape: Shape, opts: CreationOptions = {}): Tensor {
  return filled("ones", shape, 1, opts);
}

/** A tensor filled with `value` (`torch.full`). */
export function full(shape: Shape, value: number, opts: CreationOptions = {}): Tensor {
  if (typeof value !== "number") throw new TensorError(`full: value must be a number, got ${describe(value)}`);
  return filled("full", shape, value, opts);
}

/** Zeros with the shape and dtype of `t`. */
export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return filled("zerosLike", t.shape, 0, { dtype: t.dtype, ...opts });
}

/** Ones with the shape and dtype of `t`. */
export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return filled("onesLike", t.shape, 1, { dtype: t.dtype, ...opts });
}

/** Values from `start` up to (not including) `stop` by `step`; `arange(n)` counts 0..n-1. */
export function arange(start: number, stop?: number, step = 1, opts: CreationOptions = {}): Tensor {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (![from, to, step].every(Number.isFinite) || step === 0) {
    throw new TensorError(`arange: start, stop and step must be finite with step != 0, got ${from}, ${to}, ${step}`);
  }
  const n = Math.max(0, Math.ceil((to - from) / step));
  const dtype = checkDType("arange", opts.dtype ?? "float32");
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = from + i * step;
  return fromArray(data, dtype, [n], opts.requiresGrad);
}

/** The n×n identity matrix. */
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

function random(op: string, shape: Shape, opts: RandomOptions, draw: (rng: NonNullable<RandomOptions["rng"]>) => number): Tensor {
  const t = filled(op, shape, 0, opts);
  if (t.dtype === "int32") throw new TensorError(`${op}: dtype must be float32 or float64, got int32`);
  const rng = opts.rng ?? getGlobalRng();
  const data = t.storage.data;
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return t;
}
