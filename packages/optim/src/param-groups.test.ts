import { describe, expect, it } from "vitest";
import { tensor } from "@tg/tensor";
import { Adam, AdamW, SGD } from "./index.js";
import { expectClose, flat, makeParams, TOL, trajectory } from "./test-problem.js";

// Parameters after 3 steps on test-problem.ts's quadratic, from torch 1.13 (float64):
// torch.optim.AdamW([{"params": p[:2], "weight_decay": 0}, {"params": p[2:], "lr": 0.2}], lr=0.1, weight_decay=0.1)
const TORCH_ADAMW = [
  0.7048712525602996, -0.5255624408817935, 0.10074753967883512, 2.2005152894782904, -0.6440725721908545,
  1.4345971012102263, -0.45304748706993925, -1.2984065376148566,
];
// torch.optim.Adam([{"params": p[:1]}, {"params": p[1:], "weight_decay": 0.5, "betas": (0.5, 0.9)}], lr=0.05)
const TORCH_ADAM = [
  0.8507931372522075, -0.5539175154276528, 0.2509495660944752, 2.3505494503877715, -1.151087336489076,
  1.0492575050377386, -0.09473563369090073, -1.850651986321219,
];
// torch.optim.SGD([{"params": p[:1], "momentum": 0}, {"params": p[1:], "lr": 0.01}], lr=0.1, momentum=0.9, weight_decay=0.01)
const TORCH_SGD = [
  0.7538224990000001, -0.6968162387743, 0.2557970418196, 2.1159835727974996, -1.2325375250187,
  0.9988523225816001, -0.025894887780050006, -1.909746793118,
];

describe("parameter groups", () => {
  it("AdamW applies each group's settings as PyTorch does", () => {
    const p = makeParams("float64");
    const opt = new AdamW([{ params: p.slice(0, 2), weightDecay: 0 }, { params: p.slice(2), lr: 0.2 }], {
      lr: 0.1,
      weightDecay: 0.1,
    });
    expectClose(trajectory(opt, p, 3).slice(2), [TORCH_ADAMW], TOL.float64);
  });

  it("AdamW groups match PyTorch in float32 too", () => {
    const p = makeParams("float32");
    const opt = new AdamW([{ params: p.slice(0, 2), weightDecay: 0 }, { params: p.slice(2), lr: 0.2 }], {
      lr: 0.1,
      weightDecay: 0.1,
    });
    expectClose(trajectory(opt, p, 3).slice(2), [TORCH_ADAMW], TOL.float32);
  });

  it("Adam and SGD take per-group settings too", () => {
    const a = makeParams("float64");
    const adam = new Adam([{ params: a.slice(0, 1) }, { params: a.slice(1), weightDecay: 0.5, betas: [0.5, 0.9] }], {
      lr: 0.05,
    });
    expectClose(trajectory(adam, a, 3).slice(2), [TORCH_ADAM], TOL.float64);
    const s = makeParams("float64");
    const sgd = new SGD([{ params: s.slice(0, 1), momentum: 0 }, { params: s.slice(1), lr: 0.01 }], {
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 0.01,
    });
    expectClose(trajectory(sgd, s, 3).slice(2), [TORCH_SGD], TOL.float64);
  });

  it("exposes each group's settings and learning rate", () => {
    const p = makeParams("float64");
    const opt = new AdamW([{ params: p.slice(0, 2), weightDecay: 0 }, { params: p.slice(2) }], { lr: 0.1 });
    expect(opt.groupCount).toBe(2);
    expect(opt.groupSettings(0).weightDecay).toBe(0);
    expect(opt.groupSettings(1).weightDecay).toBe(1e-2);
    expect(opt.groupParams(1)).toEqual([p[2]]);
    opt.setGroupLr(1, 0.5);
    expect([opt.groupLr(0), opt.groupLr(1)]).toEqual([0.1, 0.5]);
    opt.lr = 0.3;
    expect([opt.groupLr(0), opt.groupLr(1)]).toEqual([0.3, 0.3]);
    expect(() => opt.groupLr(2)).toThrow("AdamW: group 2 does not exist (0..1)");
  });

  it("saves and restores each group's settings and state, so training resumes exactly", () => {
    const make = (p: ReturnType<typeof makeParams>) =>
      new AdamW([{ params: p.slice(0, 2), weightDecay: 0 }, { params: p.slice(2), lr: 0.2 }], {
        lr: 0.1,
        weightDecay: 0.1,
      });
    const p = makeParams("float64");
    const opt = make(p);
    trajectory(opt, p, 1);
    const sd = opt.stateDict();
    expect(sd.groups?.map((g) => [g.size, g.options.lr, g.options.weightDecay])).toEqual([
      [2, 0.1, 0],
      [1, 0.2, 0.1],
    ]);
    const q = p.map((t) => tensor(flat([t]), { shape: t.shape, dtype: "float64", requiresGrad: true }));
    const resumed = make(q);
    resumed.setGroupLr(1, 9);
    resumed.loadStateDict(sd);
    expect(resumed.groupLr(1)).toBe(0.2);
    expectClose(trajectory(resumed, q, 2).slice(1), [TORCH_ADAMW], TOL.float64);
  });

  it("refuses a state dict whose groups differ, changing nothing", () => {
    const p = makeParams("float64");
    const grouped = new AdamW([{ params: p.slice(0, 1) }, { params: p.slice(1) }]);
    const flatOpt = new AdamW(makeParams("float64"));
    expect(() => flatOpt.loadStateDict(grouped.stateDict())).toThrow(
      "AdamW.loadStateDict: the state has groups of sizes [1, 2], this optimizer [3]",
    );
  });

  it("refuses malformed groups and bad group settings", () => {
    const p = makeParams("float64");
    expect(() => new AdamW([{ params: p.slice(0, 1) }, { params: [] }])).toThrow("AdamW: group 1 has no parameters");
    expect(() => new AdamW([{ params: p.slice(0, 1), weightDecay: -1 }])).toThrow(
      "AdamW: group 0: weightDecay must be >= 0, got -1",
    );
    expect(() => new AdamW([{ params: p.slice(0, 1) }, { params: p.slice(0, 1) }])).toThrow(
      "AdamW: parameter 1 appears more than once",
    );
    expect(() => new SGD([{ params: p, maxGradNorm: 1 } as { params: typeof p }], { lr: 1 })).toThrow(
      "SGD: group 0 sets maxGradNorm, which applies to all parameters; pass it in the options",
    );
  });
});
