// Every differentiable op, gradchecked in float64 against central differences (STYLE.md §7):
// one row per op and form (broadcast shapes, negative dims, keepdim), and a test that fails
// when an op exported from ops/ has neither a row nor a place in NO_GRADIENT.
import { describe, expect, it } from "vitest";
import {
  cat,
  conv2d,
  cumsum,
  conv2dReluMaxPool2d,
  dropout,
  embedding,
  gather,
  gradcheck,
  indexSelect,
  layerNorm,
  linear,
  maxPool2d,
  Rng,
  scaledDotProductAttention,
  scatterAdd,
  sort,
  stack,
  tensor,
  topk,
  topkFilter,
  variance,
  where,
  type Shape,
  type Tensor,
} from "../index.js";

interface Row {
  /** The exported name of the op this row checks. */
  op: string;
  /** What the row varies, for the test title. */
  form: string;
  fn: (...xs: Tensor[]) => Tensor;
  /** Shapes become random inputs in `domain`; tensors are used as given. */
  inputs: (Shape | Tensor)[];
  domain?: [number, number];
  /** Only for casts to float32, whose rounding needs a step far above float32's resolution. */
  eps?: number;
}

/** A float64 leaf away from the kinks at 0 (and at ±1 for clamp). */
const away = tensor([-1.7, -0.6, 0.3, 0.8, -1.3, 1.6], { shape: [2, 3], dtype: "float64" });
away.requiresGrad = true;
const cond = tensor([1, 0, 1, 0, 0, 1], { shape: [2, 3], dtype: "int32" });
/** Int32 indices with repeats, for the indexing ops. */
const rows = tensor([[2, 0], [2, 3], [1, 2]], { dtype: "int32" });
const picks = tensor([[1, 0, 1], [2, 2, 0]], { dtype: "int32" });
const keep = tensor([[1, 1, 0, 0], [1, 0, 1, 1], [0, 1, 1, 1]], { dtype: "int32" });

// one line per row keeps the table readable as a table
// prettier-ignore
const ROWS: Row[] = [
  // element-wise binary, with broadcasting and JS numbers
  { op: "add", form: "[2,3] + [3]", fn: (a, b) => a.add(b), inputs: [[2, 3], [3]] },
  { op: "add", form: "[2,1,4] + [3,1] + number", fn: (a, b) => a.add(b).add(2), inputs: [[2, 1, 4], [3, 1]] },
  { op: "sub", form: "[3] - [2,3]", fn: (a, b) => a.sub(b), inputs: [[3], [2, 3]] },
  { op: "mul", form: "[2,3] · [2,1]", fn: (a, b) => a.mul(b), inputs: [[2, 3], [2, 1]] },
  { op: "mul", form: "0-d · [2,2]", fn: (a, b) => a.mul(b), inputs: [[], [2, 2]] },
  { op: "div", form: "[2,3] / [3]", fn: (a, b) => a.div(b), inputs: [[2, 3], [3]], domain: [0.5, 2] },
  { op: "div", form: "[4] / number", fn: (a) => a.div(3), inputs: [[4]] },
  { op: "pow", form: "[2,3] ^ [3]", fn: (a, b) => a.pow(b), inputs: [[2, 3], [3]], domain: [0.5, 2] },
  { op: "pow", form: "negative base ^ 3", fn: (a) => a.pow(3), inputs: [[5]] },
  { op: "maximum", form: "[2,3] vs [3]", fn: (a, b) => a.maximum(b), inputs: [[2, 3], [3]] },
  { op: "minimum", form: "[3] vs [2,3]", fn: (a, b) => a.minimum(b), inputs: [[3], [2, 3]] },
  // element-wise unary
  { op: "neg", form: "[2,3]", fn: (x) => x.neg(), inputs: [[2, 3]] },
  { op: "exp", form: "[2,3]", fn: (x) => x.exp(), inputs: [[2, 3]] },
  { op: "exp", form: "a transposed view", fn: (x) => x.transpose(0, 1).exp(), inputs: [[3, 2]] },
  { op: "log", form: "[2,3]", fn: (x) => x.log(), inputs: [[2, 3]], domain: [0.1, 2] },
  { op: "sqrt", form: "[2,3]", fn: (x) => x.sqrt(), inputs: [[2, 3]], domain: [0.1, 2] },
  { op: "abs", form: "away from 0", fn: (x) => x.abs(), inputs: [away] },
  { op: "relu", form: "away from 0", fn: (x) => x.relu(), inputs: [away] },
  { op: "sigmoid", form: "[2,3]", fn: (x) => x.sigmoid(), inputs: [[2, 3]], domain: [-4, 4] },
  { op: "tanh", form: "[2,3]", fn: (x) => x.tanh(), inputs: [[2, 3]] },
  { op: "gelu", form: "exact", fn: (x) => x.gelu(), inputs: [[3, 4]], domain: [-3, 3] },
  { op: "gelu", form: "tanh", fn: (x) => x.gelu("tanh"), inputs: [[3, 4]], domain: [-3, 3] },
  { op: "erf", form: "[3,4]", fn: (x) => x.erf(), inputs: [[3, 4]], domain: [-3, 3] },
  { op: "clamp", form: "min and max, away from them", fn: (x) => x.clamp(-1, 1), inputs: [away] },
  { op: "clamp", form: "min only", fn: (x) => x.clamp(0), inputs: [away] },
  { op: "clamp", form: "max only", fn: (x) => x.clamp(null, 0), inputs: [away] },
  { op: "clamp", form: "min > max: max everywhere", fn: (x) => x.clamp(1, -1), inputs: [away] },
  { op: "where", form: "cond [2,3], a [3], b [2,1]", fn: (c, a, b) => where(c, a, b), inputs: [cond, [3], [2, 1]] },
  { op: "where", form: "a number", fn: (a) => where(cond, a, 0.5), inputs: [[2, 3]] },
  { op: "cast", form: "to float32 and back", fn: (x) => x.to("float32").mul(2), inputs: [[2, 3]], eps: 1e-2 },
  // reductions
  { op: "sum", form: "all", fn: (x) => x.sum(), inputs: [[2, 3]] },
  { op: "sum", form: "dim -1, keepdim", fn: (x) => x.sum(-1, true), inputs: [[2, 3, 4]] },
  { op: "sum", form: "dims [0, 2]", fn: (x) => x.sum([0, 2]), inputs: [[2, 3, 4]] },
  { op: "mean", form: "dim 1", fn: (x) => x.mean(1), inputs: [[2, 3, 4]] },
  { op: "mean", form: "dims [-1, 0], keepdim", fn: (x) => x.mean([-1, 0], true), inputs: [[2, 3, 4]] },
  { op: "max", form: "all", fn: (x) => x.max(), inputs: [[3, 4]] },
  { op: "max", form: "dim -2, keepdim", fn: (x) => x.max(-2, true), inputs: [[2, 3, 4]] },
  { op: "logsumexp", form: "dim 1", fn: (x) => x.logsumexp(1), inputs: [[2, 3, 4]] },
  { op: "logsumexp", form: "dims [0, -1], keepdim, with -Infinity", fn: (x) => x.maskedFill(keep, -Infinity).logsumexp([0, -1], true), inputs: [[3, 4]] },
  { op: "variance", form: "dim -1, correction 1", fn: (x) => x.var(-1), inputs: [[2, 3, 4]] },
  { op: "variance", form: "all, correction 0, keepdim", fn: (x) => variance(x, null, { correction: 0, keepdim: true }), inputs: [[3, 4]] },
  { op: "std", form: "dims [0, 2]", fn: (x) => x.std([0, 2]), inputs: [[2, 3, 4]] },
  { op: "cumsum", form: "dim 1 of a transposed view", fn: (x) => x.transpose(0, 1).cumsum(1), inputs: [[3, 4]] },
  { op: "cumsum", form: "dim -1", fn: (x) => cumsum(x, -1).mul(x), inputs: [[2, 5]] },
  { op: "min", form: "dims [0, 1]", fn: (x) => x.min([0, 1]), inputs: [[2, 3, 4]] },
  // movement
  { op: "reshape", form: "with -1", fn: (x) => x.reshape([3, -1]).mul(x.reshape([3, -1])), inputs: [[2, 3, 2]] },
  { op: "reshape", form: "of a transposed view", fn: (x) => x.transpose(0, 1).reshape([6]), inputs: [[2, 3]] },
  { op: "flatten", form: "dims 1..-1", fn: (x) => x.flatten(1), inputs: [[2, 3, 2]] },
  { op: "permute", form: "(2, 0, 1)", fn: (x) => x.permute(2, 0, 1).exp(), inputs: [[2, 3, 4]] },
  { op: "transpose", form: "(-1, 0)", fn: (x) => x.transpose(-1, 0).mul(x.transpose(-1, 0)), inputs: [[2, 3]] },
  { op: "squeeze", form: "all and dim -2", fn: (x) => x.squeeze().add(x.squeeze(-2).sum(0)), inputs: [[1, 3, 1, 2]] },
  { op: "unsqueeze", form: "dim -1", fn: (x) => x.unsqueeze(-1).mul(x.unsqueeze(0)), inputs: [[3]] },
  { op: "expand", form: "[3,1] to [2,3,4]", fn: (x) => x.expand([2, 3, 4]).exp(), inputs: [[3, 1]] },
  { op: "slice", form: "negative start", fn: (x) => x.slice(-1, -2).exp(), inputs: [[2, 4]] },
  { op: "slice", form: "dim 0, [1, 3)", fn: (x) => x.slice(0, 1, 3), inputs: [[4, 2]] },
  { op: "clone", form: "[2,3]", fn: (x) => x.clone().mul(x), inputs: [[2, 3]] },
  { op: "cat", form: "three tensors, dim -1", fn: (a, b, c) => cat([a, b, c], -1), inputs: [[2, 1], [2, 3], [2, 2]] },
  { op: "stack", form: "dim 1", fn: (a, b) => stack([a, b], 1).exp(), inputs: [[2, 3], [2, 3]] },
  // linear algebra
  { op: "matmul", form: "2-D", fn: (a, b) => a.matmul(b), inputs: [[3, 4], [4, 5]] },
  { op: "matmul", form: "1-D · 1-D", fn: (a, b) => a.matmul(b), inputs: [[4], [4]] },
  { op: "matmul", form: "1-D · batched", fn: (a, b) => a.matmul(b), inputs: [[4], [2, 4, 3]] },
  { op: "matmul", form: "batched · 1-D", fn: (a, b) => a.matmul(b), inputs: [[2, 3, 4], [4]] },
  { op: "matmul", form: "broadcast batch dims", fn: (a, b) => a.matmul(b), inputs: [[2, 1, 3, 4], [3, 4, 2]] },
  { op: "matmul", form: "transposed operands", fn: (a, b) => a.transpose(0, 1).matmul(b.transpose(-1, -2)), inputs: [[4, 3], [5, 4]] },
  { op: "linear", form: "[5,4]·[3,4]ᵀ + [3]", fn: (x, w, b) => linear(x, w, b), inputs: [[5, 4], [3, 4], [3]] },
  { op: "linear", form: "no bias, 3-D input", fn: (x, w) => linear(x, w), inputs: [[2, 3, 4], [2, 4]] },
  { op: "linear", form: "1-D input, transposed weight view", fn: (x, w, b) => linear(x, w.transpose(0, 1), b), inputs: [[4], [4, 3], [3]] },
  // nn
  { op: "softmax", form: "dim -1", fn: (x) => x.softmax(), inputs: [[2, 5]] },
  { op: "softmax", form: "dim 1", fn: (x) => x.softmax(1), inputs: [[2, 3, 4]] },
  { op: "logSoftmax", form: "dim -2", fn: (x) => x.logSoftmax(-2), inputs: [[2, 3, 4]] },
  { op: "dropout", form: "p = 0.4, seeded", fn: (x) => dropout(x, 0.4, true, { rng: new Rng(1) }), inputs: [[4, 5]] },
  // indexing (ops/indexing.ts)
  { op: "indexSelect", form: "dim 1, repeated indices", fn: (x) => indexSelect(x, 1, tensor([3, 0, 3], { dtype: "int32" })), inputs: [[2, 4, 3]] },
  { op: "indexSelect", form: "dim -1 of a transposed view", fn: (x) => x.transpose(0, 1).indexSelect(-1, tensor([1, 1], { dtype: "int32" })), inputs: [[3, 2]] },
  { op: "index", form: "[3,2] indices, negative included", fn: (x) => x.index(tensor([[0, -1], [2, 0], [-4, 1]], { dtype: "int32" })), inputs: [[4, 3]] },
  { op: "gather", form: "dim 0, index smaller than input", fn: (x) => gather(x, 0, picks), inputs: [[3, 4]] },
  { op: "gather", form: "dim -1", fn: (x) => x.gather(-1, picks.transpose(0, 1)), inputs: [[3, 3]] },
  { op: "scatterAdd", form: "dim 1, repeated indices, larger src", fn: (x, s) => scatterAdd(x, 1, rows, s), inputs: [[3, 4], [3, 3]] },
  { op: "maskedFill", form: "broadcast mask, value -2", fn: (x) => x.maskedFill(keep.slice(0, 0, 1), -2), inputs: [[2, 3, 4]] },
  { op: "tril", form: "diagonal 0, batched", fn: (x) => x.tril(), inputs: [[2, 3, 4]] },
  { op: "tril", form: "diagonal -1", fn: (x) => x.tril(-1), inputs: [[4, 3]] },
  { op: "triu", form: "diagonal 1", fn: (x) => x.triu(1), inputs: [[3, 4]] },
  { op: "split", form: "sizes [1, 3] along dim -1", fn: (x) => { const [a, b] = x.split([1, 3], -1); return b.mul(a); }, inputs: [[2, 4]] },
  { op: "chunk", form: "3 chunks of 5", fn: (x) => { const [a, b, c] = x.chunk(3); return a.add(b).sum().add(c.sum()); }, inputs: [[5, 2]] },
  // sorting (ops/sorting.ts): the values are a gather of the input
  { op: "sort", form: "dim 0, descending", fn: (x) => sort(x, 0, true).values.mul(x), inputs: [[4, 3]] },
  { op: "topk", form: "k 2 of dim -1", fn: (x) => x.topk(2).values, inputs: [[3, 5]] },
  { op: "topk", form: "k 3 smallest of dim 0", fn: (x) => topk(x, 3, 0, false).values, inputs: [[4, 2]] },
  { op: "topkFilter", form: "k 2, then softmax", fn: (x) => topkFilter(x, 2).softmax(), inputs: [[3, 5]] },
  // transformer ops (ops/sequence.ts)
  { op: "embedding", form: "[3,2] indices with repeats", fn: (w) => embedding(rows, w), inputs: [[4, 3]] },
  { op: "layerNorm", form: "last dim, weight and bias", fn: (x, w, b) => layerNorm(x, [4], w, b), inputs: [[2, 3, 4], [4], [4]] },
  { op: "layerNorm", form: "two dims, no weight or bias, a view", fn: (x) => layerNorm(x.transpose(0, 2), [3, 2]), inputs: [[2, 3, 4]] },
  { op: "layerNorm", form: "bias only", fn: (x, b) => layerNorm(x, 3, null, b, 1e-3), inputs: [[4, 3], [3]] },
  { op: "scaledDotProductAttention", form: "plain, Ev != E", fn: (q, k, v) => scaledDotProductAttention(q, k, v), inputs: [[2, 3, 4], [2, 5, 4], [2, 5, 2]] },
  { op: "scaledDotProductAttention", form: "causal, broadcast batch", fn: (q, k, v) => scaledDotProductAttention(q, k, v, { isCausal: true }), inputs: [[2, 2, 4, 3], [2, 1, 4, 3], [4, 3]] },
  { op: "scaledDotProductAttention", form: "int32 mask and scale", fn: (q, k, v) => scaledDotProductAttention(q, k, v, { mask: keep, scale: 0.7 }), inputs: [[3, 2], [4, 2], [4, 3]] },
  { op: "scaledDotProductAttention", form: "float mask", fn: (q, k, v, m) => scaledDotProductAttention(q, k, v, { mask: m }), inputs: [[3, 2], [4, 2], [4, 3], [3, 4]] },
  // convolution and pooling (ops/conv.ts)
  { op: "conv2d", form: "bias, stride 2, padding 1, 3×2 kernel", fn: (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }), inputs: [[2, 3, 7, 6], [4, 3, 3, 2], [4]] },
  { op: "conv2d", form: "[h,w] stride and padding, no bias", fn: (x, w) => conv2d(x, w, null, { stride: [1, 2], padding: [2, 0] }), inputs: [[1, 2, 5, 5], [3, 2, 2, 3]] },
  { op: "conv2dReluMaxPool2d", form: "bias, padding 1, odd output", fn: (x, w, b) => conv2dReluMaxPool2d(x, w, b, { padding: 1 }), inputs: [[2, 3, 7, 6], [4, 3, 3, 3], [4]] },
  { op: "conv2dReluMaxPool2d", form: "stride 2, unbatched, no bias", fn: (x, w) => conv2dReluMaxPool2d(x, w, null, { stride: 2 }), inputs: [[2, 9, 9], [3, 2, 3, 3]] },
  { op: "maxPool2d", form: "2×2", fn: (x) => maxPool2d(x, 2), inputs: [[2, 2, 4, 6]] },
  { op: "maxPool2d", form: "3×2, stride [2,1], padding 1", fn: (x) => maxPool2d(x, [3, 2], { stride: [2, 1], padding: 1 }), inputs: [[1, 2, 5, 5]] },
];

/** Exports of ops/ with no gradient: their outputs never require grad. */
const NO_GRADIENT = ["eq", "gt", "lt", "ge", "le", "argmax", "argsort", "multinomial"];
/** Exports of ops/ that are not ops: builders, argument checks and operand helpers. */
const NOT_OPS = ["binaryOp", "unaryOp", "checkMatmulShapes", "scalar", "operand", "inResultType", "checkedIndices"];

describe("gradients of every op (float64, eps 1e-6, atol 1e-5, rtol 1e-3)", () => {
  it.each(ROWS.map((row): [string, Row] => [`${row.op}: ${row.form}`, row]))("%s", (_, row) => {
    const { op, fn, inputs, domain, eps } = row;
    const report = gradcheck(fn, inputs, { name: op, domain, eps, atol: 1e-5, rtol: 1e-3 });
    expect(report.ok).toBe(true);
    expect(report.worst).not.toBeNull();
  });
});

declare global {
  interface ImportMeta {
    glob(pattern: string[], options: { eager: true }): Record<string, Record<string, unknown>>;
  }
}

describe("the table", () => {
  it("has a row for every op exported from ops/, or lists it in NO_GRADIENT", () => {
    const modules = import.meta.glob(["./*.ts", "!./*.test.ts"], { eager: true });
    expect(Object.keys(modules)).toContain("./elementwise.ts");
    const exported = Object.values(modules).flatMap((m) =>
      Object.entries(m)
        .filter(([, v]) => typeof v === "function")
        .map(([name]) => name),
    );
    const covered = new Set([...ROWS.map((r) => r.op), ...NO_GRADIENT, ...NOT_OPS]);
    expect(exported.filter((name) => !covered.has(name))).toEqual([]);
    expect([...new Set(ROWS.map((r) => r.op))].filter((op) => !exported.includes(op))).toEqual([]);
  });
});
