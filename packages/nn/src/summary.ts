// summary: a torchinfo-like table of a model's layers, output shapes and parameter counts.

import { formatShape, noGrad, Tensor, type Shape } from "@tg/tensor";
import { Module } from "./module.js";

/** Options of `summary`. */
export interface SummaryOptions {
  /** The dtype of the zeros fed through the model (default: the first parameter's, else float32). */
  dtype?: "float32" | "float64";
}

interface Row {
  depth: number;
  label: string;
  module: Module;
  shape: Shape | null;
}

/**
 * Runs `model` once on zeros of `inputShape` (under noGrad, in eval mode, restoring every
 * module's mode afterwards) and returns a table like torchinfo's: each module, indented by depth,
 * with its output shape and the number of parameters it holds itself, then the totals.
 * @example
 * console.log(summary(new Sequential(new Flatten(), new Linear(784, 10)), [1, 1, 28, 28]));
 */
export function summary(model: Module, inputShape: Shape, opts: SummaryOptions = {}): string {
  const rows: Row[] = [];
  const walk = (m: Module, label: string, depth: number): void => {
    rows.push({ depth, label, module: m, shape: null });
    for (const [name, child] of m.namedChildren()) walk(child, `${child.constructor.name} (${name})`, depth + 1);
  };
  walk(model, model.constructor.name, 0);

  const modes = rows.map((r) => r.module.training);
  const ownForwards = rows.map((r) => Object.getOwnPropertyDescriptor(r.module, "forward"));
  const dtype = opts.dtype ?? (model.parameters()[0]?.dtype === "float64" ? "float64" : "float32");
  for (const row of rows) {
    const forward = row.module.forward.bind(row.module);
    Object.defineProperty(row.module, "forward", {
      configurable: true,
      writable: true,
      value: (...inputs: Tensor[]): Tensor => {
        const out = forward(...inputs);
        row.shape = out.shape;
        return out;
      },
    });
  }
  try {
    model.eval();
    noGrad(() => model.forward(Tensor.zeros(inputShape, { dtype })));
  } finally {
    // restore in reverse, so a module listed twice gets its own original forward back last
    for (let i = rows.length - 1; i >= 0; i--) {
      const own = ownForwards[i];
      if (own === undefined) Reflect.deleteProperty(rows[i].module, "forward");
      else Object.defineProperty(rows[i].module, "forward", own);
      rows[i].module.training = modes[i];
    }
  }
  return formatTable(rows, model);
}

function formatTable(rows: readonly Row[], model: Module): string {
  const own = (m: Module): number => {
    const inChildren = new Set(m.children().flatMap((c) => c.parameters()));
    return m.parameters().filter((p) => !inChildren.has(p)).reduce((n, p) => n + p.size, 0);
  };
  const cells = rows.map((r) => {
    const count = own(r.module);
    return [`${"  ".repeat(r.depth)}${r.label}`, r.shape ? formatShape(r.shape) : "--", count ? group(count) : "--"];
  });
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)) + 2);
  const line = (c: readonly string[]): string => c.map((s, j) => s.padEnd(widths[j])).join("").trimEnd();
  const rule = "=".repeat(widths.reduce((a, b) => a + b, 0));
  const params = model.parameters();
  const total = params.reduce((n, p) => n + p.size, 0);
  const trainable = params.filter((p) => p.requiresGrad).reduce((n, p) => n + p.size, 0);
  const buffers = model.namedBuffers().reduce((n, [, b]) => n + b.size, 0);
  const bytes = params.reduce((n, p) => n + p.size * (p.dtype === "float64" ? 8 : 4), 0);
  return [
    rule,
    line(header),
    rule,
    ...cells.map(line),
    rule,
    `Total params: ${group(total)}`,
    `Trainable params: ${group(trainable)}`,
    ...(buffers > 0 ? [`Buffer elements: ${group(buffers)}`] : []),
    `Params size (MB): ${(bytes / 1e6).toFixed(2)}`,
    rule,
  ].join("\n");
}

/** 235146 → "235,146". */
function group(n: number): string {
  const digits = String(n);
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return out;
}
