// toString(): PyTorch's repr layout (torch/_tensor_str.py): one number format for the whole
// tensor, rows wrapped at 80 columns, and the middle of tensors over 1000 elements elided.

import { contiguousData } from "./kernels/copy.js";
import type { Tensor } from "./tensor.js";

const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;
const PRECISION = 4;

/** One number layout for a whole tensor: its formatter pads every value to `width`. */
interface Formatter {
  width: number;
  format: (v: number) => string;
}

/**
 * Formats `t` like torch's repr: `tensor([[1.0000, 2.0000]], requiresGrad=true)`, with
 * `dtype=…` for non-float32 tensors, `gradFn=<op>` for results of recorded ops, and `...` in
 * place of the middle of each dim of tensors with more than 1000 elements.
 */
export function formatTensor(t: Tensor): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (t.size === 0) {
    body = "[]";
    if (t.ndim !== 1) suffixes.push(`size=[${t.shape.join(", ")}]`);
  } else {
    const data = contiguousData(t.storage);
    const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const summarize = t.size > THRESHOLD;
    // which indices of each dim are printed (and where the "..." goes)
    const shown = (n: number): number[] =>
      summarize && n > 2 * EDGE_ITEMS
        ? [...range(0, EDGE_ITEMS), -1, ...range(n - EDGE_ITEMS, n)]
        : range(0, n);
    const visible: number[] = [];
    const collect = (dim: number, offset: number): void => {
      if (dim === t.ndim) visible.push(data[offset]);
      else
        for (const i of shown(t.shape[dim]))
          if (i >= 0) collect(dim + 1, offset + i * strides[dim]);
    };
    collect(0, 0);
    const fmt = t.dtype === "int32" ? intFormatter(visible) : floatFormatter(visible);
    const render = (dim: number, offset: number, ind: number): string => {
      if (dim === t.ndim) return fmt.format(data[offset]);
      const parts = shown(t.shape[dim]).map((i) =>
        i < 0
          ? dim === t.ndim - 1
            ? " ..."
            : "..."
          : render(dim + 1, offset + i * strides[dim], ind + 1),
      );
      if (dim === t.ndim - 1) return vector(parts, fmt.width, ind);
      return `[${parts.join("," + "\n".repeat(t.ndim - dim - 1) + " ".repeat(ind + 1))}]`;
    };
    body = render(0, 0, indent);
  }
  if (t.dtype !== "float32") suffixes.push(`dtype=${t.dtype}`);
  if (t.requiresGrad) suffixes.push(t.isLeaf ? "requiresGrad=true" : `gradFn=<${t.node?.name}>`);
  return addSuffixes(prefix + body, suffixes, indent) + ")";
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** A row of formatted values, wrapped so no line passes 80 columns. */
function vector(parts: string[], width: number, indent: number): string {
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += perLine)
    lines.push(parts.slice(i, i + perLine).join(", "));
  return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
}

/** Appends `, suffix` to `text`, moving a suffix to its own line when it would pass 80 columns. */
function addSuffixes(text: string, suffixes: string[], indent: number): string {
  let out = text;
  // NOTE: counted as torch counts it, two more than the length of the last line
  let lineLength = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lineLength + suffix.length + 2 > LINE_WIDTH) {
      out += ",\n" + " ".repeat(indent) + suffix;
      lineLength = indent + suffix.length;
    } else {
      out += ", " + suffix;
      lineLength += suffix.length + 2;
    }
  }
  return out;
}

function intFormatter(values: number[]): Formatter {
  const width = Math.max(1, ...values.map((v) => String(v).length));
  return { width, format: (v) => String(v).padStart(width) };
}

/**
 * PyTorch's choice from the non-zero finite values: integers as `1.` when they all are (unless
 * they span more than 1000× or pass 1e8), else `1.0000`, else scientific `1.0000e+00` when the
 * values span more than 1000×, pass 1e8 or go below 1e-4.
 */
function floatFormatter(values: number[]): Formatter {
  const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0);
  const special = (v: number): string | null =>
    Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : null;
  const abs = nonzero.map(Math.abs);
  const max = Math.max(...abs);
  const min = Math.min(...abs);
  const intMode = nonzero.every(Number.isInteger);
  const sciMode = nonzero.length > 0 && (max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4));
  let text: (v: number) => string;
  if (sciMode) text = (v) => special(v) ?? scientific(v);
  else if (intMode) text = (v) => special(v) ?? `${v.toFixed(0)}.`;
  else text = (v) => special(v) ?? v.toFixed(PRECISION);
  const width = Math.max(1, ...nonzero.map((v) => text(v).length));
  return { width, format: (v) => text(v).padStart(width) };
}

/** `1.2346e+03`: Python's `{:.4e}`, whose exponent has at least two digits. */
function scientific(v: number): string {
  return v.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2");
}
