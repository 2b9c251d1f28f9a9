import { Rng, Tensor, tensor } from "@tg/tensor";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";
import { buildModel, countParameters, watchedLayers } from "./models.js";
import { syntheticSplit } from "./testing/synthetic.js";
import { estimateEpochSeconds, meanAbsGrad, train, type TrainSettings } from "./train.js";

const SETTINGS: TrainSettings = { model: "mlp", epochs: 2, batchSize: 32, lr: 1e-3, weightDecay: 0.01, optimizer: "adamw", schedule: "cosine", seed: 3 };

describe("models", () => {
  it("builds the MLP and the CNN of the issue, with PyTorch's parameter counts", () => {
    const mlp = buildModel("mlp", new Rng(0));
    expect(countParameters(mlp)).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(watchedLayers(mlp).map((l) => l.label)).toEqual(["1 Linear(784→256)", "4 Linear(256→128)", "7 Linear(128→10)"]);
    const cnn = buildModel("cnn", new Rng(0));
    expect(countParameters(cnn)).toBe(32 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 128 * 10 + 10);
    expect(watchedLayers(cnn).map((l) => l.label)).toEqual([
      "0 Conv2D(1→32, 3×3)",
      "3 Conv2D(32→64, 3×3)",
      "7 Linear(3136→128)",
      "10 Linear(128→10)",
    ]);
    expect(cnn.forward(Tensor.zeros([2, 1, 28, 28])).shape).toEqual([2, 10]);
  });

  it("draws Xavier-uniform weights: |w| <= sqrt(6 / (fanIn + fanOut))", () => {
    const [first] = watchedLayers(buildModel("mlp", new Rng(1)));
    const bound = Math.sqrt(6 / (784 + 256));
    const largest = Array.from(first.weight.dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.95 * bound);
  });
});

describe("train", () => {
  const trainSplit = syntheticSplit(320, 1);
  const testSplit = syntheticSplit(100, 2);

  it("lowers the loss, validates every epoch and records the gradient flow of every step", async () => {
    const ends: number[] = [];
    const result = await train(SETTINGS, trainSplit, testSplit, { onEpochEnd: (m) => ends.push(m.epoch) });
    expect(ends).toEqual([1, 2]);
    const [first, second] = result.epochs;
    expect(second.trainLoss).toBeLessThan(first.trainLoss);
    expect(second.testAccuracy).toBeGreaterThan(0.9);
    expect(second.residentMiB).toBeGreaterThan(10); // the process's resident memory, in MiB
    expect(result.outcome?.accuracy).toBe(second.testAccuracy);
    expect(result.flow.layers).toHaveLength(3);
    for (const series of result.flow.values) {
      expect(series).toHaveLength(2 * 10); // 320 images / 32 per batch, two epochs
      expect(series.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    }
    expect(result.outcome?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(result.interrupted).toBe(false);
  });

  it("repeats itself exactly with the same seed", async () => {
    const a = await train({ ...SETTINGS, epochs: 1 }, trainSplit, testSplit);
    const b = await train({ ...SETTINGS, epochs: 1 }, trainSplit, testSplit);
    const figures = (r: typeof a) => r.epochs.map(({ trainLoss, trainAccuracy, testLoss, testAccuracy }) => [trainLoss, trainAccuracy, testLoss, testAccuracy]);
    expect(figures(a)).toEqual(figures(b));
    expect(a.flow.values).toEqual(b.flow.values);
    const c = await train({ ...SETTINGS, epochs: 1, seed: 4 }, trainSplit, testSplit);
    expect(figures(c)).not.toEqual(figures(a));
  });

  it("anneals the learning rate along a cosine to 0 over the whole run, or keeps it fixed", async () => {
    const rates = async (schedule: TrainSettings["schedule"]) => {
      const lrs: number[] = [];
      await train({ ...SETTINGS, schedule }, trainSplit, testSplit, { onStep: (s) => lrs.push(s.lr) });
      return lrs;
    };
    const cosine = await rates("cosine");
    expect(cosine).toHaveLength(20); // 10 steps per epoch, two epochs
    // PyTorch's CosineAnnealingLR with T_max = 20, stepped after every batch: lr_t = 1e-3 (1 + cos(pi t / 20)) / 2
    cosine.forEach((lr, t) => expect(lr).toBeCloseTo((1e-3 * (1 + Math.cos((Math.PI * t) / 20))) / 2, 12));
    expect(cosine[19]).toBeLessThan(1e-5);
    expect(await rates("constant")).toEqual(new Array(20).fill(1e-3));
  });

  it("stops before the next step when asked, keeping the finished epochs", async () => {
    let steps = 0;
    const result = await train(SETTINGS, trainSplit, testSplit, { onStep: () => steps++, shouldStop: () => steps >= 13 });
    expect(result.interrupted).toBe(true);
    expect(result.epochs).toHaveLength(1);
    expect(steps).toBe(13);
  });

  it("stops at the first non-finite loss, before that step changes the weights, keeping the finished epochs", async () => {
    // SGD with lr 10 on 64 images: epoch 1 ends with a finite (huge) loss, epoch 2's second step is NaN
    const small = { model: "mlp", epochs: 4, batchSize: 16, lr: 10, weightDecay: 0, optimizer: "sgd", schedule: "constant", seed: 0 } as const;
    const ends: number[] = [];
    const warnings: string[] = [];
    const result = await train(small, syntheticSplit(64, 1), syntheticSplit(16, 2), {
      onEpochEnd: (m) => ends.push(m.epoch),
      onWarning: (message) => warnings.push(message),
    });
    expect(result.diverged).toEqual({ epoch: 2, step: 2, steps: 4, what: "the loss is NaN" });
    expect(result.interrupted).toBe(false);
    expect(ends).toEqual([1]);
    expect(result.epochs).toHaveLength(1);
    expect(Number.isFinite(result.epochs[0].trainLoss)).toBe(true);
    for (const series of result.flow.values) {
      expect(series).toHaveLength(4 + 1); // epoch 1, then the one finite step of epoch 2
      expect(series.every(Number.isFinite)).toBe(true);
    }
    for (const p of result.model.parameters()) expect(p.dataSync().every(Number.isFinite)).toBe(true);
    expect(warnings).toEqual(["epoch 1 step 3: the loss is 5.80e+6, training may be diverging"]);
  });

  it("says nothing while the loss stays in the usual range", async () => {
    const warnings: string[] = [];
    const result = await train({ ...SETTINGS, epochs: 1 }, trainSplit, testSplit, { onWarning: (m) => warnings.push(m) });
    expect(result.diverged).toBeNull();
    expect(warnings).toEqual([]);
  });

  it("estimates an epoch's seconds from a few steps without touching the run's numbers", async () => {
    const before = await train({ ...SETTINGS, epochs: 1 }, trainSplit, testSplit);
    const seconds = estimateEpochSeconds(SETTINGS, trainSplit);
    expect(seconds).toBeGreaterThan(0);
    expect(Number.isFinite(seconds)).toBe(true);
    const after = await train({ ...SETTINGS, epochs: 1 }, trainSplit, testSplit);
    expect(after.epochs[0].trainLoss).toBe(before.epochs[0].trainLoss);
  });

  it("trains the CNN and SGD too", async () => {
    const small = syntheticSplit(64, 5);
    const result = await train({ ...SETTINGS, model: "cnn", optimizer: "sgd", lr: 0.01, epochs: 1 }, small, small);
    expect(result.flow.layers).toHaveLength(4);
    expect(Number.isFinite(result.epochs[0].trainLoss)).toBe(true);
  });
});

describe("evaluate and meanAbsGrad", () => {
  it("counts predictions into the confusion matrix and leaves the training mode as it was", () => {
    const model = buildModel("mlp", new Rng(0));
    const split = syntheticSplit(30, 1);
    const outcome = evaluate(model, split, 7);
    expect(outcome.predictions).toHaveLength(30);
    const labels = split.labels.dataSync();
    const correct = Array.from(outcome.predictions).filter((p, i) => p === labels[i]).length;
    expect(outcome.accuracy).toBeCloseTo(correct / 30, 12);
    outcome.confusion.forEach((row, k) => expect(row.reduce((a, b) => a + b, 0)).toBe(labels.filter((l) => l === k).length));
    expect(model.training).toBe(true);
  });
  it("averages |grad| and gives 0 before any backward", () => {
    const w = Tensor.zeros([2], { requiresGrad: true });
    expect(meanAbsGrad(w)).toBe(0);
    w.grad = Tensor.full([2], -3).add(Tensor.arange(2));
    expect(meanAbsGrad(w)).toBe(2.5);
    // a gradient that is a view: a row slice at an offset, and a transpose
    const m = Tensor.zeros([2, 2], { requiresGrad: true });
    m.grad = Tensor.arange(8).reshape([4, 2]).slice(0, 2, 4).neg();
    expect(meanAbsGrad(m)).toBe((4 + 5 + 6 + 7) / 4);
    m.grad = tensor([[1, -2], [3, -4]]).transpose(0, 1);
    expect(meanAbsGrad(m)).toBe(2.5);
    // a length that is not a multiple of four: the running sums and the tail
    const v = Tensor.zeros([7], { requiresGrad: true });
    v.grad = tensor([1, -2, 3, -4, 5, -6, 7]);
    expect(meanAbsGrad(v)).toBe(4);
  });
});
