import { describe, expect, it } from "vitest";
import { tensor } from "@tg/tensor";
import { SGD } from "./index.js";
import { expectClose, gradAt, makeParams, TOL, trajectory, X0 } from "./test-problem.js";

interface Rule {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** torch.optim.SGD's documented algorithm, element by element, in float64. */
function referenceSGD(rule: Rule, steps: number): number[][] {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = rule;
  const x = [...X0];
  const b = x.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = gradAt(x);
    for (let i = 0; i < x.length; i++) {
      let gi = g[i] + weightDecay * x[i];
      if (momentum !== 0) {
        b[i] = t === 1 ? gi : momentum * b[i] + (1 - dampening) * gi;
        gi = nesterov ? gi + momentum * b[i] : b[i];
      }
      x[i] -= lr * gi;
    }
    out.push([...x]);
  }
  return out;
}

const RULES: [string, Rule][] = [
  ["plain", { lr: 0.1 }],
  ["momentum", { lr: 0.05, momentum: 0.9 }],
  ["momentum with dampening", { lr: 0.05, momentum: 0.8, dampening: 0.3 }],
  ["nesterov", { lr: 0.05, momentum: 0.9, nesterov: true }],
  ["weight decay", { lr: 0.1, weightDecay: 0.05 }],
  [
    "momentum, nesterov and weight decay",
    { lr: 0.03, momentum: 0.7, nesterov: true, weightDecay: 0.1 },
  ],
];

describe("SGD", () => {
  for (const dtype of ["float64", "float32"] as const) {
    for (const [label, rule] of RULES) {
      it(`follows the hand-derived trajectory (${label}, ${dtype}) for 8 steps`, () => {
        const params = makeParams(dtype);
        const actual = trajectory(new SGD(params, rule), params, 8);
        expectClose(actual, referenceSGD(rule, 8), TOL[dtype]);
      });
    }
  }

  it("matches momentum steps worked by hand on f(x) = x²", () => {
    // g = 2x. b1 = 2, x1 = 1 - 0.1·2 = 0.8; g2 = 1.6, b2 = 0.9·2 + 1.6 = 3.4, x2 = 0.46;
    // g3 = 0.92, b3 = 0.9·3.4 + 0.92 = 3.98, x3 = 0.46 - 0.398 = 0.062
    const x = tensor(1, { dtype: "float64", requiresGrad: true });
    const opt = new SGD([x], { lr: 0.1, momentum: 0.9 });
    const seen: number[] = [];
    for (let t = 0; t < 3; t++) {
      opt.zeroGrad();
      x.mul(x).backward();
      opt.step();
      seen.push(x.item());
    }
    expect(seen[0]).toBeCloseTo(0.8, 14);
    expect(seen[1]).toBeCloseTo(0.46, 14);
    expect(seen[2]).toBeCloseTo(0.062, 14);
  });

  it("updates in place and keeps the parameter's identity and storage", () => {
    const [p] = makeParams("float32");
    const data = p.storage.data;
    const opt = new SGD([p], { lr: 0.5 });
    p.grad = tensor(4, { dtype: "float32" });
    opt.step();
    expect(p.storage.data).toBe(data);
    expect(p.item()).toBe(1 - 0.5 * 4);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
  });

  it("skips parameters whose grad is null, leaving their momentum untouched", () => {
    const a = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const b = tensor([3], { dtype: "float64", requiresGrad: true });
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.5 });
    a.grad = tensor([1, 1], { dtype: "float64" });
    opt.step();
    expect(b.toArray()).toEqual([3]);
    expect(Object.keys(opt.stateDict().state)).toEqual(["0"]);
    // b's first step initialises its buffer from its own gradient
    b.grad = tensor([2], { dtype: "float64" });
    a.grad = null;
    opt.step();
    expect(a.toArray()).toEqual([0.9, 1.9]);
    expect(b.item()).toBeCloseTo(3 - 0.1 * 2, 15);
  });

  it("refuses bad settings with a RangeError naming the setting and value", () => {
    const params = makeParams();
    expect(() => new SGD(params, { lr: -0.1 })).toThrow(
      new RangeError("SGD: lr must be >= 0, got -0.1"),
    );
    expect(() => new SGD(params, { lr: NaN })).toThrow("SGD: lr must be a finite number, got NaN");
    expect(() => new SGD(params, {} as { lr: number })).toThrow("SGD: lr is required");
    expect(() => new SGD(params, { lr: 0.1, momentum: -0.9 })).toThrow(
      "SGD: momentum must be >= 0, got -0.9",
    );
    expect(() => new SGD(params, { lr: 0.1, dampening: 2 })).toThrow(
      "SGD: dampening must be in [0, 1], got 2",
    );
    expect(() => new SGD(params, { lr: 0.1, weightDecay: -1 })).toThrow(
      "SGD: weightDecay must be >= 0, got -1",
    );
    expect(() => new SGD(params, { lr: 0.1, nesterov: true })).toThrow(
      "SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0",
    );
    expect(
      () => new SGD(params, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    ).toThrow(RangeError);
    expect(() => new SGD(params, { lr: 0.1, maxGradNorm: 0 })).toThrow(
      "SGD: maxGradNorm must be > 0, got 0",
    );
    expect(() => new SGD(params, { lr: 0.1, clipValue: -1 })).toThrow(
      "SGD: clipValue must be > 0, got -1",
    );
    const typo = { lr: 0.1, weight_decay: 0.1 } as { lr: number };
    expect(() => new SGD(params, typo)).toThrow('SGD: unknown option "weight_decay"');
    expect(() => (new SGD(params, { lr: 0.1 }).lr = -1)).toThrow(RangeError);
  });
});
