import { describe, expect, it } from "vitest";
import { CosineAnnealingLR, SGD, StepLR } from "./index.js";
import { makeParams } from "./test-problem.js";

const sgd = (lr: number): SGD => new SGD(makeParams(), { lr });

/** The learning rates of epochs 0..epochs (construction is epoch 0). */
function schedule(scheduler: { step(): void; getLastLr(): number }, epochs: number): number[] {
  const out = [scheduler.getLastLr()];
  for (let e = 0; e < epochs; e++) {
    scheduler.step();
    out.push(scheduler.getLastLr());
  }
  return out;
}

describe("StepLR", () => {
  it("multiplies lr by gamma every stepSize epochs", () => {
    const opt = sgd(1);
    const scheduler = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    expect(schedule(scheduler, 7)).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(opt.lr).toBe(0.25);
    expect(scheduler.lastEpoch).toBe(7);
  });

  it("defaults gamma to 0.1 and chains with lr changes made outside, as PyTorch does", () => {
    const opt = sgd(0.5);
    const scheduler = new StepLR(opt, { stepSize: 2 });
    scheduler.step();
    opt.lr = 2;
    scheduler.step();
    expect(opt.lr).toBeCloseTo(0.2, 15);
  });

  it("refuses bad settings", () => {
    expect(() => new StepLR(sgd(1), { stepSize: 0 })).toThrow(
      new RangeError("StepLR: stepSize must be a positive integer, got 0"),
    );
    expect(() => new StepLR(sgd(1), { stepSize: 2.5 })).toThrow(
      "StepLR: stepSize must be a positive integer, got 2.5",
    );
    expect(() => new StepLR(sgd(1), { stepSize: 2, gamma: -0.1 })).toThrow(
      "StepLR: gamma must be >= 0, got -0.1",
    );
  });
});

describe("CosineAnnealingLR", () => {
  it("follows the half cosine from lr to etaMin and back, at values worked by hand", () => {
    const r = Math.SQRT1_2;
    const scheduler = new CosineAnnealingLR(sgd(1), { tMax: 4 });
    const expected = [1, (1 + r) / 2, 0.5, (1 - r) / 2, 0, (1 - r) / 2, 0.5, (1 + r) / 2, 1];
    schedule(scheduler, 8).forEach((lr, e) => expect(lr).toBeCloseTo(expected[e], 14));
  });

  it("honours etaMin", () => {
    const scheduler = new CosineAnnealingLR(sgd(0.1), { tMax: 2, etaMin: 0.02 });
    const expected = [0.1, 0.06, 0.02, 0.06, 0.1];
    schedule(scheduler, 4).forEach((lr, e) => expect(lr).toBeCloseTo(expected[e], 14));
  });

  it("agrees with its closed form at every integer epoch over three periods", () => {
    const scheduler = new CosineAnnealingLR(sgd(0.3), { tMax: 7, etaMin: 0.01 });
    schedule(scheduler, 42).forEach((lr, e) => {
      expect(Math.abs(lr - scheduler.closedFormLr(e))).toBeLessThan(1e-14);
    });
  });

  it("refuses bad settings", () => {
    expect(() => new CosineAnnealingLR(sgd(1), { tMax: 0 })).toThrow(
      new RangeError("CosineAnnealingLR: tMax must be a positive integer, got 0"),
    );
    expect(() => new CosineAnnealingLR(sgd(1), { tMax: 5, etaMin: -1 })).toThrow(
      "CosineAnnealingLR: etaMin must be >= 0, got -1",
    );
    const typo = { tMax: 5, eta_min: 0 } as { tMax: number };
    expect(() => new CosineAnnealingLR(sgd(1), typo)).toThrow(
      'CosineAnnealingLR: unknown option "eta_min"',
    );
  });
});

describe("scheduler state", () => {
  it("stateDict/loadStateDict resume the schedule where it stopped", () => {
    const opt = sgd(1);
    const scheduler = new CosineAnnealingLR(opt, { tMax: 10 });
    schedule(scheduler, 3);
    const saved = { optimizer: opt.stateDict(), scheduler: scheduler.stateDict() };
    const rest = schedule(scheduler, 5).slice(1);

    const opt2 = sgd(1);
    opt2.loadStateDict(saved.optimizer);
    const scheduler2 = new CosineAnnealingLR(opt2, { tMax: 10 });
    scheduler2.loadStateDict(saved.scheduler);
    expect(scheduler2.lastEpoch).toBe(3);
    expect(schedule(scheduler2, 5).slice(1)).toEqual(rest);
    expect(() => scheduler2.loadStateDict({ ...saved.scheduler, lastEpoch: -1 })).toThrow(
      new RangeError(
        "CosineAnnealingLR.loadStateDict: lastEpoch must be a non-negative integer, got -1",
      ),
    );
  });
});
