// Comparisons: 1 where the relation holds and 0 elsewhere, in the operands' promoted dtype.
// They have no gradient, so their outputs never require grad. Each one's forward is its loop in
// kernels/elementwise.ts (a mask pass of relu, abs, clamp and max gradients: the hot path).

import { defineOp } from "../autograd/op.js";
import { resultType, type DType } from "../dtype.js";
import { mapBinary, type BinaryKernel } from "../kernels/elementwise.js";
import { broadcastShapes } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { inResultType, operand } from "./operands.js";

function compareOp(name: BinaryKernel): (a: Tensor, b: Tensor | number) => Tensor {
  const op = defineOp<{ shape: number[]; dtype: DType }, undefined>({
    name,
    check: ([a, b]) => ({
      shape: broadcastShapes(name, a.shape, b.shape),
      dtype: resultType(a, b),
    }),
    forward: ([a, b], { shape, dtype }) => mapBinary(inResultType(a, dtype), inResultType(b, dtype), name, shape, dtype),
  });
  return (a, b) => op([a, operand(name, b, a)], undefined);
}

/** 1 where a == b, else 0, in the operands' dtype (`torch.eq`). */
export const eq = compareOp("eq");
/** 1 where a > b, else 0 (`torch.gt`). */
export const gt = compareOp("gt");
/** 1 where a < b, else 0 (`torch.lt`). */
export const lt = compareOp("lt");
/** 1 where a >= b, else 0 (`torch.ge`). */
export const ge = compareOp("ge");
/** 1 where a <= b, else 0 (`torch.le`). */
export const le = compareOp("le");
