// sort, argsort, topk and the sampling helpers (multinomial, topkFilter). Sorted values and
// untied positions come from torch 1.13; torch leaves the order of ties in topk unspecified.
import { describe, expect, it } from "vitest";
import { argsort, manualSeed, multinomial, Rng, sort, tensor, Tensor, TensorError, topk, topkFilter } from "../index.js";

const values = (t: Tensor | null): number[] => Array.from(t?.dataSync() ?? []);
const y = tensor([[3, 1, 3, 2, 1, NaN], [0.5, -1, 0.5, 0.5, 2, -1]]);

describe("sort and argsort", () => {
  it("sort stably, NaN last ascending and first descending, as torch.sort(stable=True)", () => {
    // torch 1.13
    const up = sort(y, 1);
    expect(values(up.values)).toEqual([1, 1, 2, 3, 3, NaN, -1, -1, 0.5, 0.5, 0.5, 2]);
    expect(values(up.indices)).toEqual([1, 4, 3, 0, 2, 5, 1, 5, 0, 2, 3, 4]);
    const down = y.sort(-1, true);
    expect(values(down.values)).toEqual([NaN, 3, 3, 2, 1, 1, 2, 0.5, 0.5, 0.5, -1, -1]);
    expect(values(down.indices)).toEqual([5, 0, 2, 3, 1, 4, 4, 0, 2, 3, 1, 5]);
    expect(down.indices.dtype).toBe("int32");
    expect(values(argsort(y, 1, true))).toEqual(values(down.indices));
  });

  it("sort along dim 0 of a view and pass the gradient to the sorted positions", () => {
    const x = tensor([[2, 0], [1, 5], [3, -1]], { dtype: "float64", requiresGrad: true });
    const { values: v, indices } = x.transpose(0, 1).sort(1);
    expect(v.toArray()).toEqual([[1, 2, 3], [-1, 0, 5]]);
    expect(indices.toArray()).toEqual([[1, 0, 2], [2, 0, 1]]);
    v.mul(tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" })).sum().backward();
    expect(x.grad?.toArray()).toEqual([[2, 5], [1, 6], [3, 4]]);
    expect(x.argsort(0).toArray()).toEqual([[1, 2], [0, 0], [2, 1]]);
  });
});

describe("topk", () => {
  it("gives the k largest or smallest values in order, as torch", () => {
    // torch 1.13 (its indices for the tied 0.5s were [2, 3]; ours are the first ones)
    const big = topk(y.slice(0, 1), 3);
    expect(values(big.values)).toEqual([2, 0.5, 0.5]);
    expect(values(big.indices)).toEqual([4, 0, 2]);
    expect(values(y.slice(0, 1).topk(3, -1, false).values)).toEqual([-1, -1, 0.5]);
  });

  it("along dim 0 passes the gradient to the picks, as torch", () => {
    const x = tensor([[0.5, -1.25, 2.0, 0.75], [1.5, 0.25, -0.5, -2.0], [3.0, -0.75, 1.0, 0.125]], { dtype: "float64", requiresGrad: true });
    const { values: v, indices } = x.topk(2, 0);
    // torch 1.13
    expect(values(v)).toEqual([3.0, 0.25, 2.0, 0.75, 1.5, -0.75, 1.0, 0.125]);
    expect(values(indices)).toEqual([2, 1, 0, 0, 1, 2, 2, 2]);
    v.mul(tensor([[1, 2, 3, 4], [5, 6, 7, 8]], { dtype: "float64" })).sum().backward();
    expect(values(x.grad)).toEqual([0, 0, 3, 4, 5, 2, 0, 0, 1, 6, 7, 8]);
  });

  it("refuses k out of range", () => {
    expect(() => y.topk(7)).toThrow("topk: k must be an integer in 0..6 for dim 1 of size 6, got 7");
    expect(() => y.topk(1.5)).toThrow(TensorError);
    expect(y.topk(0).values.shape).toEqual([2, 0]);
  });
});

describe("topkFilter", () => {
  it("sets all but the k largest of each row to -Infinity, keeping ties, as nanoGPT's torch idiom", () => {
    const logits = tensor([[1, 3, 2, 3, -1], [0, 0, 0, 5, 4]]);
    // torch 1.13: v, _ = topk(logits, 2); logits[logits < v[:, [-1]]] = -inf
    expect(values(topkFilter(logits, 2))).toEqual([-Infinity, 3, -Infinity, 3, -Infinity, -Infinity, -Infinity, -Infinity, 5, 4]);
    expect(values(topkFilter(logits, 9))).toEqual(values(logits));
    expect(() => topkFilter(logits, 0)).toThrow("topkFilter: k must be a positive integer, got 0");
  });
});

describe("multinomial", () => {
  const probs = tensor([[0.1, 0, 0.6, 0.3], [0, 0, 1, 0]], { dtype: "float64" });

  it("is reproducible by seed, from the global generator or a given one", () => {
    manualSeed(3);
    const a = multinomial(probs, 3, { replacement: true });
    manualSeed(3);
    expect(values(probs.multinomial(3, { replacement: true }))).toEqual(values(a));
    const b = multinomial(probs.slice(0, 0, 1), 3, { rng: new Rng(5) });
    expect(values(multinomial(probs.slice(0, 0, 1), 3, { rng: new Rng(5) }))).toEqual(values(b));
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe("int32");
  });

  it("never draws a zero weight, and draws each category once without replacement", () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 50; trial++) {
      const s = values(multinomial(probs.slice(0, 0, 1), 3, { rng }));
      expect([...s].sort()).toEqual([0, 2, 3]);
    }
    const row = values(multinomial(probs.slice(0, 1, 2).squeeze(0), 20, { replacement: true, rng }));
    expect(row).toEqual(new Array<number>(20).fill(2));
  });

  it("draws in proportion to the weights (4000 draws within 4 standard deviations)", () => {
    const counts = [0, 0, 0, 0];
    for (const c of values(multinomial(tensor([0.1, 0, 0.6, 0.3]), 4000, { replacement: true, rng: new Rng(2) }))) counts[c]++;
    [0.1, 0, 0.6, 0.3].forEach((p, i) => expect(Math.abs(counts[i] - 4000 * p)).toBeLessThanOrEqual(4 * Math.sqrt(4000 * p * (1 - p))));
  });

  it("refuses negative weights, rows summing to 0, too many samples without replacement, and int32", () => {
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow("multinomial: probabilities must be finite and non-negative, got -0.1");
    expect(() => multinomial(tensor([[1, 0], [0, 0]]), 1)).toThrow("multinomial: row 1 of [2,2] sums to 0");
    expect(() => multinomial(probs, 4)).toThrow(
      "multinomial: cannot draw 4 samples without replacement from row 0, which has 3 non-zero weights",
    );
    expect(() => multinomial(tensor([1, 2], { dtype: "int32" }), 1)).toThrow("multinomial: probs must be a 1-D or 2-D float tensor, got int32 [2]");
    expect(() => multinomial(tensor([NaN, 1]), 1)).toThrow(TensorError);
  });
});
