// Activations beyond the element-wise primitives of ops/elementwise.ts: gelu, a composite of
// erf (exact) or tanh (approximate), so it needs no backward of its own.

import { TensorError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** Which form of GELU to compute: PyTorch's `approximate` argument. */
export type GeluApproximate = "none" | "tanh";

/**
 * The Gaussian error linear unit (`torch.nn.functional.gelu`): x·Φ(x) = x/2·(1 + erf(x/√2)),
 * or with `approximate = "tanh"` x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))) as in GPT-2.
 */
export function gelu(x: Tensor, approximate: GeluApproximate = "none"): Tensor {
  if (approximate === "none") return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
  if (approximate === "tanh") {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  throw new TensorError(`gelu: approximate must be "none" or "tanh", got ${String(approximate)}`);
}
