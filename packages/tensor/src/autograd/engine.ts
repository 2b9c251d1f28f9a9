// Reverse-mode autograd: walk the graph from the output in reverse topological order (iteratively,
// so long chains cannot overflow the stack), call each node's backward, and accumulate gradients.
// The bookkeeping (pending gradients, scratch, the leaves' gradients, sumToShape) is in gradients.ts.

import { TensorError } from "../errors.js";
import { castStorage } from "../kernels/copy.js";
import { formatShape, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { fitGradient, PendingGradients } from "./gradients.js";
import { noGrad } from "./grad-mode.js";
import { markScratch } from "./scratch.js";

/** Options of `backward()`. */
export interface BackwardOptions {
  /**
   * Keep the graph, and what its ops saved, for another backward through it (PyTorch's
   * `retain_graph`). Default false: the graph is freed, and a second backward through it throws.
   */
  retainGraph?: boolean;
}

/**
 * Computes the gradient of `root` with respect to every leaf that requires grad and adds it into
 * their `.grad`. A non-scalar `root` needs `grad`, the gradient of some scalar with respect to it.
 * The leaves are updated only after the whole pass has succeeded; then, unless `retainGraph`,
 * the graph is freed.
 */
export function backward(root: Tensor, grad?: Tensor, { retainGraph = false }: BackwardOptions = {}): void {
  checkArguments(root, grad);
  const order = reverseTopologicalOrder(root);
  const pending = new PendingGradients();
  pending.add(root, castStorage(grad ? grad.storage : Tensor.onesLike(root).storage, root.dtype));
  pending.record(() => noGrad(() => walk(order, pending)));
  if (!retainGraph) for (const t of order) t.node?.free();
  pending.storeInLeaves();
}

/** Runs every node's backward in `order`, passing each input's gradient on to `pending`. */
function walk(order: readonly Tensor[], pending: PendingGradients): void {
  for (const t of order) {
    const g = pending.take(t);
    if (g === undefined) continue;
    const node = t.node;
    if (node === null) {
      pending.reachLeaf(t, g);
      continue;
    }
    const gt = new Tensor(g);
    const inputGrads = node.backward(pending.isScratch(g) ? markScratch(gt) : gt, t);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!input.requiresGrad || !gi) return;
      pending.add(input, fitGradient(`${node.name}.backward`, gi.storage, input.shape, input.dtype, i));
    });
  }
}

function checkArguments(root: Tensor, grad: Tensor | undefined): void {
  if (!root.requiresGrad) {
    throw new TensorError("backward: the tensor does not require grad and has no graph to differentiate");
  }
  const shape = formatShape(root.shape);
  if (grad === undefined && root.size !== 1) {
    throw new TensorError(`backward: output has shape ${shape}; pass a gradient of that shape or reduce to a scalar`);
  }
  if (grad !== undefined && !(grad instanceof Tensor)) {
    throw new TensorError(`backward: the gradient must be a tensor, got ${typeof grad}`);
  }
  if (grad !== undefined && !shapesEqual(grad.shape, root.shape)) {
    throw new TensorError(`backward: gradient has shape ${formatShape(grad.shape)}, expected ${shape}`);
  }
}

/**
 * Tensors reachable from `root` that require grad, each after every tensor computed from it.
 * Throws, before any work, when a node on the way was freed by an earlier backward.
 */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const node = top[0].node;
    if (node?.freed) {
      throw new TensorError(
        `backward: the graph was already freed by an earlier backward() (at ${node.name}); pass { retainGraph: true } to the first call to backward through it again`,
      );
    }
    const inputs = node?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order.reverse();
}
