import { describe, expect, it } from "vitest";
import { tensor } from "@tg/tensor";
import { CosineAnnealingLR, LambdaLR, LinearLR, SequentialLR, SGD, StepLR, type HasLr } from "./index.js";

/** SGD with two groups, lr 1 and 0.5, as in the PyTorch runs below. */
function twoGroups(): SGD {
  const p = tensor([0], { requiresGrad: true });
  const q = tensor([0], { requiresGrad: true });
  return new SGD([{ params: [p] }, { params: [q], lr: 0.5 }], { lr: 1 });
}

/** Each group's rate at construction and after each of `epochs` steps. */
function schedule(opt: SGD, scheduler: { step(): void }, epochs: number): number[][] {
  const out = [[opt.groupLr(0), opt.groupLr(1)]];
  for (let e = 0; e < epochs; e++) {
    scheduler.step();
    out.push([opt.groupLr(0), opt.groupLr(1)]);
  }
  return out;
}

function expectRates(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, e) => row.forEach((v, g) => expect(v, `epoch ${e} group ${g}`).toBeCloseTo(expected[e][g], 14)));
}

// The expected rates below come from torch 1.13, on
// torch.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=1.0), stepping the scheduler.
describe("LinearLR", () => {
  it("moves each group's factor linearly, as PyTorch", () => {
    // LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=4)
    const opt = twoGroups();
    const s = new LinearLR(opt, { startFactor: 0.25, endFactor: 0.75, totalIters: 4 });
    expectRates(schedule(opt, s, 6), [
      [0.25, 0.125], [0.375, 0.1875], [0.5, 0.25], [0.625, 0.3125], [0.75, 0.375], [0.75, 0.375], [0.75, 0.375],
    ]);
    expect(s.getLastLrs()).toEqual([0.75, 0.375]);
  });

  it("refuses bad settings", () => {
    expect(() => new LinearLR(twoGroups(), { startFactor: 0 })).toThrow("LinearLR: startFactor must be in (0, 1], got 0");
    expect(() => new LinearLR(twoGroups(), { totalIters: 0 })).toThrow("LinearLR: totalIters must be a positive integer, got 0");
  });
});

describe("LambdaLR", () => {
  it("multiplies each group's base rate by lrLambda(epoch), as PyTorch", () => {
    // LambdaLR(o, lambda e: 1/(e+1))
    const opt = twoGroups();
    const s = new LambdaLR(opt, { lrLambda: (e) => 1 / (e + 1) });
    expectRates(schedule(opt, s, 4), [[1, 0.5], [0.5, 0.25], [1 / 3, 1 / 6], [0.25, 0.125], [0.2, 0.1]]);
  });

  it("refuses a factor that is not a non-negative number", () => {
    expect(() => new LambdaLR(twoGroups(), { lrLambda: () => Number.NaN })).toThrow(
      "LambdaLR: lrLambda(0) must be a finite number, got NaN",
    );
  });
});

describe("SequentialLR", () => {
  it("warms up linearly, then anneals along a cosine from the full rate, as PyTorch", () => {
    // a = LinearLR(o, start_factor=0.1, total_iters=3); b = CosineAnnealingLR(o, T_max=4, eta_min=0.01)
    // SequentialLR(o, [a, b], milestones=[3])
    const opt = twoGroups();
    const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
    const cosine = new CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.01 });
    const s = new SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [3] });
    expectRates(schedule(opt, s, 9), [
      [0.1, 0.05], [0.39999999999999997, 0.19999999999999998], [0.7, 0.35], [1.0, 0.5],
      [0.855017856687341, 0.4282411613907041], [0.505, 0.255], [0.15498214331265903, 0.08175883860929586],
      [0.01, 0.01], [0.15498214331265897, 0.08175883860929584], [0.5050000000000001, 0.255],
    ]);
    expect(s.getLastLr()).toBeCloseTo(0.505, 14);
  });

  it("hands over at every milestone", () => {
    // a = LambdaLR(o, lambda e: (e+1)/2); b = StepLR(o, step_size=2, gamma=0.5)
    // c = LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=2); SequentialLR(o, [a, b, c], milestones=[2, 5])
    const opt = twoGroups();
    const a = new LambdaLR(opt, { lrLambda: (e) => (e + 1) / 2 });
    const b = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const c = new LinearLR(opt, { startFactor: 0.5, endFactor: 1, totalIters: 2 });
    const s = new SequentialLR(opt, { schedulers: [a, b, c], milestones: [2, 5] });
    expectRates(schedule(opt, s, 8), [
      [0.5, 0.25], [1, 0.5], [1, 0.5], [1, 0.5], [0.5, 0.25], [0.5, 0.25], [0.75, 0.375], [1, 0.5], [1, 0.5],
    ]);
  });

  it("resumes from its state dict", () => {
    const make = (opt: HasLr) =>
      new SequentialLR(opt, {
        schedulers: [new LinearLR(opt, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(opt, { tMax: 4 })],
        milestones: [3],
      });
    const opt = twoGroups();
    const s = make(opt);
    for (let i = 0; i < 4; i++) s.step();
    const other = twoGroups();
    const resumed = make(other);
    resumed.loadStateDict(s.stateDict());
    other.setGroupLr(0, opt.groupLr(0));
    other.setGroupLr(1, opt.groupLr(1));
    s.step();
    resumed.step();
    expect(resumed.getLastLrs()).toEqual(s.getLastLrs());
  });

  it("refuses mismatched milestones and schedulers of another optimizer", () => {
    const opt = twoGroups();
    const a = new LinearLR(opt);
    expect(() => new SequentialLR(opt, { schedulers: [a], milestones: [3] })).toThrow(
      "SequentialLR: expected 0 milestones for 1 schedulers, got [3]",
    );
    expect(() => new SequentialLR(twoGroups(), { schedulers: [a], milestones: [] })).toThrow(
      "SequentialLR: scheduler 0 belongs to another optimizer",
    );
    const b = new StepLR(opt, { stepSize: 1 });
    const c = new StepLR(opt, { stepSize: 1 });
    expect(() => new SequentialLR(opt, { schedulers: [a, b, c], milestones: [3, 3] })).toThrow(
      "SequentialLR: milestones must increase, got [3,3]",
    );
  });
});
