import { describe, expect, it } from "vitest";
import { getBackend, isWasmAvailable, setBackend, tensor } from "@tg/tensor";
import { Adam, AdamW } from "./index.js";
import { expectClose, gradAt, makeParams, TOL, trajectory, X0 } from "./test-problem.js";

interface Rule {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  amsgrad?: boolean;
}

/**
 * Adam and AdamW as published (Kingma & Ba; Loshchilov & Hutter) with PyTorch's placement of eps
 * (after the bias-corrected square root), in float64. AMSGrad keeps the running maximum of the raw
 * second moment and bias-corrects that, as torch.optim.Adam's code does.
 */
function referenceAdam(rule: Rule, steps: number): number[][] {
  const {
    lr,
    betas: [b1, b2],
    eps,
    weightDecay,
    decoupled,
    amsgrad = false,
  } = rule;
  const x = [...X0];
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  const vMax = x.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = gradAt(x);
    for (let i = 0; i < x.length; i++) {
      let gi = g[i];
      if (decoupled) x[i] -= lr * weightDecay * x[i];
      else gi += weightDecay * x[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      vMax[i] = Math.max(vMax[i], v[i]);
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = (amsgrad ? vMax[i] : v[i]) / (1 - b2 ** t);
      x[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push([...x]);
  }
  return out;
}

/** Passes a wrongly typed value, as plain JavaScript callers can. */
function untyped<T>(value: unknown): T {
  return value as T;
}

const base = { lr: 0.05, betas: [0.9, 0.999] as [number, number], eps: 1e-8 };
const RULES: [string, Rule][] = [
  ["Adam", { ...base, weightDecay: 0, decoupled: false }],
  ["Adam with L2 weight decay", { ...base, weightDecay: 0.1, decoupled: false }],
  [
    "Adam with large eps and other betas",
    { lr: 0.1, betas: [0.5, 0.9], eps: 0.1, weightDecay: 0, decoupled: false },
  ],
  [
    "Adam with amsgrad",
    { lr: 0.2, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: true },
  ],
  ["AdamW", { ...base, weightDecay: 0.01, decoupled: true }],
  [
    "AdamW with strong decay",
    { lr: 0.1, betas: [0.85, 0.99], eps: 1e-6, weightDecay: 0.5, decoupled: true },
  ],
];

describe("Adam and AdamW", () => {
  // float32 runs on both backends: "wasm" takes @tg/tensor's fused SIMD step, "js" the loops here
  const cases = [["float64", getBackend()], ["float32", "wasm"], ["float32", "js"]] as const;
  for (const [dtype, backend] of cases) {
    for (const [label, rule] of RULES) {
      it.skipIf(backend === "wasm" && !isWasmAvailable())(
        `follow the hand-derived trajectory (${label}, ${dtype}, ${backend} backend) for 10 steps`,
        () => {
          const before = getBackend();
          setBackend(backend);
          try {
            const params = makeParams(dtype);
            const { decoupled, ...options } = rule;
            const opt = decoupled ? new AdamW(params, options) : new Adam(params, options);
            expectClose(trajectory(opt, params, 10), referenceAdam(rule, 10), TOL[dtype]);
          } finally {
            setBackend(before);
          }
        },
      );
    }
  }

  it("take a first step of size lr·sign(g), as bias correction makes mHat/sqrt(vHat) = ±1", () => {
    // g = 2x = 2: m = 0.2, v = 0.004, mHat = 2, vHat = 4, step = 0.1·2/(2 + 1e-8)
    const x = tensor(1, { dtype: "float64", requiresGrad: true });
    const opt = new Adam([x], { lr: 0.1 });
    x.mul(x).backward();
    opt.step();
    expect(x.item()).toBeCloseTo(1 - 0.2 / (2 + 1e-8), 15);
  });

  it("AdamW shrinks the parameter by (1 - lr·weightDecay) before the Adam step", () => {
    // a zero gradient leaves mHat = 0, so only the decoupled decay acts: x = 2·(1 - 0.1·0.5)
    const x = tensor([2, -4], { dtype: "float64", requiresGrad: true });
    const opt = new AdamW([x], { lr: 0.1, weightDecay: 0.5 });
    x.grad = tensor([0, 0], { dtype: "float64" });
    opt.step();
    expect(x.toArray()).toEqual([2 * 0.95, -4 * 0.95]);
    // Adam's L2 decay instead enters the moments: the first step has size lr
    const y = tensor([2], { dtype: "float64", requiresGrad: true });
    const adam = new Adam([y], { lr: 0.1, weightDecay: 0.5 });
    y.grad = tensor([0], { dtype: "float64" });
    adam.step();
    expect(y.item()).toBeCloseTo(2 - 0.1, 7);
  });

  it("default to PyTorch's settings", () => {
    const params = makeParams();
    expect(new Adam(params).settings).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maxGradNorm: undefined,
      clipValue: undefined,
    });
    expect(new AdamW(params).settings.weightDecay).toBe(1e-2);
  });

  it("count steps per parameter, so a parameter first seen late gets full bias correction", () => {
    const a = tensor([1], { dtype: "float64", requiresGrad: true });
    const b = tensor([1], { dtype: "float64", requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    for (let t = 0; t < 3; t++) {
      a.grad = tensor([1], { dtype: "float64" });
      opt.step();
    }
    expect(b.item()).toBe(1);
    b.grad = tensor([5], { dtype: "float64" });
    a.grad = null;
    const aBefore = a.item();
    opt.step();
    expect(a.item()).toBe(aBefore);
    expect(b.item()).toBeCloseTo(1 - 0.1, 7);
    const { state } = opt.stateDict();
    expect([state[0].step, state[1].step]).toEqual([3, 1]);
  });

  it("refuse bad settings with a RangeError naming the setting and value", () => {
    const params = makeParams();
    expect(() => new AdamW(params, { betas: [1.2, 0.999] })).toThrow(
      new RangeError("AdamW: betas[0] must be in [0, 1), got 1.2"),
    );
    expect(() => new Adam(params, { betas: [0.9, 1] })).toThrow(
      "Adam: betas[1] must be in [0, 1), got 1",
    );
    expect(() => new Adam(params, { betas: untyped([0.9]) })).toThrow(
      "Adam: betas must be a pair [beta1, beta2], got [0.9]",
    );
    expect(() => new Adam(params, { lr: -1e-3 })).toThrow("Adam: lr must be >= 0, got -0.001");
    expect(() => new Adam(params, { eps: -1 })).toThrow("Adam: eps must be >= 0, got -1");
    expect(() => new AdamW(params, { weightDecay: -0.01 })).toThrow(
      "AdamW: weightDecay must be >= 0, got -0.01",
    );
    expect(() => new AdamW(params, { maxGradNorm: -1 })).toThrow(
      "AdamW: maxGradNorm must be > 0, got -1",
    );
    expect(() => new Adam(params, { amsgrad: untyped(1) })).toThrow(
      "Adam: amsgrad must be true or false, got 1",
    );
    const opt = new AdamW(params);
    expect(() => (opt.lr = Infinity)).toThrow("AdamW: lr must be a finite number, got Infinity");
  });
});
