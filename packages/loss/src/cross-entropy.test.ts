import { describe, expect, it } from "vitest";
import { gradcheck, Rng, Tensor, tensor } from "@tg/tensor";
import { crossEntropyLoss, nllLoss } from "./cross-entropy.js";

const f64 = { dtype: "float64" } as const;
const ints = (v: number[]): Tensor => tensor(v, { dtype: "int32" });

/** log softmax of each row, in float64 with plain loops. */
function logSoftmaxRows(x: number[][]): number[][] {
  return x.map((row) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.map((v) => v - lse);
  });
}

/** PyTorch's cross_entropy for class indices, written out: (1 − s)·nll + (s/C)·smooth, per row. */
function referenceCE(
  x: number[][],
  y: number[],
  { weight, smoothing = 0, ignoreIndex = -100 }: { weight?: number[]; smoothing?: number; ignoreIndex?: number },
): { rows: number[]; sum: number; mean: number } {
  const c = x[0].length;
  const w = weight ?? new Array<number>(c).fill(1);
  const logp = logSoftmaxRows(x);
  let totalWeight = 0;
  const rows = logp.map((lp, i) => {
    if (y[i] === ignoreIndex) return 0;
    totalWeight += w[y[i]];
    const nll = -w[y[i]] * lp[y[i]];
    const smooth = -lp.reduce((s, v, j) => s + w[j] * v, 0);
    return (1 - smoothing) * nll + (smoothing / c) * smooth;
  });
  const sum = rows.reduce((a, b) => a + b, 0);
  return { rows, sum, mean: sum / totalWeight };
}

function randomLogits(n: number, c: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: c }, () => 4 * rng.uniform() - 2));
}

describe("crossEntropyLoss with class indices", () => {
  it("matches a value worked by hand", () => {
    // −log(e³ / (e + e² + e³)) = log(1 + e⁻¹ + e⁻²) = log(1.5032147244) = 0.4076059644
    expect(crossEntropyLoss(tensor([[1, 2, 3]], f64), [2]).item()).toBeCloseTo(0.4076059644443803, 14);
    // with label smoothing 0.3: 0.7·0.40760596 + 0.1·(2.40760596 + 1.40760596 + 0.40760596) = 0.70760596
    expect(crossEntropyLoss(tensor([[1, 2, 3]], f64), [2], { labelSmoothing: 0.3 }).item()).toBeCloseTo(0.7076059644443803, 14);
    // weights [2, 1, 0.5], targets [2, 0]: (0.5·0.40760596 + 2·2.40760596) / (0.5 + 2) = 2.00760596
    const l = 0.4076059644443803; // −log p[2]; −log p[0] = l + 2 since x[2] − x[0] = 2
    const weighted = crossEntropyLoss(tensor([[1, 2, 3], [1, 2, 3]], f64), ints([2, 0]), { weight: tensor([2, 1, 0.5], f64) });
    expect(weighted.item()).toBeCloseTo((0.5 * l + 2 * (l + 2)) / 2.5, 14);
  });

  it("matches PyTorch's formulas for every reduction, weight, ignoreIndex and smoothing", () => {
    const x = randomLogits(6, 4, 1);
    const y = [0, 3, 1, 3, 2, 1];
    const cases = [
      {},
      { weight: [0.2, 1, 3, 0.7] },
      { ignoreIndex: 3 },
      { smoothing: 0.1 },
      { weight: [0.2, 1, 3, 0.7], smoothing: 0.25, ignoreIndex: 1 },
    ];
    for (const c of cases) {
      const ref = referenceCE(x, y, c);
      const opts = {
        weight: c.weight === undefined ? undefined : tensor(c.weight, f64),
        labelSmoothing: c.smoothing,
        ignoreIndex: c.ignoreIndex,
      };
      const logits = tensor(x, f64);
      expect(crossEntropyLoss(logits, y, opts).item()).toBeCloseTo(ref.mean, 12);
      expect(crossEntropyLoss(logits, y, { ...opts, reduction: "sum" }).item()).toBeCloseTo(ref.sum, 12);
      const rows = Array.from(crossEntropyLoss(logits, y, { ...opts, reduction: "none" }).dataSync());
      rows.forEach((r, i) => expect(r).toBeCloseTo(ref.rows[i], 12));
    }
  });

  it("is stable for logits of ±1000 and keeps the logits' dtype", () => {
    const loss = crossEntropyLoss(tensor([[1000, -1000], [-1000, 1000]]), ints([1, 1]), { reduction: "none" });
    expect(loss.dtype).toBe("float32");
    expect(loss.toArray()).toEqual([2000, 0]);
    const masked = crossEntropyLoss(tensor([[0, -Infinity, 0]]), [0]);
    expect(masked.item()).toBeCloseTo(Math.log(2), 6);
  });

  it("gives a mean of NaN and a gradient of 0 when every target is ignored, as PyTorch", () => {
    expect(Number.isNaN(crossEntropyLoss(tensor([[1, 2]]), [-100]).item())).toBe(true);
    expect(crossEntropyLoss(tensor([[1, 2]]), [-100], { reduction: "sum" }).item()).toBe(0);
    const zeros = [[0, 0, 0], [0, 0, 0]];
    // from torch 1.13: F.cross_entropy(x, [-100, -100], weight, label_smoothing, reduction) gives
    // nan (mean), 0 (sum) or [0, 0] (none), and x.grad is all 0, for every option below
    for (const weight of [undefined, tensor([0.2, 1, 3], f64)]) {
      for (const labelSmoothing of [0, 0.1]) {
        for (const reduction of ["mean", "sum", "none"] as const) {
          const x = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]], { ...f64, requiresGrad: true });
          const loss = crossEntropyLoss(x, ints([-100, -100]), { weight, labelSmoothing, reduction });
          expect(loss.toArray()).toEqual(reduction === "mean" ? NaN : reduction === "sum" ? 0 : [0, 0]);
          loss.sum().backward();
          expect(x.grad?.toArray()).toEqual(zeros);
        }
      }
    }
    gradcheck((x) => crossEntropyLoss(x, [-100, -100], { labelSmoothing: 0.1, reduction: "sum" }), [[2, 3]]);
  });

  it("gives ignored rows a gradient of exactly 0", () => {
    const w = tensor([0.2, 1, 3], f64);
    // from torch 1.13: x.grad[0] of F.cross_entropy(x, [2, -100], ...).sum().backward() for
    // x = [[0.5, -1, 2], [1.5, 0.25, -0.75]]; x.grad[1] is 0 in every case
    const cases: [{ weight?: Tensor; labelSmoothing?: number; reduction?: "sum" | "none" }, number[]][] = [
      [{}, [0.1752903921400367, 0.03911257327068745, -0.21440296541072412]],
      [{ labelSmoothing: 0.1 }, [0.14195705880670337, 0.0057792399373541165, -0.14773629874405747]],
      [{ weight: w, reduction: "sum" }, [0.52587117642011, 0.11733771981206234, -0.6432088962321724]],
      [{ weight: w, labelSmoothing: 0.1 }, [0.16371934900367915, 0.025915458251806335, -0.1896348072554855]],
      [{ weight: w, labelSmoothing: 0.1, reduction: "none" }, [0.4911580470110376, 0.07774637475541904, -0.5689044217664565]],
    ];
    for (const [opts, row0] of cases) {
      const x = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]], { ...f64, requiresGrad: true });
      crossEntropyLoss(x, [2, -100], opts).sum().backward();
      const [g0, g1] = x.grad?.toArray() as number[][];
      g0.forEach((v, j) => expect(v).toBeCloseTo(row0[j], 14));
      expect(g1).toEqual([0, 0, 0]);
    }
    // NOTE: PyTorch gives NaN here (a NaN or infinite logit in an ignored row); we keep it 0
    for (const bad of [NaN, Infinity]) {
      const x = tensor([[0.5, -1, 2], [bad, 0, 1]], { ...f64, requiresGrad: true });
      crossEntropyLoss(x, [2, -100], { labelSmoothing: 0.1 }).backward();
      expect((x.grad?.toArray() as number[][])[1]).toEqual([0, 0, 0]);
    }
  });

  it("has correct gradients", () => {
    const y = ints([0, 3, 1, 3, 2]);
    gradcheck((x) => crossEntropyLoss(x, y), [[5, 4]]);
    gradcheck((x) => crossEntropyLoss(x, y, { reduction: "none" }), [[5, 4]]);
    const weight = tensor([0.2, 1, 3, 0.7], f64);
    gradcheck((x) => crossEntropyLoss(x, y, { weight, labelSmoothing: 0.2, ignoreIndex: 1, reduction: "sum" }), [[5, 4]]);
  });
});

describe("crossEntropyLoss with probability targets", () => {
  it("is Σ −t·log p per row, divided by N for the mean", () => {
    const x = randomLogits(3, 4, 2);
    const t = [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]];
    const w = [1, 2, 0.5, 1.5];
    const s = 0.2;
    const logp = logSoftmaxRows(x);
    const rows = logp.map((lp, i) => -lp.reduce((acc, v, j) => acc + w[j] * (t[i][j] * (1 - s) + s / 4) * v, 0));
    const opts = { weight: tensor(w, f64), labelSmoothing: s };
    const loss = crossEntropyLoss(tensor(x, f64), tensor(t, f64), opts);
    expect(loss.item()).toBeCloseTo((rows[0] + rows[1] + rows[2]) / 3, 12);
    const none = Array.from(crossEntropyLoss(tensor(x, f64), tensor(t, f64), { ...opts, reduction: "none" }).dataSync());
    none.forEach((r, i) => expect(r).toBeCloseTo(rows[i], 12));
  });

  it("equals the class-index loss for one-hot targets", () => {
    const x = tensor(randomLogits(3, 3, 3), f64);
    const oneHot = tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0]], f64);
    expect(crossEntropyLoss(x, oneHot).item()).toBeCloseTo(crossEntropyLoss(x, [1, 2, 0]).item(), 14);
  });

  it("has correct gradients for logits and target", () => {
    gradcheck((x, t) => crossEntropyLoss(x, t, { labelSmoothing: 0.1 }), [[3, 4], [3, 4]]);
    gradcheck((x, t) => crossEntropyLoss(x, t, { weight: tensor([1, 2, 0.5, 3], f64), reduction: "none" }), [[3, 4], [3, 4]]);
  });
});

describe("crossEntropyLoss errors", () => {
  const logits = Tensor.zeros([4, 10]);
  it("names a class index out of range", () => {
    expect(() => crossEntropyLoss(logits, [1, 2, 12, 0])).toThrow("crossEntropyLoss: target 12 is out of range for 10 classes");
    expect(() => crossEntropyLoss(logits, ints([1, -1, 2, 0]))).toThrow("crossEntropyLoss: target -1 is out of range for 10 classes");
  });
  it("names both shapes when batch sizes differ", () => {
    expect(() => crossEntropyLoss(logits, ints([1, 2, 3]))).toThrow(
      "crossEntropyLoss: logits [4,10] and target [3] have different batch sizes (4 != 3)",
    );
    expect(() => crossEntropyLoss(logits, Tensor.zeros([3, 10]))).toThrow(
      "crossEntropyLoss: probability target must have the logits' shape [4,10], got [3,10]",
    );
  });
  it("refuses wrong dtypes and ranks", () => {
    expect(() => crossEntropyLoss(logits, Tensor.zeros([4]))).toThrow(
      "crossEntropyLoss: target must be an int32 tensor [N] of class indices or a float tensor [N,C] of probabilities, got float32 [4]",
    );
    expect(() => crossEntropyLoss(Tensor.zeros([2, 3, 4]), [0, 1])).toThrow("crossEntropyLoss: expected logits [N,C], got [2,3,4]");
    expect(() => crossEntropyLoss(ints([1, 2]), [0])).toThrow("crossEntropyLoss: logits must be float32 or float64, got int32");
    expect(() => crossEntropyLoss(logits, [0, 1, 2.5, 3])).toThrow("crossEntropyLoss: target must hold integer class indices, got 2.5");
    expect(() => crossEntropyLoss(logits, [0, 1, 2, 3], { weight: Tensor.ones([9]) })).toThrow(
      "crossEntropyLoss: weight must be a float tensor [10] (one weight per class), got float32 [9]",
    );
  });
  it("refuses bad settings with a RangeError", () => {
    const y = [0, 1, 2, 3];
    // @ts-expect-error: not a reduction
    expect(() => crossEntropyLoss(logits, y, { reduction: "avg" })).toThrow(
      new RangeError('crossEntropyLoss: reduction must be "mean", "sum" or "none", got "avg"'),
    );
    expect(() => crossEntropyLoss(logits, y, { labelSmoothing: 1.5 })).toThrow(
      new RangeError("crossEntropyLoss: labelSmoothing must be in [0, 1], got 1.5"),
    );
    expect(() => crossEntropyLoss(logits, Tensor.zeros([4, 10]), { ignoreIndex: 0 })).toThrow(
      "crossEntropyLoss: ignoreIndex applies to class-index targets only, not to probabilities",
    );
  });
});

describe("nllLoss", () => {
  it("picks −w[y]·logProbs[i, y] and divides the mean by the weights used", () => {
    const logProbs = tensor([[-0.5, -1, -2], [-3, -0.25, -1], [-1, -1, -1]], f64);
    // rows: −(−1)·2 = 2 (target 1, weight 2), ignored, −(−1)·0.5 = 0.5 (target 2, weight 0.5)
    const opts = { weight: tensor([1, 2, 0.5], f64), ignoreIndex: 0 };
    expect(nllLoss(logProbs, [1, 0, 2], { ...opts, reduction: "none" }).toArray()).toEqual([2, 0, 0.5]);
    expect(nllLoss(logProbs, [1, 0, 2], { ...opts, reduction: "sum" }).item()).toBe(2.5);
    expect(nllLoss(logProbs, [1, 0, 2], opts).item()).toBe(2.5 / 2.5);
    // unweighted mean of 0.5, 0.25 and 1
    expect(nllLoss(logProbs, ints([0, 1, 2])).item()).toBeCloseTo(1.75 / 3, 15);
  });

  it("ignores −Infinity outside the target class", () => {
    expect(nllLoss(tensor([[-Infinity, -0.5]]), [1]).item()).toBe(0.5);
  });

  it("agrees with crossEntropyLoss on log-softmaxed logits", () => {
    const x = tensor(randomLogits(4, 5, 4), f64);
    const y = [4, 0, 2, 2];
    expect(nllLoss(x.logSoftmax(1), y).item()).toBeCloseTo(crossEntropyLoss(x, y).item(), 14);
  });

  it("has correct gradients", () => {
    const y = ints([1, 0, 2, 2]);
    gradcheck((x) => nllLoss(x, y, { weight: tensor([1, 2, 0.5], f64), ignoreIndex: 0 }), [[4, 3]]);
    gradcheck((x) => nllLoss(x, y, { reduction: "none" }), [[4, 3]]);
  });

  it("names bad targets and shapes", () => {
    expect(() => nllLoss(Tensor.zeros([2, 3]), [0, 3])).toThrow("nllLoss: target 3 is out of range for 3 classes");
    expect(() => nllLoss(Tensor.zeros([2, 3]), [0])).toThrow("nllLoss: input [2,3] and target [1] have different batch sizes (2 != 1)");
    expect(() => nllLoss(Tensor.zeros([3]), [0])).toThrow("nllLoss: expected input [N,C], got [3]");
    // @ts-expect-error: not a reduction
    expect(() => nllLoss(Tensor.zeros([1, 3]), [0], { reduction: "max" })).toThrow(RangeError);
    expect(() => nllLoss(Tensor.zeros([1, 3]), [0], { ignoreIndex: 0.5 })).toThrow("nllLoss: ignoreIndex must be an integer, got 0.5");
  });
});
