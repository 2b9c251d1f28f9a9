// The strided iteration every kernel shares: adjacent dims that are contiguous for all operands are
// merged, then the outer dims are walked row by row while the kernel runs its own inner loop.

import type { Shape } from "../shape.js";

/**
 * Walks the rows (all dims but the last) of up to three operands that share one shape.
 * After each `next()`, `offsets[k]` is the data index of the row's first element in operand k;
 * the kernel steps through `rowLength` elements with `rowStrides[k]`.
 */
export class RowIterator {
  readonly rowLength: number;
  readonly rowStrides: number[];
  readonly offsets: number[];
  private readonly outerShape: number[];
  private readonly outerStrides: number[][];
  private readonly counter: number[];
  private remaining: number;
  private started = false;

  constructor(shape: Shape, strides: readonly (readonly number[])[], offsets: readonly number[]) {
    const { shape: dims, strides: merged } = collapseDims(shape, strides);
    const last = dims.length - 1;
    this.rowLength = last >= 0 ? dims[last] : 1;
    this.rowStrides = merged.map((s) => (last >= 0 ? s[last] : 0));
    this.outerShape = dims.slice(0, Math.max(last, 0));
    this.outerStrides = merged.map((s) => s.slice(0, Math.max(last, 0)));
    this.counter = new Array<number>(this.outerShape.length).fill(0);
    this.offsets = [...offsets];
    let rows = 1;
    for (const d of this.outerShape) rows *= d;
    this.remaining = dims.some((d) => d === 0) ? 0 : rows;
  }

  /** Moves to the next row; false when every row has been visited. */
  next(): boolean {
    if (this.remaining === 0) return false;
    this.remaining--;
    if (!this.started) {
      this.started = true;
      return true;
    }
    for (let d = this.outerShape.length - 1; d >= 0; d--) {
      this.counter[d]++;
      for (let k = 0; k < this.offsets.length; k++) this.offsets[k] += this.outerStrides[k][d];
      if (this.counter[d] < this.outerShape[d]) return true;
      for (let k = 0; k < this.offsets.length; k++) {
        this.offsets[k] -= this.outerStrides[k][d] * this.outerShape[d];
      }
      this.counter[d] = 0;
    }
    return true;
  }
}

/** Drops size-1 dims and merges neighbours that are contiguous in every operand. */
export function collapseDims(
  shape: Shape,
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i]);
    if (mergeable) {
      outShape[last] *= shape[i];
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][i];
    } else {
      outShape.push(shape[i]);
      for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][i]);
    }
  }
  if (outShape.length === 0 && shape.every((d) => d === 1)) {
    return { shape: [1], strides: strides.map(() => [0]) };
  }
  return { shape: outShape, strides: outStrides };
}
