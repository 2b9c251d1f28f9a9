// Activations beyond the element-wise primitives of ops/elementwise.ts: gelu, one op with its
// own backward (a composite of erf or tanh took five passes forward and as many back). Loops
// are in kernels/gelu.ts.

import { defineOp, type Grads } from "../autograd/op.js";
import { isFloat } from "../dtype.js";
import { TensorError } from "../errors.js";
import { contiguousData } from "../kernels/copy.js";
import { geluBackward, geluForward } from "../kernels/gelu.js";
import { emptyStorage, type Storage } from "../storage.js";
import { Tensor } from "../tensor.js";

/** Which form of GELU to compute: PyTorch's `approximate` argument. */
export type GeluApproximate = "none" | "tanh";

/** The elements of a float storage in row-major order (a view when already contiguous). */
function floats(s: Storage): Float32Array | Float64Array {
  const data = contiguousData(s);
  if (data instanceof Int32Array) throw new TensorError(`gelu: expected a float tensor, got ${s.dtype}`);
  return data;
}

// gelu(x) = x·Φ(x); its derivative is Φ(x) + x·φ(x) (exact) or the tanh form's (kernels/gelu.ts)
const geluOp = defineOp<{ tanh: boolean }>({
  name: "gelu",
  check: (_, attrs) => attrs,
  forward: ([x], { tanh }) => {
    const out = emptyStorage(x.dtype, x.shape);
    geluForward(floats(x), floats(out), tanh);
    return out;
  },
  backward: (g, [x], _out, { tanh }): Grads => {
    const grad = emptyStorage(x.dtype, x.shape);
    geluBackward(floats(g.to(x.dtype).storage), floats(x.storage), floats(grad), tanh);
    return [new Tensor(grad)];
  },
});

/**
 * The Gaussian error linear unit (`torch.nn.functional.gelu`): x·Φ(x) = x/2·(1 + erf(x/√2)),
 * or with `approximate = "tanh"` x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))) as in GPT-2. Int32
 * input gives float32.
 */
export function gelu(x: Tensor, approximate: GeluApproximate = "none"): Tensor {
  if (approximate !== "none" && approximate !== "tanh") {
    throw new TensorError(`gelu: approximate must be "none" or "tanh", got ${String(approximate)}`);
  }
  return geluOp([isFloat(x.dtype) ? x : x.to("float32")], { tanh: approximate === "tanh" });
}
