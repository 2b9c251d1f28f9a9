// Reverse-mode autograd: walk the graph from the output in reverse topological order (iteratively,
// so long chains cannot overflow the stack), call each node's backward, and accumulate gradients.
// The bookkeeping (pending gradients, scratch, sumToShape) is in gradients.ts.

import { trackFresh, type TypedArray } from "../dtype.js";
import { TensorError } from "../errors.js";
import { castStorage } from "../kernels/copy.js";
import { formatShape, shapesEqual } from "../shape.js";
import type { Storage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { accumulate, fitGradient, PendingGradients } from "./gradients.js";
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
  const computed = new WeakSet<TypedArray>();
  const pending = new PendingGradients(computed);
  pending.add(root, castStorage(grad ? grad.storage : Tensor.onesLike(root).storage, root.dtype));
  const leafGrads: [Tensor, Storage][] = [];
  const outer = trackFresh(computed);
  try {
    noGrad(() => walk(order, pending, leafGrads));
  } finally {
    trackFresh(outer);
  }
  if (!retainGraph) for (const t of order) t.node?.free();
  // a leaf takes a gradient computed in this pass as its own when it is dense and no other leaf
  // got it (`add` passes g to both sides); anything else (a view, a broadcast, a tensor an op's
  // backward returned from elsewhere) is copied, so a .grad never shares memory
  const handedOut = new Set<TypedArray>();
  for (const [leaf, g] of leafGrads) {
    if (leaf.grad) leaf.grad = new Tensor(accumulate(leaf.grad.storage, g));
    else if (g.dtype === leaf.dtype && pending.isFresh(g) && !handedOut.has(g.data)) leaf.grad = new Tensor(g);
    else leaf.grad = new Tensor(castStorage(g, leaf.dtype));
    handedOut.add(leaf.grad.storage.data);
  }
}

/** Runs every node's backward in `order`, collecting the leaves' gradients in `leafGrads`. */
function walk(order: readonly Tensor[], pending: PendingGradients, leafGrads: [Tensor, Storage][]): void {
  for (const t of order) {
    const g = pending.take(t);
    if (g === undefined) continue;
    const node = t.node;
    if (node === null) {
      leafGrads.push([t, g]);
      pending.keep(g);
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
