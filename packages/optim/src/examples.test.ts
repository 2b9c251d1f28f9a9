// The example of this package's README, run as written.
import { describe, expect, it } from "vitest";
import { tensor } from "@tg/tensor";
import { AdamW, CosineAnnealingLR } from "./index.js";

describe("README example", () => {
  it("fits y = 3x with AdamW and a cosine schedule", () => {
    const w = tensor([0], { requiresGrad: true });
    const x = tensor([1, 2, 3]);
    const y = tensor([3, 6, 9]);
    const opt = new AdamW([w], { lr: 0.5, weightDecay: 0 });
    const scheduler = new CosineAnnealingLR(opt, { tMax: 100 });
    for (let epoch = 0; epoch < 100; epoch++) {
      opt.zeroGrad();
      x.mul(w).sub(y).pow(2).mean().backward();
      opt.step();
      scheduler.step();
    }
    expect(w.item().toFixed(2)).toBe("3.00");
    expect(scheduler.getLastLr()).toBe(0);
  });
});
