// Helpers shared by the op families: turning JS numbers into tensors of the right dtype, and
// operands into the dtype an op computes in.

import { promoteScalar, type DType } from "../dtype.js";
import { TensorError } from "../errors.js";
import { allocate } from "../dtype.js";
import { castStorage } from "../kernels/copy.js";
import { makeStorage, type Storage } from "../storage.js";
import { Tensor } from "../tensor.js";

/** A 0-d tensor holding `x`. */
export function scalar(x: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = x;
  return new Tensor(makeStorage(data, dtype, []));
}

/** `o` as a tensor: a JS number takes `like`'s dtype (a fraction with int32 gives float32). */
export function operand(op: string, o: Tensor | number, like: Tensor): Tensor {
  if (o instanceof Tensor) return o;
  if (typeof o !== "number") {
    throw new TensorError(`${op}: expected a tensor or a number, got ${typeof o}`);
  }
  return scalar(o, promoteScalar(like.dtype, o));
}

/**
 * `s` cast to the op's result `dtype` when it is wider (a float64 0-d operand beside float32
 * ones), so that the op computes in `dtype` as PyTorch does; otherwise `s` itself.
 */
export function inResultType(s: Storage, dtype: DType): Storage {
  return s.dtype === "float64" && dtype === "float32" ? castStorage(s, dtype) : s;
}
