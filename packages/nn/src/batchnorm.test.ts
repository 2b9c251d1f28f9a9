import { describe, expect, it } from "vitest";
import { Rng, Tensor, tensor } from "@tg/tensor";
import { BatchNorm1D, BatchNorm2D } from "./batchnorm.js";
import { gradcheckModule } from "./gradcheck-module.js";

const f64 = { dtype: "float64" } as const;
const values = (t: Tensor | null): number[] => Array.from(t?.dataSync() ?? []);

/** Per-channel statistics of x [N, C, ...rest] computed with plain loops in float64. */
function channelStats(x: Tensor): { mean: number[]; biased: number[]; unbiased: number[] } {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const data = x.dataSync();
  const mean: number[] = [];
  const biased: number[] = [];
  const unbiased: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const vs: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) vs.push(data[(i * c + ch) * inner + k]);
    const m = vs.reduce((a, b) => a + b, 0) / vs.length;
    const ss = vs.reduce((a, b) => a + (b - m) ** 2, 0);
    mean.push(m);
    biased.push(ss / vs.length);
    unbiased.push(ss / (vs.length - 1));
  }
  return { mean, biased, unbiased };
}

function randomTensor(shape: number[], seed: number): Tensor {
  return Tensor.randn(shape, { rng: new Rng(seed), dtype: "float64" }).mul(2).add(1);
}

describe("BatchNorm1D", () => {
  it("normalises a batch with its biased variance and updates the running stats, as PyTorch", () => {
    const bn = new BatchNorm1D(1, f64);
    const y = bn.forward(tensor([[1], [2], [3], [4]], f64));
    // mean 2.5, biased variance 1.25, unbiased 5/3
    const s = Math.sqrt(1.25 + 1e-5);
    expect(values(y)).toEqual([-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
    expect(values(bn.runningMean)[0]).toBeCloseTo(0.25, 15); // 0.9·0 + 0.1·2.5
    expect(values(bn.runningVar)[0]).toBeCloseTo(0.9 + 0.1 * (5 / 3), 15);
    expect(bn.numBatchesTracked?.item()).toBe(1);
  });

  it("tracks running statistics over batches and uses them in eval", () => {
    const bn = new BatchNorm1D(3, f64);
    const batches = [randomTensor([6, 3], 1), randomTensor([6, 3], 2)];
    let mean = [0, 0, 0];
    let variance = [1, 1, 1];
    for (const x of batches) {
      const st = channelStats(x);
      const y = bn.forward(x);
      const expected = x.sub(tensor([st.mean], f64)).div(tensor([st.biased], f64).add(1e-5).sqrt());
      values(y).forEach((v, i) => expect(v).toBeCloseTo(values(expected)[i], 12));
      mean = mean.map((m, c) => 0.9 * m + 0.1 * st.mean[c]);
      variance = variance.map((v, c) => 0.9 * v + 0.1 * st.unbiased[c]);
    }
    values(bn.runningMean).forEach((v, c) => expect(v).toBeCloseTo(mean[c], 14));
    values(bn.runningVar).forEach((v, c) => expect(v).toBeCloseTo(variance[c], 14));
    expect(bn.numBatchesTracked?.item()).toBe(2);

    bn.eval();
    const x = randomTensor([2, 3], 3);
    const expected = x.sub(tensor([mean], f64)).div(tensor([variance], f64).add(1e-5).sqrt());
    values(bn.forward(x)).forEach((v, i) => expect(v).toBeCloseTo(values(expected)[i], 12));
    expect(bn.numBatchesTracked?.item()).toBe(2); // eval leaves the statistics alone
  });

  it("normalises [N, C, L] over N and L, and applies weight and bias", () => {
    const bn = new BatchNorm1D(2, f64);
    bn.loadStateDict({ ...bn.stateDict(), weight: tensor([2, 3], f64), bias: tensor([-1, 1], f64) });
    const x = randomTensor([3, 2, 4], 4);
    const st = channelStats(x);
    const y = values(bn.forward(x));
    const data = x.dataSync();
    for (let i = 0; i < x.size; i++) {
      const c = Math.floor(i / 4) % 2;
      const expected = ((data[i] - st.mean[c]) / Math.sqrt(st.biased[c] + 1e-5)) * [2, 3][c] + [-1, 1][c];
      expect(y[i]).toBeCloseTo(expected, 12);
    }
  });

  it("with momentum null keeps a cumulative average", () => {
    const bn = new BatchNorm1D(2, { ...f64, momentum: null });
    const a = randomTensor([4, 2], 5);
    const b = randomTensor([4, 2], 6);
    bn.forward(a);
    bn.forward(b);
    const [sa, sb] = [channelStats(a), channelStats(b)];
    values(bn.runningMean).forEach((v, c) => expect(v).toBeCloseTo((sa.mean[c] + sb.mean[c]) / 2, 14));
    values(bn.runningVar).forEach((v, c) => expect(v).toBeCloseTo((sa.unbiased[c] + sb.unbiased[c]) / 2, 14));
  });

  it("without affine or running statistics has no parameters or buffers and uses batch stats in eval", () => {
    const bn = new BatchNorm1D(2, { affine: false, trackRunningStats: false });
    expect(bn.stateDict()).toEqual({});
    const x = tensor([[1, 10], [3, 20]]);
    expect(values(bn.eval().forward(x)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -1, 1, 1]);
  });

  it("has correct gradients in training and in eval", () => {
    const bn = new BatchNorm1D(3, f64);
    bn.loadStateDict({ ...bn.stateDict(), weight: tensor([0.5, 2, -1], f64), bias: tensor([0.1, 0, 3], f64) });
    gradcheckModule(bn, [[5, 3]]);
    gradcheckModule(bn, [[4, 3, 2]]);
    gradcheckModule(bn.eval(), [[5, 3]]);
  });

  it("names the expected input shape", () => {
    expect(() => new BatchNorm1D(4).forward(Tensor.zeros([8, 3]))).toThrow(
      "BatchNorm1D: expected input [N,4] or [N,4,L], got [8,3]",
    );
    expect(() => new BatchNorm1D(4).forward(Tensor.zeros([1, 4]))).toThrow(
      "BatchNorm1D: expected more than 1 value per channel when training, got input [1,4]",
    );
  });

  it("refuses bad settings", () => {
    expect(() => new BatchNorm1D(0)).toThrow(new RangeError("BatchNorm1D: numFeatures must be a positive integer, got 0"));
    expect(() => new BatchNorm1D(2, { momentum: 1.5 })).toThrow("BatchNorm1D: momentum must be in [0, 1] or null, got 1.5");
    expect(() => new BatchNorm2D(2, { eps: 0 })).toThrow("BatchNorm2D: eps must be positive, got 0");
  });
});

describe("BatchNorm2D", () => {
  it("normalises each channel over N, H and W", () => {
    const bn = new BatchNorm2D(3, f64);
    const x = randomTensor([2, 3, 2, 2], 7);
    const st = channelStats(x);
    const y = values(bn.forward(x));
    const data = x.dataSync();
    for (let i = 0; i < x.size; i++) {
      const c = Math.floor(i / 4) % 3;
      expect(y[i]).toBeCloseTo((data[i] - st.mean[c]) / Math.sqrt(st.biased[c] + 1e-5), 12);
    }
    values(bn.runningVar).forEach((v, c) => expect(v).toBeCloseTo(0.9 + 0.1 * st.unbiased[c], 14));
  });

  it("keys its buffers as PyTorch does", () => {
    expect(Object.keys(new BatchNorm2D(3).stateDict())).toEqual([
      "weight",
      "bias",
      "running_mean",
      "running_var",
      "num_batches_tracked",
    ]);
  });

  it("has correct gradients", () => gradcheckModule(new BatchNorm2D(2, f64), [[2, 2, 3, 3]]));

  it("names the expected input shape", () => {
    expect(() => new BatchNorm2D(3).forward(Tensor.zeros([2, 3, 4]))).toThrow(
      "BatchNorm2D: expected input [N,3,H,W], got [2,3,4]",
    );
  });
});
