// The backward pass's bookkeeping: gradients waiting to be passed on, how many holders share each
// array (so a gradient no one else holds can be handed out as scratch), the leaves' gradients, and
// sumToShape, the only code that undoes broadcasting. Arithmetic runs on kernels, never through ops.

import { trackFresh, type TypedArray } from "../dtype.js";
import { TensorError } from "../errors.js";
import { castStorage } from "../kernels/copy.js";
import { mapBinary } from "../kernels/elementwise.js";
import { reduce } from "../kernels/reduce.js";
import { formatShape, shapesEqual, type Shape } from "../shape.js";
import { isContiguous, makeStorage, type Storage } from "../storage.js";
import { Tensor } from "../tensor.js";

/**
 * The gradients of one backward pass: those not yet passed on, per tensor, and those that reached
 * a leaf. It knows which arrays were allocated during the pass (dtype.ts's trackFresh), which
 * nothing outside can hold, and how many holders share each, so that a gradient no one else holds
 * can be handed to an op's backward as scratch.
 */
export class PendingGradients {
  private readonly grads = new Map<Tensor, Storage>();
  private readonly holders = new Map<TypedArray, number>();
  private readonly computed = new WeakSet<TypedArray>();
  private readonly leaves: [Tensor, Storage][] = [];

  /** Runs `pass`, counting every array allocated meanwhile as computed in this pass. */
  record(pass: () => void): void {
    const outer = trackFresh(this.computed);
    try {
      pass();
    } finally {
      trackFresh(outer);
    }
  }

  /** Removes and returns the gradient waiting for `t` (undefined when none reached it). */
  take(t: Tensor): Storage | undefined {
    const g = this.grads.get(t);
    if (g === undefined) return undefined;
    this.grads.delete(t); // free each gradient as soon as it has been passed on
    this.hold(g, -1);
    return g;
  }

  /** Adds `g` (already of t's shape and dtype) to the gradient waiting for `t`. */
  add(t: Tensor, g: Storage): void {
    const previous = this.grads.get(t);
    const next = previous ? accumulate(previous, g) : g;
    if (previous) this.hold(previous, -1);
    this.hold(next, 1);
    this.grads.set(t, next);
  }

  /** Keeps `g`, the whole gradient of the leaf `t`, for `storeInLeaves` (it is never overwritten). */
  reachLeaf(t: Tensor, g: Storage): void {
    this.leaves.push([t, g]);
    this.hold(g, 1);
  }

  /** True when `g` was computed in this pass, is dense and no pending gradient or leaf holds it. */
  isScratch(g: Storage): boolean {
    return this.isFresh(g) && !this.holders.has(g.data);
  }

  /**
   * Adds each leaf's gradient into its `.grad`. A leaf takes a gradient computed in this pass as
   * its own when it is dense and no other leaf got it (`add` passes g to both sides); anything
   * else (a view, a broadcast, a tensor an op's backward returned from elsewhere) is copied, so a
   * `.grad` never shares memory.
   */
  storeInLeaves(): void {
    const handedOut = new Set<TypedArray>();
    for (const [leaf, g] of this.leaves) {
      if (leaf.grad) leaf.grad = new Tensor(accumulate(leaf.grad.storage, g));
      else if (g.dtype === leaf.dtype && this.isFresh(g) && !handedOut.has(g.data)) leaf.grad = new Tensor(g);
      else leaf.grad = new Tensor(castStorage(g, leaf.dtype));
      handedOut.add(leaf.grad.storage.data);
    }
  }

  /** True when `g` was computed in this pass and is dense from index 0. */
  private isFresh(g: Storage): boolean {
    return this.computed.has(g.data) && ownsExactly(g);
  }

  private hold(s: Storage, by: number): void {
    const count = (this.holders.get(s.data) ?? 0) + by;
    if (count === 0) this.holders.delete(s.data);
    else this.holders.set(s.data, count);
  }
}

/** True when `s` is contiguous and its data holds exactly its elements, from index 0. */
function ownsExactly(s: Storage): boolean {
  return s.offset === 0 && s.data.length === s.size && isContiguous(s);
}

/** a + b for gradients of one shape and dtype. */
function accumulate(a: Storage, b: Storage): Storage {
  return mapBinary(a, b, "add", a.shape, a.dtype);
}

/** `g` reduced to `shape` (sumToShape) and cast to `dtype`, as the input of an op's backward needs it. */
export function fitGradient(op: string, g: Storage, shape: Shape, dtype: Storage["dtype"], inputIndex: number): Storage {
  const reduced = sumToShape(op, g, shape, inputIndex);
  return reduced.dtype === dtype ? reduced : castStorage(reduced, dtype);
}

/**
 * Sums a gradient over the dims that broadcasting expanded, so it gets the input's `shape`.
 * Throws when the gradient cannot have come from an input of that shape.
 */
export function sumToShape(op: string, g: Storage, shape: Shape, inputIndex = 0): Storage {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const fits = lead >= 0 && shape.every((d, i) => d === g.shape[lead + i] || d === 1);
  if (!fits) {
    throw new TensorError(
      `${op}: gradient for input ${inputIndex} has shape ${formatShape(g.shape)}, expected ${formatShape(shape)}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  return makeStorage(reduce(g, dims, true, "sum").data, g.dtype, shape);
}
