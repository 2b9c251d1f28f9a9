// toDot: the autograd graph behind a tensor as Graphviz DOT text (micrograd's draw_dot, for
// tensors). It only reads the graph that defineOp records (tensor.node: name and inputs).

import { formatShape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Options of {@link toDot}. */
export interface ToDotOptions {
  /** Labels for tensors of the graph, e.g. `{ x, w, loss }`; unnamed tensors show only shape and dtype. */
  names?: Record<string, Tensor>;
  /** Graphviz `rankdir`: "LR" (the default) lays the graph out left to right, "TB" top to bottom. */
  rankdir?: "LR" | "TB";
}

/**
 * The autograd graph that produced `root`, as Graphviz DOT: a box per tensor (its name if given,
 * its shape and dtype; leaves that require grad are shaded) and an ellipse per recorded op
 * (its name), with edges from inputs to op to output. Render it with any Graphviz build.
 * There is no PyTorch built-in; torchviz's `make_dot` is the nearest.
 * @example
 * const w = tensor([[1, 2]], { requiresGrad: true });
 * const loss = w.mul(w).sum();
 * toDot(loss, { names: { w, loss } }); // 'digraph tg { ... "mul" ... "sum" ... }'
 */
export function toDot(root: Tensor, options: ToDotOptions = {}): string {
  const labels = new Map<Tensor, string>();
  for (const [name, t] of Object.entries(options.names ?? {})) labels.set(t, name);
  const ids = new Map<Tensor, string>();
  const lines = [
    "digraph tg {",
    `  graph [rankdir=${options.rankdir ?? "LR"}, fontname="Helvetica"];`,
    '  node [fontname="Helvetica", fontsize=11];',
  ];
  const idOf = (t: Tensor): string => {
    let id = ids.get(t);
    if (id === undefined) {
      id = `t${ids.size}`;
      ids.set(t, id);
      lines.push(`  ${id} [${tensorAttributes(t, labels.get(t))}];`);
    }
    return id;
  };
  // iterative depth-first walk from the root, so long chains cannot overflow the stack
  const stack: Tensor[] = [root];
  idOf(root);
  const expanded = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    const node = t.node;
    if (node === null || expanded.has(t)) continue;
    expanded.add(t);
    const opId = `${idOf(t)}_op`;
    lines.push(`  ${opId} [label=${quote(node.name)}, shape=ellipse];`);
    lines.push(`  ${opId} -> ${idOf(t)};`);
    for (const input of node.inputs) {
      lines.push(`  ${idOf(input)} -> ${opId};`);
      stack.push(input);
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

function tensorAttributes(t: Tensor, name: string | undefined): string {
  const description = `${formatShape(t.shape)} ${t.dtype}`;
  const label = name === undefined ? description : `${name}\n${description}`;
  const leafParameter = t.isLeaf && t.requiresGrad;
  const style = leafParameter ? ', style=filled, fillcolor="#dbeafe"' : "";
  return `label=${quote(label)}, shape=box${style}`;
}

/** A DOT string literal: quotes and backslashes escaped, newlines as DOT's centred line break. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
