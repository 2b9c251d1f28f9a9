import { Rng, tensor } from "@tg/tensor";
import { describe, expect, it } from "vitest";
import type { Split } from "./data.js";
import { checkSettings, DEFAULT_SETTINGS, Trainer } from "./trainer.js";

/** `n` random 28×28 images with labels 0 to 9. */
function randomSplit(n: number, seed: number): Split {
  const rng = new Rng(seed);
  const pixels = Float32Array.from({ length: n * 784 }, () => rng.uniform());
  const targets = Int32Array.from({ length: n }, (_, i) => i % 10);
  return {
    images: tensor(pixels, { shape: [n, 1, 28, 28] }),
    labels: tensor(targets, { shape: [n], dtype: "int32" }),
    pixels: new Uint8Array(0),
    targets,
  };
}

describe("Trainer", () => {
  const train = randomSplit(96, 1);
  const test = randomSplit(20, 2);

  /** The learning rate of every step of a run: read before each step's update. */
  function rates(schedule: "cosine" | "constant", epochs: number): number[] {
    const trainer = new Trainer({ ...DEFAULT_SETTINGS, batchSize: 32, epochs, schedule }, train, test);
    const lrs = [trainer.optimizer.lr];
    for (const record of trainer.run()) if (record.kind === "step") lrs.push(trainer.optimizer.lr);
    return lrs;
  }

  it("anneals the learning rate along a cosine to 0 over the whole run, as `fmnist train` does", () => {
    const lrs = rates("cosine", 2); // 3 steps per epoch, 6 in all
    expect(lrs).toHaveLength(7);
    lrs.forEach((lr, t) => expect(lr).toBeCloseTo((1e-3 * (1 + Math.cos((Math.PI * t) / 6))) / 2, 12));
    expect(lrs[6]).toBeLessThan(1e-15);
  });

  it("keeps the learning rate fixed with the constant schedule", () => {
    expect(rates("constant", 2)).toEqual(new Array(7).fill(1e-3));
  });

  it("refuses a schedule it does not know", () => {
    expect(() => checkSettings({ ...DEFAULT_SETTINGS, schedule: "step" as "cosine" })).toThrow("schedule must be cosine or constant, got step");
  });
});
