// defineOp: one definition per op holds its check, its forward on storages, and its backward.
// The returned function validates, runs the forward, and records a graph node when needed.

import { isFloat } from "../dtype.js";
import type { Storage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled } from "./grad-mode.js";

/** The gradients an op's backward returns: one per input, `null` where an input gets none. */
export type Grads = (Tensor | null)[];

/**
 * Where an op's forward keeps what its backward needs beyond the inputs, the output and the attrs
 * (PyTorch's `ctx.save_for_backward`): max-pooling's winners, dropout's mask.
 */
export interface SaveContext<S> {
  /** Keeps `value` for this call's backward, which receives it as `saved`. */
  save(value: S): void;
}

/**
 * The definition of an op: its name, its argument check, its forward on storages and its
 * backward on tensors. `R` is the attrs type callers pass, `A` the normalised one `check` returns,
 * `S` what the forward saves for the backward (nothing by default).
 */
export interface OpSpec<A, R = A, S = undefined> {
  /** Used in error messages: `matmul: shapes … do not align`. */
  name: string;
  /** Validates the inputs and returns the normalised attrs (negative dims resolved); throws TensorError. */
  check: (inputs: readonly Tensor[], attrs: R) => A;
  /**
   * Computes the output from the inputs' storages. Never writes into an input or into `attrs`;
   * anything the backward needs besides them goes through `ctx.save`.
   */
  forward: (inputs: readonly Storage[], attrs: Readonly<A>, ctx: SaveContext<S>) => Storage;
  /**
   * Maps the output gradient `g` to one gradient per input; runs with grad mode off. `saved` is
   * what the forward passed to `ctx.save` (undefined if it saved nothing). It may overwrite g and
   * return it only where `isScratch(g)` (autograd/scratch.ts) says so.
   */
  backward?: (g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: A, saved: S | undefined) => Grads;
}

/** A recorded application of an op: the graph edge from an output back to its inputs. */
export interface Node {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** The op's backward for this call. */
  backward(g: Tensor, out: Tensor): Grads;
  /** True once a backward pass without `retainGraph` went through this node. */
  readonly freed: boolean;
  /** Drops what the forward saved; a later backward through this node is refused. */
  free(): void;
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
export function defineOp<A, R = A, S = undefined>(
  spec: OpSpec<A, R, S>,
): (inputs: readonly Tensor[], attrs: R) => Tensor {
  return (given, rawAttrs) => {
    const inputs = [...given]; // the node keeps its own list, whatever the caller does with theirs
    const attrs = spec.check(inputs, rawAttrs);
    let saved: S | undefined;
    const ctx: SaveContext<S> = { save: (value) => (saved = value) };
    const out = new Tensor(
      spec.forward(
        inputs.map((t) => t.storage),
        attrs,
        ctx,
      ),
    );
    const backward = spec.backward;
    if (backward && isGradEnabled() && isFloat(out.dtype) && inputs.some((t) => t.requiresGrad)) {
      const node = {
        name: spec.name,
        inputs,
        freed: false,
        backward: (g: Tensor, output: Tensor) => backward(g, inputs, output, attrs, saved),
        free: () => {
          saved = undefined;
          node.freed = true;
        },
      };
      out.setNode(node);
    }
    return out;
  };
}
