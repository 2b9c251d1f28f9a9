// defineOp: one definition per op holds its check, its forward on storages, and its backward.
// The returned function validates, runs the forward, and records a graph node when needed.

import { isFloat } from "../dtype.js";
import type { Storage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled } from "./grad-mode.js";

/** The gradients an op's backward returns: one per input, `null` where an input gets none. */
export type Grads = (Tensor | null)[];

/**
 * The definition of an op: its name, its argument check, its forward on storages and its
 * backward on tensors. `R` is the attrs type callers pass, `A` the normalised one `check` returns.
 */
export interface OpSpec<A, R = A> {
  /** Used in error messages: `matmul: shapes … do not align`. */
  name: string;
  /** Validates the inputs and returns the normalised attrs (negative dims resolved); throws TensorError. */
  check: (inputs: readonly Tensor[], attrs: R) => A;
  /** Computes the output from the inputs' storages. Never writes into an input. */
  forward: (inputs: readonly Storage[], attrs: A) => Storage;
  /**
   * Maps the output gradient `g` to one gradient per input; runs with grad mode off. `gIsScratch`
   * is true when g's dense storage was computed in this backward pass and nothing else holds it:
   * the backward may then overwrite g and return it (relu masks it in place).
   */
  backward?: (g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: A, gIsScratch: boolean) => Grads;
}

/** A recorded application of an op: the graph edge from an output back to its inputs. */
export interface Node {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly backward: (g: Tensor, out: Tensor, gIsScratch?: boolean) => Grads;
}

/**
 * Turns an op spec into a function from tensors (and attrs) to a tensor: it runs `check` (which
 * throws before any work), then `forward`, and records a graph node when grad mode is on, the
 * output is float and some input requires grad.
 * @example
 * const square = defineOp<undefined>({
 *   name: "square",
 *   check: () => undefined,
 *   forward: ([x]) => new Tensor(x).mul(new Tensor(x)).storage, // storages in, storage out
 *   backward: (g, [x]) => [g.mul(x).mul(2)], // d(x²)/dx = 2x
 * });
 * square([tensor([3], { requiresGrad: true })], undefined);
 */
export function defineOp<A, R = A>(
  spec: OpSpec<A, R>,
): (inputs: readonly Tensor[], attrs: R) => Tensor {
  return (given, rawAttrs) => {
    const inputs = [...given]; // the node keeps its own list, whatever the caller does with theirs
    const attrs = spec.check(inputs, rawAttrs);
    const out = new Tensor(
      spec.forward(
        inputs.map((t) => t.storage),
        attrs,
      ),
    );
    const backward = spec.backward;
    if (backward && isGradEnabled() && isFloat(out.dtype) && inputs.some((t) => t.requiresGrad)) {
      out.setNode({
        name: spec.name,
        inputs,
        backward: (g, output, gIsScratch = false) => backward(g, inputs, output, attrs, gIsScratch),
      });
    }
    return out;
  };
}
