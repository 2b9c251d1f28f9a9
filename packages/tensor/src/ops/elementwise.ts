// Element-wise ops with NumPy broadcasting. Each op states its forward on numbers and its
// backward on tensors side by side; the engine sums gradients back over broadcast dims. An op's
// forward is either its function of the elements or, for the hot path (add … div, neg, relu,
// exp), the name of its loop in kernels/elementwise.ts, which then is the only forward it has.

import { defineOp, type Grads } from "../autograd/op.js";
import { isScratch } from "../autograd/scratch.js";
import { checkDType, isFloat, resultType, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import { castStorage, contiguousData } from "../kernels/copy.js";
import {
  mapBinary,
  mapTernary,
  mapUnary,
  reluBackward,
  type BinaryFn,
  type BinaryKernel,
  type UnaryFn,
  type UnaryKernel,
} from "../kernels/elementwise.js";
import { erfScalar, TWO_OVER_SQRT_PI } from "../kernels/special.js";
import { broadcastShapes } from "../shape.js";
import { Tensor } from "../tensor.js";
import { inResultType, operand } from "./operands.js";

interface BinarySpec {
  name: string;
  /** The op on two elements, or the name of its own loop in kernels/elementwise.ts. */
  forward: BinaryFn | BinaryKernel;
  backward: (g: Tensor, inputs: readonly Tensor[], out: Tensor) => Grads;
  /** The output dtype from the promoted one (true division makes int32 float32). */
  dtype?: (promoted: DType) => DType;
  /** Checks the operands' values beyond shapes and dtypes; throws a TensorError. */
  check?: (a: Tensor, b: Tensor) => void;
}

/** Defines a broadcasting binary op whose second operand may be a JS number (of `a`'s dtype). */
export function binaryOp(spec: BinarySpec): (a: Tensor, b: Tensor | number) => Tensor {
  const op = defineOp<{ shape: number[]; dtype: DType }, undefined>({
    name: spec.name,
    check: ([a, b]) => {
      spec.check?.(a, b);
      const promoted = resultType(a, b);
      return {
        shape: broadcastShapes(spec.name, a.shape, b.shape),
        dtype: spec.dtype?.(promoted) ?? promoted,
      };
    },
    forward: ([a, b], { shape, dtype }) =>
      mapBinary(inResultType(a, dtype), inResultType(b, dtype), spec.forward, shape, dtype),
    backward: (g, inputs, out) => spec.backward(g, inputs, out),
  });
  return (a, b) => op([a, operand(spec.name, b, a)], undefined);
}

interface UnarySpec {
  name: string;
  /** The op on one element, or the name of its own loop in kernels/elementwise.ts. */
  forward: UnaryFn | UnaryKernel;
  backward: (g: Tensor, x: Tensor, out: Tensor) => Tensor;
  /** True for ops whose result is fractional, so an int32 input gives float32 (exp, log, …). */
  floatOut?: boolean;
}

/** Defines an element-wise op of one tensor; int32 input gives float32 when `floatOut`. */
export function unaryOp(spec: UnarySpec): (x: Tensor) => Tensor {
  const op = defineOp<DType, undefined>({
    name: spec.name,
    check: ([x]) => (spec.floatOut && !isFloat(x.dtype) ? "float32" : x.dtype),
    forward: ([x], dtype) => mapUnary(x, spec.forward, dtype),
    backward: (g, [x], out) => [spec.backward(g, x, out)],
  });
  return (x) => op([x], undefined);
}

/** a + b, broadcast (`torch.add`). */
export const add = binaryOp({
  name: "add",
  forward: "add", // a + b
  backward: (g) => [g, g], // d(a+b)/da = d(a+b)/db = 1
});

/** a - b, broadcast (`torch.sub`). */
export const sub = binaryOp({
  name: "sub",
  forward: "sub", // a - b
  backward: (g, [, b]) => [g, b.requiresGrad ? g.neg() : null], // d(a-b)/da = 1, d(a-b)/db = -1
});

/** a · b, broadcast (`torch.mul`). */
export const mul = binaryOp({
  name: "mul",
  forward: "mul", // a * b
  // d(ab)/da = b, d(ab)/db = a; a side that needs no gradient (dropout's mask) costs nothing
  backward: (g, [a, b]) => [a.requiresGrad ? g.mul(b) : null, b.requiresGrad ? g.mul(a) : null],
});

/** a / b, broadcast; true division, so int32 operands give float32 (`torch.div`). */
export const div = binaryOp({
  name: "div",
  forward: "div", // a / b
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
  backward: (g, [a, b], out) => [
    a.requiresGrad ? g.div(b) : null,
    b.requiresGrad ? g.mul(out).div(b).neg() : null,
  ],
  dtype: (d) => (isFloat(d) ? d : "float32"),
});

/** a raised to the power b, broadcast (`torch.pow`). */
export const pow = binaryOp({
  name: "pow",
  check: (a, b) => {
    // NOTE: the result would be a fraction that int32 cannot hold; PyTorch refuses it too
    if (a.dtype !== "int32" || b.dtype !== "int32") return;
    const negative = contiguousData(b.storage).find((v) => v < 0);
    if (negative !== undefined) {
      throw new TensorError(
        `pow: int32 values cannot be raised to a negative int32 power, got ${negative}`,
      );
    }
  },
  forward: (a, b) => a ** b,
  // d(a^b)/da = b·a^(b-1), d(a^b)/db = a^b·ln a
  // NOTE: as in PyTorch, the first is 0 where b = 0 and the second is 0 where a = 0 and b >= 0
  // (limits that the formulas would turn into NaN)
  backward: (g, [a, b], out) => [
    a.requiresGrad ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null,
    b.requiresGrad ? where(a.eq(0).mul(b.ge(0)), 0, g.mul(out).mul(a.log())) : null,
  ],
});

/** The larger of a and b element by element; NaN wins (`torch.maximum`). */
export const maximum = binaryOp({
  name: "maximum",
  forward: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  // each operand gets g unless the other is larger; a tie splits it evenly
  // NOTE: where either operand is NaN both get g, as in PyTorch (neither compares larger)
  backward: (g, [a, b]) => {
    const tie = a.eq(b).mul(0.5);
    return [
      a.requiresGrad ? g.mul(tie.add(a.lt(b)).neg().add(1)) : null,
      b.requiresGrad ? g.mul(tie.add(b.lt(a)).neg().add(1)) : null,
    ];
  },
});

/** The smaller of a and b element by element; NaN wins (`torch.minimum`). */
export const minimum = binaryOp({
  name: "minimum",
  forward: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  // as maximum's, with the smaller operand taking g
  backward: (g, [a, b]) => {
    const tie = a.eq(b).mul(0.5);
    return [
      a.requiresGrad ? g.mul(tie.add(b.lt(a)).neg().add(1)) : null,
      b.requiresGrad ? g.mul(tie.add(a.lt(b)).neg().add(1)) : null,
    ];
  },
});

/** -x (`torch.neg`). */
export const neg = unaryOp({
  name: "neg",
  forward: "neg", // -x
  backward: (g) => g.neg(), // d(-x)/dx = -1
});

/** e^x (`torch.exp`). */
export const exp = unaryOp({
  name: "exp",
  forward: "exp", // Math.exp(x)
  backward: (g, _x, out) => g.mul(out), // d(e^x)/dx = e^x
  floatOut: true,
});

/** The natural logarithm (`torch.log`). */
export const log = unaryOp({
  name: "log",
  forward: Math.log,
  backward: (g, x) => g.div(x), // d(ln x)/dx = 1/x
  floatOut: true,
});

/** The square root (`torch.sqrt`). */
export const sqrt = unaryOp({
  name: "sqrt",
  forward: Math.sqrt,
  backward: (g, _x, out) => g.div(out.mul(2)), // d(√x)/dx = 1/(2√x)
  floatOut: true,
});

/** |x| (`torch.abs`); the gradient at 0 is 0. */
export const abs = unaryOp({
  name: "abs",
  forward: Math.abs,
  backward: (g, x) => g.mul(x.gt(0).sub(x.lt(0))), // sign(x); NOTE: 0 at x = 0, as in PyTorch
});

/** max(x, 0) (`torch.relu`); the gradient at 0 is 0. */
export const relu = unaryOp({
  name: "relu",
  forward: "relu", // max(0, x); NaN stays NaN
  // g where x > 0, else 0, in one pass (into g itself when the engine hands it over as scratch);
  // NOTE: relu'(0) is taken as 0 and a NaN input passes its gradient through, as in PyTorch's
  // threshold_backward
  backward: (g, x) => new Tensor(reluBackward(g.storage, x.storage, isScratch(g))),
});

/** 1 / (1 + e^-x) (`torch.sigmoid`). */
export const sigmoid = unaryOp({
  name: "sigmoid",
  // split by sign so exp never overflows
  forward: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  backward: (g, _x, out) => g.mul(out).mul(out.neg().add(1)), // σ' = σ(1-σ)
  floatOut: true,
});

/** The Gauss error function (`torch.erf`); GELU is built on it. */
export const erf = unaryOp({
  name: "erf",
  forward: erfScalar,
  backward: (g, x) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)), // erf' = 2/√π · e^(−x²)
  floatOut: true,
});

/** The hyperbolic tangent (`torch.tanh`). */
export const tanh = unaryOp({
  name: "tanh",
  forward: Math.tanh,
  backward: (g, _x, out) => g.mul(out.mul(out).neg().add(1)), // tanh' = 1 - tanh²
  floatOut: true,
});

type Bound = number | null | undefined;

/** min(max(v, min), max), as PyTorch: NaN stays NaN and min > max gives max. */
function clampValue(v: number, min: number, max: number): number {
  const up = v < min ? min : v;
  return up > max ? max : up;
}

const clampOp = defineOp<{ min: number; max: number; dtype: DType }, { min: Bound; max: Bound }>({
  name: "clamp",
  check: ([x], { min, max }) => {
    if (min == null && max == null)
      throw new TensorError("clamp: give at least one of min and max");
    for (const v of [min, max]) {
      if (v != null && (typeof v !== "number" || Number.isNaN(v))) {
        throw new TensorError(`clamp: bounds must be numbers, got ${String(v)}`);
      }
    }
    const lo = min ?? -Infinity;
    const hi = max ?? Infinity;
    const fractional = (v: number) => Number.isFinite(v) && !Number.isInteger(v);
    const dtype = x.dtype === "int32" && (fractional(lo) || fractional(hi)) ? "float32" : x.dtype;
    return { min: lo, max: hi, dtype };
  },
  forward: ([x], { min, max, dtype }) => mapUnary(x, (v) => clampValue(v, min, max), dtype),
  // d clamp(x)/dx = 1 where min <= x <= max, else 0
  // NOTE: 1 at the bounds themselves and 0 at NaN, as in PyTorch (so 0 everywhere when min > max)
  backward: (g, [x], _out, { min, max }) => [g.mul(x.ge(min)).mul(x.le(max))],
});

/**
 * Limits every element to [min, max]; either bound may be left out, and min > max gives max
 * everywhere (`torch.clamp`).
 */
export function clamp(x: Tensor, min?: Bound, max?: Bound): Tensor {
  return clampOp([x], { min, max });
}

const whereOp = defineOp<{ shape: number[]; dtype: DType }, undefined>({
  name: "where",
  check: ([cond, a, b]) => ({
    shape: broadcastShapes("where", broadcastShapes("where", cond.shape, a.shape), b.shape),
    dtype: resultType(a, b),
  }),
  forward: ([cond, a, b], { shape, dtype }) =>
    mapTernary(cond, a, b, (c, x, y) => (c !== 0 ? x : y), shape, dtype),
  backward: (g, [cond]) => [null, where(cond, g, 0), where(cond, 0, g)], // the picked side gets g
});

/** Picks `a` where `cond` is non-zero and `b` elsewhere, all three broadcast (`torch.where`). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (!(cond instanceof Tensor)) {
    throw new TensorError(`where: cond must be a tensor, got ${typeof cond}`);
  }
  const like = typeof a === "number" ? (typeof b === "number" ? cond : b) : a;
  return whereOp([cond, operand("where", a, like), operand("where", b, like)], undefined);
}

const castOp = defineOp<DType, DType>({
  name: "to",
  check: (_, dtype) => checkDType("to", dtype),
  forward: ([x], dtype) => castStorage(x, dtype),
  backward: (g, [x]) => [g.to(x.dtype)],
});

/** Casts `x` to `dtype` (a new tensor); returns `x` itself when it already has that dtype. */
export function cast(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : castOp([x], dtype);
}
