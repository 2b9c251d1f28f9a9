// Shapes and strides: validation, broadcasting (NumPy's rules, in this one place) and dims.

import { TensorError } from "./errors.js";

/** A tensor's shape: one size per dim. Never mutated. */
export type Shape = readonly number[];

/** Prints a shape as `[64,784]`, the form every error message uses. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** The number of elements of a tensor of `shape` (1 for a 0-d tensor). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Checks that `shape` is an array of non-negative integers and returns a copy. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    throw new TensorError(`${op}: shape must be an array of sizes, got ${String(shape)}`);
  }
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new TensorError(
        `${op}: shape ${formatShape(shape)} must hold non-negative integers, got ${String(d)}`,
      );
    }
  }
  return [...shape];
}

/**
 * Resolves a possibly negative `dim` of an `ndim`-d tensor, or throws naming the valid range.
 * With `insert`, `dim` names a position for a new dim (`unsqueeze`, `stack`): -(ndim+1)..ndim.
 * A 0-d tensor accepts dim 0 and -1, as in PyTorch.
 */
export function normalizeDim(op: string, dim: number, ndim: number, insert = false): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TensorError(`${op}: dim must be an integer, got ${String(dim)}`);
  }
  const count = Math.max(insert ? ndim + 1 : ndim, 1);
  if (dim < -count || dim >= count) {
    throw new TensorError(
      `${op}: dim ${dim} is out of range for a ${ndim}-d tensor (expected ${-count}..${count - 1})`,
    );
  }
  return dim < 0 ? dim + count : dim;
}

/** Resolves `dim` (one, several, or all when undefined) into sorted, distinct dims. */
export function normalizeDims(
  op: string,
  dim: number | readonly number[] | undefined,
  ndim: number,
): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  if (typeof dim !== "number" && !Array.isArray(dim)) {
    throw new TensorError(`${op}: dim must be a number or an array of numbers, got ${String(dim)}`);
  }
  const list = typeof dim === "number" ? [dim] : [...dim];
  const dims = list.map((d) => normalizeDim(op, d, ndim));
  const sorted = [...new Set(dims)].sort((a, b) => a - b);
  if (sorted.length !== dims.length) {
    throw new TensorError(`${op}: dims ${formatShape(list)} name the same dim twice`);
  }
  return ndim === 0 ? [] : sorted;
}

/** The shape two operands broadcast to, aligned from the right; throws when they do not. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new TensorError(`${op}: cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(
  shape: Shape,
  strides: readonly number[],
  target: Shape,
): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[lead + i] = shape[i] === 1 && target[lead + i] !== 1 ? 0 : strides[i];
  }
  return out;
}

/** True when both shapes have the same sizes in the same order. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
