// Reverse-mode autograd: walk the graph from the output in reverse topological order (iteratively,
// so long chains cannot overflow the stack), call each node's backward, and accumulate gradients.
// Broadcasting is undone here, in sumToShape, and nowhere else.

import { TensorError } from "../errors.js";
import { castStorage } from "../kernels/copy.js";
import { mapBinary } from "../kernels/elementwise.js";
import { reduce } from "../kernels/reduce.js";
import { formatShape, shapesEqual, type Shape } from "../shape.js";
import { trackFresh, type TypedArray } from "../dtype.js";
import { isContiguous, makeStorage, type Storage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "./grad-mode.js";

/**
 * Computes the gradient of `root` with respect to every leaf that requires grad and adds it into
 * their `.grad`. A non-scalar `root` needs `grad`, the gradient of some scalar with respect to it.
 * The leaves are updated only after the whole pass has succeeded.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  checkArguments(root, grad);
  const grads = new Map<Tensor, Storage>();
  const leafGrads: [Tensor, Storage][] = [];
  grads.set(root, castStorage(grad ? grad.storage : Tensor.onesLike(root).storage, root.dtype));
  const computed = new WeakSet<TypedArray>();
  const outer = trackFresh(computed);
  try {
    noGrad(() => walk(root, grads, leafGrads, computed));
  } finally {
    trackFresh(outer);
  }
  // a leaf takes a gradient computed in this pass as its own when it is dense and no other leaf
  // got it (`add` passes g to both sides); anything else (a view, a broadcast, a tensor an op's
  // backward returned from elsewhere) is copied, so a .grad never shares memory
  const handedOut = new Set<TypedArray>();
  for (const [leaf, g] of leafGrads) {
    if (leaf.grad) {
      leaf.grad = new Tensor(accumulate(leaf.grad.storage, g));
    } else if (g.dtype === leaf.dtype && ownsExactly(g) && computed.has(g.data) && !handedOut.has(g.data)) {
      leaf.grad = new Tensor(g);
    } else {
      leaf.grad = new Tensor(castStorage(g, leaf.dtype));
    }
    handedOut.add(leaf.grad.storage.data);
  }
}

/** True when `s` is contiguous and its data holds exactly its elements, from index 0. */
function ownsExactly(s: Storage): boolean {
  return s.offset === 0 && s.data.length === s.size && isContiguous(s);
}

/**
 * Runs every node's backward from `root` back, collecting the leaves' gradients in `leafGrads`.
 * A node whose gradient was computed in this pass (its array is in `computed`), is dense, and is
 * held by no other pending gradient or leaf may overwrite it: `holders` counts, per array, the
 * gradients waiting in `grads` and the leaves' gradients that use it.
 */
function walk(root: Tensor, grads: Map<Tensor, Storage>, leafGrads: [Tensor, Storage][], computed: WeakSet<TypedArray>): void {
  const holders = new Map<TypedArray, number>();
  const hold = (s: Storage, by: number): void => {
    const count = (holders.get(s.data) ?? 0) + by;
    if (count === 0) holders.delete(s.data);
    else holders.set(s.data, count);
  };
  hold(grads.get(root)!, 1);
  for (const t of reverseTopologicalOrder(root)) {
    const g = grads.get(t);
    grads.delete(t); // free each gradient as soon as it has been passed on
    if (g === undefined) continue;
    hold(g, -1);
    const node = t.node;
    if (node === null) {
      leafGrads.push([t, g]);
      hold(g, 1); // a leaf's gradient is never overwritten
      continue;
    }
    const scratch = computed.has(g.data) && ownsExactly(g) && !holders.has(g.data);
    const inputGrads = node.backward(new Tensor(g), t, scratch);
    node.inputs.forEach((input, i) => {
      const gi = inputGrads[i];
      if (!input.requiresGrad || !gi) return;
      const reduced = sumToShape(`${node.name}.backward`, gi.storage, input.shape, i);
      const typed = reduced.dtype === input.dtype ? reduced : castStorage(reduced, input.dtype);
      const previous = grads.get(input);
      const next = previous ? accumulate(previous, typed) : typed;
      if (previous) hold(previous, -1);
      hold(next, 1);
      grads.set(input, next);
    });
  }
}

function checkArguments(root: Tensor, grad: Tensor | undefined): void {
  if (!root.requiresGrad) {
  throw new TensorError(
    "backward: the tensor does not require grad and has no graph to differentiate",
  );
  }
  const shape = formatShape(root.shape);
  if (grad === undefined && root.size !== 1) {
  throw new TensorError(
    `backward: output has shape ${shape}; pass a gradient of that shape or reduce to a scalar`,
  );
  }
  if (grad !== undefined && !(grad instanceof Tensor)) {
  throw new TensorError(`backward: the gradient must be a tensor, got ${typeof grad}`);
  }
  if (grad !== undefined && !shapesEqual(grad.shape, root.shape)) {
  throw new TensorError(
    `backward: gradient has shape ${formatShape(grad.shape)}, expected ${shape}`,
  );
  }
}

/** Tensors reachable from `root` that require grad, each after every tensor computed from it. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top[0].node?.inputs ?? [];
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

function accumulate(a: Storage, b: Storage): Storage {
  return mapBinary(a, b, (x, y) => x + y, a.shape, a.dtype, "add");
}

/**
 * Sums a gradient over the dims that broadcasting expanded, so it gets the input's `shape`.
 * Throws when the gradient cannot have come from an input of that shape.
 */
export function sumToShape(op: string, g: Storage, shape: Shape, inputIndex = 0): Storage {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const fits = lead >= 0 && shape.every((d, i) => d === g.shape[lead + i] || d === 1);
  if (!fits) {
    throw new TensorError(
      `${op}: gradient for input ${inputIndex} has shape ${formatShape(g.shape)}, expected ${formatShape(shape)}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  return makeStorage(reduce(g, dims, true, "sum").data, g.dtype, shape);
}
