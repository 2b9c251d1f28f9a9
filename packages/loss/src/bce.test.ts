import { describe, expect, it } from "vitest";
import { gradcheck, Tensor, tensor } from "@tg/tensor";
import { binaryCrossEntropyWithLogits as bce } from "./bce.js";

const f64 = { dtype: "float64" } as const;

/** −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))] · w, in float64 (fine for moderate x). */
function reference(x: number, y: number, posWeight = 1, weight = 1): number {
  const s = 1 / (1 + Math.exp(-x));
  return -(posWeight * y * Math.log(s) + (1 - y) * Math.log(1 - s)) * weight;
}

describe("binaryCrossEntropyWithLogits", () => {
  it("matches values worked by hand", () => {
    // x = 0: σ = 1/2, loss log 2 whatever the target
    expect(bce(tensor([0], f64), tensor([1], f64)).item()).toBeCloseTo(Math.LN2, 15);
    // x = 2, y = 0.25: 0.75·2 + log(1 + e⁻²) = 1.5 + 0.126928011 = 1.626928011
    expect(bce(tensor([2], f64), tensor([0.25], f64)).item()).toBeCloseTo(1.5 + Math.log1p(Math.exp(-2)), 15);
  });

  it("agrees with the textbook formula, with posWeight and weight, for every reduction", () => {
    const x = [[-3, -0.5, 0], [0.7, 2, 4]];
    const y = [[0, 1, 0.3], [1, 0.5, 0]];
    const pos = [2, 0.5, 1];
    const w = [[1], [3]];
    const expected = x.map((row, i) => row.map((v, j) => reference(v, y[i][j], pos[j], w[i][0])));
    const opts = { posWeight: tensor(pos, f64), weight: tensor(w, f64) };
    const none = bce(tensor(x, f64), tensor(y, f64), { ...opts, reduction: "none" });
    (none.toArray() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 13)));
    const sum = expected.flat().reduce((a, b) => a + b, 0);
    expect(bce(tensor(x, f64), tensor(y, f64), { ...opts, reduction: "sum" }).item()).toBeCloseTo(sum, 13);
    expect(bce(tensor(x, f64), tensor(y, f64), opts).item()).toBeCloseTo(sum / 6, 13);
  });

  it("is exact for logits of ±100", () => {
    const losses = bce(tensor([100, -100, 100, -100]), tensor([0, 1, 1, 0]), { reduction: "none" }).dataSync();
    expect(Array.from(losses.slice(0, 2))).toEqual([100, 100]);
    // the true losses are log(1 + e⁻¹⁰⁰) = e⁻¹⁰⁰, a float32 subnormal; −100 + softplus(100) rounds to 0
    expect(losses[2]).toBe(Math.fround(Math.exp(-100)));
    expect(losses[3]).toBe(0);
    const x = tensor([100, -100], { requiresGrad: true });
    bce(x, tensor([0, 1]), { reduction: "sum" }).backward();
    expect(x.grad?.toArray()).toEqual([1, -1]); // σ(x) − y
  });

  it("has the gradient σ(x) − y at x = 0", () => {
    const x = tensor([0, 0], { requiresGrad: true, ...f64 });
    bce(x, tensor([0, 1], f64), { reduction: "sum" }).backward();
    expect(x.grad?.toArray()).toEqual([0.5, -0.5]);
  });

  it("has correct gradients for logits and target", () => {
    gradcheck((x, y) => bce(x, y), [[3, 4], [3, 4]], { domain: [-3, 3] });
    const posWeight = tensor([0.5, 2, 1, 3], f64);
    gradcheck((x, y) => bce(x, y, { posWeight, weight: tensor([2], f64), reduction: "none" }), [[3, 4], [3, 4]]);
  });

  it("refuses mismatched shapes, int tensors and weights that do not broadcast", () => {
    expect(() => bce(Tensor.zeros([4, 1]), Tensor.zeros([4]))).toThrow(
      "binaryCrossEntropyWithLogits: logits [4,1] and target [4] must have the same shape",
    );
    expect(() => bce(Tensor.zeros([2]), tensor([0, 1], { dtype: "int32" }))).toThrow(
      "binaryCrossEntropyWithLogits: logits and target must be float tensors, got float32 and int32",
    );
    expect(() => bce(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]), { posWeight: Tensor.ones([2]) })).toThrow(
      "binaryCrossEntropyWithLogits: cannot broadcast [2] with [2,3]",
    );
    expect(() => bce(Tensor.zeros([3]), Tensor.zeros([3]), { weight: Tensor.ones([2, 3]) })).toThrow(
      "binaryCrossEntropyWithLogits: weight [2,3] does not broadcast to the logits' shape [3]",
    );
    // @ts-expect-error: not a reduction
    expect(() => bce(Tensor.zeros([3]), Tensor.zeros([3]), { reduction: "" })).toThrow(RangeError);
  });
});
