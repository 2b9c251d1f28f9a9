import { beforeEach, describe, expect, it } from "vitest";
import { dropout, manualSeed, Rng, Tensor, tensor, TensorError } from "../index.js";

beforeEach(() => manualSeed(0));

const close = (actual: Tensor, expected: number[][], digits = 6) =>
  (actual.toArray() as number[][]).forEach((row, i) =>
    row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], digits)),
  );

describe("softmax and logSoftmax", () => {
  const x = tensor(
    [
      [1, 2, 3],
      [0, 0, 0],
    ],
    { dtype: "float64" },
  );
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0] + e[1] + e[2];

  it("compute exp(x) / Σ exp(x) along the last dim by default", () => {
    close(x.softmax(), [e.map((v) => v / z), [1 / 3, 1 / 3, 1 / 3]], 14);
    close(
      x.logSoftmax(),
      [e.map((v) => Math.log(v / z)), [-Math.log(3), -Math.log(3), -Math.log(3)]],
      14,
    );
    close(x.softmax(-1), x.softmax(1).toArray() as number[][], 15);
  });

  it("normalise along any dim, negative dims included", () => {
    const s = x.softmax(0);
    for (const v of s.sum(0).dataSync()) expect(v).toBeCloseTo(1, 15);
    close(s, x.transpose(0, 1).softmax(-1).transpose(0, 1).toArray() as number[][], 15);
    close(x.logSoftmax(-2).exp(), s.toArray() as number[][], 14);
  });

  it("stay finite for logits of ±1000", () => {
    const big = tensor([
      [1000, -1000, 0],
      [-1000, -1000, -1000],
      [1000, 1000, 999],
    ]);
    const s = big.softmax();
    const l = big.logSoftmax();
    for (const v of [...s.dataSync(), ...l.dataSync()]) expect(Number.isFinite(v)).toBe(true);
    close(s, [
      [1, 0, 0],
      [1 / 3, 1 / 3, 1 / 3],
      [0.4223188, 0.4223188, 0.1553624],
    ]);
    const lse = Math.log(2 + Math.exp(-1)); // row 3 shifted by its max is [0, 0, -1]
    close(
      l,
      [
        [0, -2000, -1000],
        [-Math.log(3), -Math.log(3), -Math.log(3)],
        [-lse, -lse, -1 - lse],
      ],
      4,
    );
  });

  it("give gradients that vanish along the normalised dim", () => {
    const a = tensor([[0.5, -1, 2]], { requiresGrad: true, dtype: "float64" });
    a.softmax().sum().backward(); // Σ softmax = 1 whatever a is
    for (const v of a.grad!.dataSync()) expect(v).toBeCloseTo(0, 14);
  });

  it("work for 0-d, int32 and float32 inputs", () => {
    expect(tensor(3).softmax(0).item()).toBe(1);
    expect(tensor([1, 1], { dtype: "int32" }).softmax().toArray()).toEqual([0.5, 0.5]);
    expect(tensor([1, 2]).logSoftmax().dtype).toBe("float32");
  });

  it("return empty results for empty inputs", () => {
    expect(Tensor.zeros([2, 0]).softmax().shape).toEqual([2, 0]);
    expect(Tensor.zeros([0, 3]).logSoftmax(1).shape).toEqual([0, 3]);
  });

  it("reject out-of-range dims", () => {
    expect(() => x.softmax(2)).toThrow(
      "softmax: dim 2 is out of range for a 2-d tensor (expected -2..1)",
    );
    expect(() => x.logSoftmax(-3)).toThrow("logSoftmax: dim -3 is out of range");
  });
});

describe("dropout", () => {
  const x = Tensor.ones([100, 100]);

  it("zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
    const y = dropout(x, 0.3, true);
    const values = new Set(y.dataSync());
    expect([...values].sort()).toEqual([0, Math.fround(1 / 0.7)].sort());
    const kept = y.gt(0).sum().item() / x.size;
    expect(kept).toBeGreaterThan(0.67);
    expect(kept).toBeLessThan(0.73);
    expect(y.mean().item()).toBeCloseTo(1, 1); // inverted dropout keeps the expectation
  });

  it("is reproducible from a seed, from opts.rng or the global generator", () => {
    const a = dropout(x, 0.5, true, { rng: new Rng(4) });
    const b = dropout(x, 0.5, true, { rng: new Rng(4) });
    expect(a.toArray()).toEqual(b.toArray());
    manualSeed(9);
    const c = dropout(x, 0.5, true);
    manualSeed(9);
    expect(dropout(x, 0.5, true).toArray()).toEqual(c.toArray());
    expect(dropout(x, 0.5, true).toArray()).not.toEqual(c.toArray());
  });

  it("returns the input itself when p = 0 or when not training", () => {
    expect(dropout(x, 0, true)).toBe(x);
    expect(dropout(x, 0.5, false)).toBe(x);
  });

  it("zeroes everything when p = 1", () => {
    expect(dropout(x, 1, true).sum().item()).toBe(0);
  });

  it("passes the gradient through the kept elements, scaled", () => {
    const w = Tensor.ones([4, 5], { requiresGrad: true });
    const y = dropout(w, 0.5, true, { rng: new Rng(1) });
    y.sum().backward();
    expect(w.grad?.toArray()).toEqual(y.toArray()); // dy/dw is the mask itself since w = 1
  });

  it("scales a gradient it may overwrite the same way as one it may not", () => {
    const grads = [false, true].map((scratch) => {
      const w = Tensor.ones([6, 7], { requiresGrad: true });
      const y = dropout(w, 0.4, true, { rng: new Rng(2) });
      const scale = tensor(Float32Array.from({ length: 42 }, (_, i) => i - 20), { shape: [6, 7] });
      // y·scale hands dropout a fresh gradient of its own; a caller's gradient is never scratch
      if (scratch) y.mul(scale).sum().backward();
      else y.backward(scale);
      return w.grad!.toArray();
    });
    expect(grads[1]).toEqual(grads[0]);
    expect((grads[0] as number[][]).flat().filter((v) => v !== 0).length).toBeGreaterThan(10);
  });

  it("keeps the dtype of float64 input", () => {
    expect(dropout(Tensor.ones([3], { dtype: "float64" }), 0.5, true).dtype).toBe("float64");
  });

  it("rejects p outside [0, 1]", () => {
    expect(() => dropout(x, 1.5, true)).toThrow("dropout: p must be in [0, 1], got 1.5");
    expect(() => dropout(x, -0.1, true)).toThrow(TensorError);
    expect(() => dropout(x, NaN, true)).toThrow("dropout: p must be in [0, 1], got NaN");
  });
});
