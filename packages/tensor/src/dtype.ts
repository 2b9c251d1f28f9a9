// Data types, their typed arrays, and PyTorch's promotion rule int32 < float32 < float64.

import { TensorError } from "./errors.js";
import { freeBuffer, track } from "./memory.js";
import { formatShape } from "./shape.js";

/** The element type of a tensor. */
export type DType = "float32" | "float64" | "int32";

/** The typed array that stores elements of each dtype. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

const RANK: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** Every dtype, in promotion order from the highest. */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** True for float32 and float64: the dtypes that can require grad. */
export function isFloat(dtype: DType): boolean {
  return dtype !== "int32";
}

/**
 * The higher of two dtypes (`torch.promote_types`). Binary ops call `resultType`, which also
 * weighs whether an operand is 0-d.
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** What promotion reads of an operand: its dtype and its shape (0-d or not). */
export interface Promotable {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/**
 * The dtype a binary op between tensors `a` and `b` computes in (PyTorch's `result_type`): the
 * higher of the two, except that a 0-d operand beside one with dims decides only when its kind
 * (int < float) is higher, so float32 [3] + float64 0-d gives float32 and int32 [3] + float64
 * 0-d gives float64.
 */
export function resultType(a: Promotable, b: Promotable): DType {
  const aIsScalar = a.shape.length === 0;
  if (aIsScalar === (b.shape.length === 0)) return promoteTypes(a.dtype, b.dtype);
  const [scalar, dimmed] = aIsScalar ? [a.dtype, b.dtype] : [b.dtype, a.dtype];
  return isFloat(scalar) && !isFloat(dimmed) ? scalar : dimmed;
}

/** The dtype of `t op x` for a JS number `x`: a fraction with an int32 tensor gives float32. */
export function promoteScalar(dtype: DType, x: number): DType {
  return dtype === "int32" && !Number.isInteger(x) ? "float32" : dtype;
}

/**
 * The most elements one tensor may hold: the length limit of a typed array in Node 20's V8 (the
 * same for every dtype). Larger sizes are refused before any memory is asked for.
 */
export const MAX_ELEMENTS = 2 ** 32;

/**
 * A zero-filled typed array of `size` elements for `dtype`, in the memory of a dead array of the
 * same byte length when one is free (memory.ts). A size over MAX_ELEMENTS, or memory the engine
 * cannot give, throws a TensorError naming `op` and `shape` (never V8's RangeError).
 */
export function allocate(dtype: DType, size: number, op = "allocate", shape: readonly number[] = [size]): TypedArray {
  const count = () => shape.reduce((n, d) => n * BigInt(d), BigInt(1)); // exact, past 2^53 too
  const what = () => `${op}: shape ${formatShape(shape)} has ${count()} elements`;
  if (size > MAX_ELEMENTS) {
    throw new TensorError(`${what()}, more than the ${MAX_ELEMENTS} a ${dtype} tensor can hold`);
  }
  let data: TypedArray;
  const reused = freeBuffer(size * BYTES[dtype]);
  if (reused !== undefined) {
    data = dtype === "float32" ? new Float32Array(reused) : dtype === "float64" ? new Float64Array(reused) : new Int32Array(reused);
    data.fill(0);
  } else {
    try {
      data = dtype === "float32" ? new Float32Array(size) : dtype === "float64" ? new Float64Array(size) : new Int32Array(size);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      throw new TensorError(`${what()} of ${dtype}; their ${size * BYTES[dtype]} bytes could not be allocated`);
    }
  }
  track(data);
  fresh?.add(data);
  return data;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

/** Arrays made by `allocate` while the autograd engine runs a backward pass (see trackFresh). */
let fresh: WeakSet<TypedArray> | null = null;

/**
 * Makes `allocate` record every array it creates into `set` (null stops it) and returns the set
 * recorded into before, so that calls nest. The engine uses it to tell a gradient computed in its
 * own pass, which nothing else can hold, from one that may be shared.
 */
export function trackFresh(set: WeakSet<TypedArray> | null): WeakSet<TypedArray> | null {
  const before = fresh;
  fresh = set;
  return before;
}

/** The dtype whose storage `data` is. */
export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

/** Returns `dtype` when it names a dtype; throws a TensorError naming `op` otherwise. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64" || dtype === "int32") return dtype;
  throw new TensorError(
    `${op}: unknown dtype ${String(dtype)} (expected float32, float64 or int32)`,
  );
}
