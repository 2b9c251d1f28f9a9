// toString(): PyTorch-style printing, eliding the middle of tensors with more than 1000 elements.

import { contiguousData } from "./kernels/copy.js";
import type { Tensor } from "./tensor.js";

const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** Formats `t` as `tensor([[1.0000, 2.0000]], requiresGrad=true)`, like torch's repr. */
export function formatTensor(t: Tensor): string {
  const data = contiguousData(t.storage);
  const summarize = t.size > THRESHOLD;
  const values = visibleValues(data, summarize);
  const formatNumber = numberFormatter(values, t.dtype === "int32");
  const width = Math.max(0, ...values.map((v) => formatNumber(v).length));
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const indent = "tensor(".length;

  const render = (dim: number, offset: number): string => {
    if (dim === t.ndim) return formatNumber(data[offset]).padStart(width);
    const n = t.shape[dim];
    const parts: string[] = [];
    const push = (i: number): void => void parts.push(render(dim + 1, offset + i * strides[dim]));
    if (summarize && n > 2 * EDGE_ITEMS) {
      for (let i = 0; i < EDGE_ITEMS; i++) push(i);
      parts.push("...");
      for (let i = n - EDGE_ITEMS; i < n; i++) push(i);
    } else {
      for (let i = 0; i < n; i++) push(i);
    }
    if (dim === t.ndim - 1) return `[${parts.join(", ")}]`;
    const gap = ",\n".repeat(t.ndim - dim - 1) + " ".repeat(indent + dim + 1);
    return `[${parts.join(gap)}]`;
  };

  const extras: string[] = [];
  if (t.size === 0) extras.push(`size=[${t.shape.join(", ")}]`);
  if (t.dtype !== "float32") extras.push(`dtype=${t.dtype}`);
  if (t.requiresGrad) extras.push(t.isLeaf ? "requiresGrad=true" : `gradFn=${t.node?.name}`);
  const body = t.size === 0 ? "[]" : render(0, 0);
  return `tensor(${[body, ...extras].join(", ")})`;
}

/** The values that decide the number layout: all of them, or a sample from both ends. */
function visibleValues(data: ArrayLike<number>, summarize: boolean): number[] {
  if (!summarize) return Array.from(data);
  const out: number[] = [];
  const half = Math.min(data.length, 2 * EDGE_ITEMS * 64) / 2;
  for (let i = 0; i < half; i++) out.push(data[i], data[data.length - 1 - i]);
  return out;
}

/** Chooses PyTorch's layout: integers as "1.", fixed with 4 decimals, or scientific. */
function numberFormatter(values: number[], isInt: boolean): (v: number) => string {
  if (isInt) return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null =>
    Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : null;
  if (finite.every((v) => Number.isInteger(v)) && finite.every((v) => Math.abs(v) < 1e8)) {
    return (v) => special(v) ?? `${v}.`;
  }
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = Math.max(0, ...abs);
  const min = Math.min(Infinity, ...abs);
  if (max >= 1e8 || min < 1e-4 || max / min > 1000) {
    return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  }
  return (v) => special(v) ?? v.toFixed(4);
}
