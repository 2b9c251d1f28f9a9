// class Tensor: a storage, its place in the autograd graph, and one-line methods that call ops/.
// The math lives in ops/ (forward and backward together) and kernels/ (the loops).

import { backward as runBackward, type BackwardOptions } from "./autograd/engine.js";
import { isGradEnabled } from "./autograd/grad-mode.js";
import type { Node } from "./autograd/op.js";
import * as creation from "./creation.js";
import { isFloat, type DType, type TypedArray } from "./dtype.js";
import { TensorError } from "./errors.js";
import { formatTensor } from "./format.js";
import { untrack } from "./memory.js";
import { castStorage, contiguousData, copyInto } from "./kernels/copy.js";
import * as activation from "./ops/activation.js";
import * as compare from "./ops/compare.js";
import * as elementwise from "./ops/elementwise.js";
import * as indexing from "./ops/indexing.js";
import * as linalg from "./ops/linalg.js";
import * as movement from "./ops/movement.js";
import * as nn from "./ops/nn.js";
import * as reduce from "./ops/reduce.js";
import * as sampling from "./ops/sampling.js";
import * as sorting from "./ops/sorting.js";
import * as statistics from "./ops/statistics.js";
import type { Rng } from "./rng.js";
import { broadcastShapes, broadcastStrides, formatShape, shapesEqual, type Shape } from "./shape.js";
import { isContiguous as isContiguousStorage, view, type Storage } from "./storage.js";

/** A nested JS array of numbers, as `tensor()` takes and `toArray()` returns. */
export type NestedArray = number | NestedArray[];
/** Options of the creation functions. */
export interface CreationOptions {
  /** The element type; float32 when omitted. */
  dtype?: DType;
  /** Whether operations on the result are recorded for `backward()` (float dtypes only). */
  requiresGrad?: boolean;
}
/** Options of `rand`/`randn`: a generator to draw from instead of the global one. */
export interface RandomOptions extends CreationOptions {
  /** The generator to draw from; the global one (`manualSeed`) when omitted. */
  rng?: Rng;
}
type Operand = Tensor | number;
type Dims = number | readonly number[];

/**
 * An n-dimensional array of float32, float64 or int32 numbers that records the operations applied
 * to it, so `backward()` can compute gradients (PyTorch's `torch.Tensor`).
 * @example
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad?.toArray(); // [2, 4, 6]
 */
export class Tensor {
  /**
   * The typed array, shape, strides and offset behind this tensor; views share `storage.data`.
   * Its memory is reused once `storage.data` is unreachable, so keep a reference to that array
   * (not only to a view of its buffer) while reading through such a view, or use `dataSync()`.
   */
  readonly storage: Storage;
  private _grad: Tensor | null = null;
  private _requiresGrad = false;
  private _node: Node | null = null;

  /** Wraps a storage; use `tensor()` or the static creation functions to make tensors. */
  constructor(storage: Storage, requiresGrad = false) {
    this.storage = storage;
    this.requiresGrad = requiresGrad;
  }

  /** The size of each dim. */
  get shape(): Shape {
    return this.storage.shape;
  }
  /** The element type: float32, float64 or int32. */
  get dtype(): DType {
    return this.storage.dtype;
  }
  /** The number of dims (0 for a scalar tensor). */
  get ndim(): number {
    return this.storage.shape.length;
  }
  /** The number of elements. */
  get size(): number {
    return this.storage.size;
  }
  /**
   * True when the elements lie in row-major order without gaps (`torch.Tensor.is_contiguous`):
   * then `storage.data` holds them from `storage.offset` on, `size` in a row.
   */
  isContiguous(): boolean {
    return isContiguousStorage(this.storage);
  }
  /**
   * The gradient accumulated by `backward()`, for leaves that require grad. Assignable: `null`
   * (as `zeroGrad()` does) or a tensor of this tensor's shape and dtype.
   */
  get grad(): Tensor | null {
    return this._grad;
  }
  /** Sets the gradient: `null` or a tensor of this tensor's shape and dtype, else a TensorError. */
  set grad(value: Tensor | null) {
    if (value !== null) {
      const fits =
        value instanceof Tensor && shapesEqual(value.shape, this.shape) && value.dtype === this.dtype;
      if (!fits) {
        const got = value instanceof Tensor ? `${value.dtype} ${formatShape(value.shape)}` : typeof value;
        throw new TensorError(
          `grad: expected null or a ${this.dtype} tensor of shape ${formatShape(this.shape)}, got ${got}`,
        );
      }
    }
    this._grad = value;
  }
  /** Whether operations on this tensor are recorded for `backward()`. Only float tensors can. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  /** Turns recording on or off; only float tensors can require grad, and only leaves can stop. */
  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.dtype)) {
      throw new TensorError(`requiresGrad: only float tensors can require grad, got ${this.dtype}`);
    }
    if (!value && this._node !== null) {
      throw new TensorError("requiresGrad: cannot turn off requiresGrad of a non-leaf tensor; use detach()");
    }
    this._requiresGrad = value;
  }
  /** The graph node that produced this tensor, or null for a leaf (PyTorch's `grad_fn`). */
  get node(): Node | null {
    return this._node;
  }
  /** True for tensors made by the user rather than by a recorded op. */
  get isLeaf(): boolean {
    return this._node === null;
  }
  /** @internal Called by `defineOp` when it records this tensor's producing op. */
  setNode(node: Node): void {
    this._node = node;
    this._requiresGrad = true;
  }

  /** A tensor of zeros, float32 unless `opts.dtype` is given (`torch.zeros`). */
  static zeros(shape: Shape, opts?: CreationOptions): Tensor { return creation.zeros(shape, opts); }
  /** A tensor of ones (`torch.ones`). */
  static ones(shape: Shape, opts?: CreationOptions): Tensor { return creation.ones(shape, opts); }
  /** A tensor filled with `value` (`torch.full`). */
  static full(shape: Shape, value: number, opts?: CreationOptions): Tensor { return creation.full(shape, value, opts); }
  /** Zeros with the shape (and, unless given, the dtype) of `t`. */
  static zerosLike(t: Tensor, opts?: CreationOptions): Tensor { return creation.zerosLike(t, opts); }
  /** Ones with the shape (and, unless given, the dtype) of `t`. */
  static onesLike(t: Tensor, opts?: CreationOptions): Tensor { return creation.onesLike(t, opts); }
  /** `start` up to, not including, `stop` by `step`; `arange(n)` is 0..n-1 (`torch.arange`). */
  static arange(start: number, stop?: number, step?: number, opts?: CreationOptions): Tensor { return creation.arange(start, stop, step, opts); }
  /** The n×n identity matrix (`torch.eye`). */
  static eye(n: number, opts?: CreationOptions): Tensor { return creation.eye(n, opts); }
  /** Uniform samples in [0, 1) from `opts.rng` or the global generator (`torch.rand`). */
  static rand(shape: Shape, opts?: RandomOptions): Tensor { return creation.rand(shape, opts); }
  /** Standard normal samples from `opts.rng` or the global generator (`torch.randn`). */
  static randn(shape: Shape, opts?: RandomOptions): Tensor { return creation.randn(shape, opts); }

  // element-wise, with broadcasting
  /** this + o, broadcast; a number takes this tensor's dtype (`torch.add`). */
  add(o: Operand): Tensor { return elementwise.add(this, o); }
  /** this - o, broadcast (`torch.sub`). */
  sub(o: Operand): Tensor { return elementwise.sub(this, o); }
  /** this · o, broadcast (`torch.mul`). */
  mul(o: Operand): Tensor { return elementwise.mul(this, o); }
  /** this / o, broadcast; true division, so int32 gives float32 (`torch.div`). */
  div(o: Operand): Tensor { return elementwise.div(this, o); }
  /** this raised to the power o, broadcast (`torch.pow`). */
  pow(o: Operand): Tensor { return elementwise.pow(this, o); }
  /** The element-wise larger of this and o; ties split the gradient; NaN passes it to both (`torch.maximum`). */
  maximum(o: Operand): Tensor { return elementwise.maximum(this, o); }
  /** The element-wise smaller of this and o; ties split the gradient; NaN passes it to both (`torch.minimum`). */
  minimum(o: Operand): Tensor { return elementwise.minimum(this, o); }
  /** -this (`torch.neg`). */
  neg(): Tensor { return elementwise.neg(this); }
  /** e^this (`torch.exp`). */
  exp(): Tensor { return elementwise.exp(this); }
  /** The natural logarithm (`torch.log`). */
  log(): Tensor { return elementwise.log(this); }
  /** The square root (`torch.sqrt`). */
  sqrt(): Tensor { return elementwise.sqrt(this); }
  /** |this|; the gradient at 0 is 0 (`torch.abs`). */
  abs(): Tensor { return elementwise.abs(this); }
  /** max(this, 0); the gradient at 0 is 0 (`torch.relu`). */
  relu(): Tensor { return elementwise.relu(this); }
  /** 1 / (1 + e^-this) (`torch.sigmoid`). */
  sigmoid(): Tensor { return elementwise.sigmoid(this); }
  /** The Gauss error function (`torch.erf`). */
  erf(): Tensor { return elementwise.erf(this); }
  /** x·Φ(x), exact or with `approximate = "tanh"` (`torch.nn.functional.gelu`). */
  gelu(approximate: activation.GeluApproximate = "none"): Tensor { return activation.gelu(this, approximate); }
  /** The hyperbolic tangent (`torch.tanh`). */
  tanh(): Tensor { return elementwise.tanh(this); }
  /** Limits to [min, max], either bound optional; the gradient passes where min <= x <= max. */
  clamp(min?: number | null, max?: number | null): Tensor { return elementwise.clamp(this, min, max); }

  // comparisons: 0/1 in the promoted dtype, never differentiable
  /** 1 where this == o, else 0, in the promoted dtype; no gradient (`torch.eq`). */
  eq(o: Operand): Tensor { return compare.eq(this, o); }
  /** 1 where this > o, else 0; no gradient (`torch.gt`). */
  gt(o: Operand): Tensor { return compare.gt(this, o); }
  /** 1 where this < o, else 0; no gradient (`torch.lt`). */
  lt(o: Operand): Tensor { return compare.lt(this, o); }
  /** 1 where this >= o, else 0; no gradient (`torch.ge`). */
  ge(o: Operand): Tensor { return compare.ge(this, o); }
  /** 1 where this <= o, else 0; no gradient (`torch.le`). */
  le(o: Operand): Tensor { return compare.le(this, o); }

  // reductions
  /** Sum over `dim` (a number or a non-empty array; all dims when omitted, giving 0-d) (`torch.sum`). */
  sum(dim?: Dims | null, keepdim = false): Tensor { return reduce.sum(this, dim, keepdim); }
  /** Mean over `dim` (all when omitted); int32 gives float32 (`torch.mean`). */
  mean(dim?: Dims | null, keepdim = false): Tensor { return reduce.mean(this, dim, keepdim); }
  /** Largest value over `dim` (`torch.amax`); tied maxima share the gradient evenly. */
  max(dim?: Dims | null, keepdim = false): Tensor { return reduce.max(this, dim, keepdim); }
  /** Smallest value over `dim` (`torch.amin`); tied minima share the gradient evenly. */
  min(dim?: Dims | null, keepdim = false): Tensor { return reduce.min(this, dim, keepdim); }
  /** Int32 index of the first maximum along `dim`, or the flat index when omitted. */
  argmax(dim?: number | null, keepdim = false): Tensor { return reduce.argmax(this, dim, keepdim); }
  /** log Σ exp(this) over `dim`, computed stably (`torch.logsumexp`). */
  logsumexp(dim: Dims, keepdim = false): Tensor { return statistics.logsumexp(this, dim, keepdim); }
  /** The variance over `dim` (all when omitted) with `correction` 1 by default (`torch.var`). */
  var(dim?: Dims | null, opts?: statistics.VarianceOptions): Tensor { return statistics.variance(this, dim, opts); }
  /** The standard deviation over `dim`, options as `var` (`torch.std`). */
  std(dim?: Dims | null, opts?: statistics.VarianceOptions): Tensor { return statistics.std(this, dim, opts); }
  /** Running sums along `dim` (`torch.cumsum`). */
  cumsum(dim: number): Tensor { return statistics.cumsum(this, dim); }

  // sorting and sampling
  /** Sorted values along `dim` and their int32 positions; stable (`torch.sort(stable=True)`). */
  sort(dim = -1, descending = false): sorting.SortResult { return sorting.sort(this, dim, descending); }
  /** The int32 positions that sort this along `dim`; stable (`torch.argsort(stable=True)`). */
  argsort(dim = -1, descending = false): Tensor { return sorting.argsort(this, dim, descending); }
  /** The k largest (or smallest) values along `dim` and their int32 positions (`torch.topk`). */
  topk(k: number, dim = -1, largest = true, sorted = true): sorting.SortResult { return sorting.topk(this, k, dim, largest, sorted); }
  /** Int32 category indices drawn from the rows of these weights (`torch.multinomial`). */
  multinomial(numSamples: number, opts?: sampling.MultinomialOptions): Tensor { return sampling.multinomial(this, numSamples, opts); }

  // shape and views
  /** The same elements in `shape` (one dim may be -1); a view when contiguous. */
  reshape(shape: Shape): Tensor { return movement.reshape(this, shape); }
  /** Same as `reshape`. */
  view(shape: Shape): Tensor { return movement.reshape(this, shape); }
  /** Merges dims `startDim..endDim` into one (`torch.flatten`). */
  flatten(startDim = 0, endDim = -1): Tensor { return movement.flatten(this, startDim, endDim); }
  /** Swaps two dims; a view (`torch.transpose`). */
  transpose(dim0: number, dim1: number): Tensor { return movement.transpose(this, dim0, dim1); }
  /** Reorders the dims; a view (`torch.permute`). */
  permute(...dims: number[]): Tensor { return movement.permute(this, dims); }
  /** Drops size-1 dims (all, or only `dim`); a view (`torch.squeeze`). */
  squeeze(dim?: number): Tensor { return movement.squeeze(this, dim); }
  /** Inserts a size-1 dim at `dim`; a view (`torch.unsqueeze`). */
  unsqueeze(dim: number): Tensor { return movement.unsqueeze(this, dim); }
  /** Repeats size-1 dims to `shape` without copying (-1 keeps a dim) (`torch.expand`). */
  expand(shape: Shape): Tensor { return movement.expand(this, shape); }
  /** Elements [start, end) along `dim`, negative indices from the end; a view. */
  slice(dim: number, start: number, end?: number): Tensor { return movement.slice(this, dim, start, end); }
  /** A contiguous copy that stays in the graph (PyTorch's `clone`). */
  clone(): Tensor { return movement.clone(this); }
  /** Views cut along `dim` in pieces of `splitSize`, or of the listed sizes (`torch.split`). */
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return indexing.split(this, splitSize, dim); }
  /** `chunks` views of equal size along `dim`, the last smaller (`torch.chunk`). */
  chunk(chunks: number, dim = 0): Tensor[] { return indexing.chunk(this, chunks, dim); }

  // indexing
  /** The slices at the int32 positions `index` (1-D) along `dim` (`torch.index_select`). */
  indexSelect(dim: number, index: Tensor): Tensor { return indexing.indexSelect(this, dim, index); }
  /** The rows at the int32 indices `index` (any shape; negative from the end), PyTorch's `x[index]`. */
  index(index: Tensor): Tensor { return indexing.index(this, index); }
  /** out[i][j] = this[i][index[i][j]] for dim 1, and so on (`torch.gather`). */
  gather(dim: number, index: Tensor): Tensor { return indexing.gather(this, dim, index); }
  /** A copy with `src` added at the positions `index` names along `dim` (`torch.scatter_add`). */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return indexing.scatterAdd(this, dim, index, src); }
  /** `value` where `mask` is non-zero (broadcast), this elsewhere (`torch.masked_fill`). */
  maskedFill(mask: Tensor, value: number): Tensor { return indexing.maskedFill(this, mask, value); }
  /** Zeroes the elements above the `diagonal`-th diagonal of the last two dims (`torch.tril`). */
  tril(diagonal = 0): Tensor { return indexing.tril(this, diagonal); }
  /** Zeroes the elements below the `diagonal`-th diagonal of the last two dims (`torch.triu`). */
  triu(diagonal = 0): Tensor { return indexing.triu(this, diagonal); }

  // linear algebra and nn primitives
  /** The matrix product, with torch.matmul's rules for 1-D and batched operands. */
  matmul(o: Tensor): Tensor { return linalg.matmul(this, o); }
  /** exp(this) / Σ exp(this) along `dim`, stable for large logits (`torch.softmax`). */
  softmax(dim = -1): Tensor { return nn.softmax(this, dim); }
  /** log(softmax(this)) along `dim`, computed stably (`torch.log_softmax`). */
  logSoftmax(dim = -1): Tensor { return nn.logSoftmax(this, dim); }

  /** Casts to `dtype`; differentiable between float dtypes. Returns `this` when it already has it. */
  to(dtype: DType): Tensor { return elementwise.cast(this, dtype); }

  /**
   * Accumulates d(this)/d(leaf) into the `.grad` of every leaf that requires grad, then frees the
   * graph: a second backward through it throws unless the first passed `{ retainGraph: true }`.
   */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    runBackward(this, grad, options);
  }

  /** The same data, cut from the graph: shares storage, requires no grad. */
  detach(): Tensor {
    return new Tensor(this.storage);
  }

  /** The value of a one-element tensor as a JS number. */
  item(): number {
    if (this.size !== 1) {
      throw new TensorError(`item: only one-element tensors have an item, got shape ${formatShape(this.shape)}`);
    }
    return this.storage.data[this.storage.offset];
  }

  /** The elements as nested JS arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const data = contiguousData(this.storage);
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.ndim) return data[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** A contiguous copy of the elements in row-major order, the caller's to keep (never reused). */
  dataSync(): TypedArray {
    const data = castStorage(this.storage, this.dtype).data;
    untrack(data);
    return data;
  }

  /** Pretty-prints like PyTorch: `tensor([[1.0000, 2.0000]], requiresGrad=true)`. */
  toString(): string {
    return formatTensor(this);
  }

  /**
   * Copies `src` (broadcast to this shape) into this tensor in place. Allowed on leaves only,
   * and on a tensor that requires grad only inside `noGrad` (as in optimizer steps).
   */
  copy_(src: Tensor | number): this {
    return this.write("copy_", src);
  }

  /** Fills this tensor with `value` in place (same rules as `copy_`). */
  fill_(value: number): this {
    return this.write("fill_", value);
  }

  private write(op: string, src: Tensor | number): this {
    this.checkInPlace(op);
    const s = typeof src === "number" ? creation.full([], src, { dtype: this.dtype }) : src;
    if (!(s instanceof Tensor)) throw new TensorError(`${op}: expected a tensor or a number, got ${typeof s}`);
    const target = this.storage;
    if (!shapesEqual(broadcastShapes(op, s.shape, this.shape), this.shape)) {
      throw new TensorError(`${op}: cannot broadcast ${formatShape(s.shape)} to ${formatShape(this.shape)}`);
    }
    if (this.shape.some((n, i) => n > 1 && target.strides[i] === 0)) {
      throw new TensorError(`${op}: several elements of this ${formatShape(this.shape)} view share memory`);
    }
    // read a source that shares this tensor's memory from a copy, so no element is read after it is written
    const from = s.storage.data === target.data ? castStorage(s.storage, s.dtype) : s.storage;
    copyInto(target, view(from, this.shape, broadcastStrides(from.shape, from.strides, this.shape)));
    return this;
  }

  private checkInPlace(op: string): void {
    if (this._node !== null) {
      throw new TensorError(`${op}: in-place updates are only allowed on leaf tensors`);
    }
    if (this._requiresGrad && isGradEnabled()) {
      throw new TensorError(`${op}: a leaf that requires grad can only be updated in place inside noGrad()`);
    }
  }
}
