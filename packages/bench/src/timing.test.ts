import { describe, expect, it } from "vitest";
import { measureChunked, measureInterleaved, summarizeChunks } from "./timing.js";

describe("summarizeChunks", () => {
  it("gives the median of all samples and the smallest median of consecutive chunks", () => {
    // chunk medians: 2, 1.1 (the undisturbed stretch), 4
    const times = [2, 2, 3, 1.1, 1, 1.2, 4, 5, 4];
    expect(summarizeChunks(times, 3)).toEqual({ median: 2, best: 1.1 });
  });

  it("ignores a last partial chunk for the best, and falls back to the median with no full chunk", () => {
    expect(summarizeChunks([3, 3, 3, 0.1], 3)).toEqual({ median: 3, best: 3 });
    expect(summarizeChunks([5, 1], 3)).toEqual({ median: 5, best: 5 });
  });
});

describe("measureChunked", () => {
  it("times every chunk it promises, however short the budget, and the best chunk is never slower than the median", () => {
    let calls = 0;
    const timing = measureChunked(() => void calls++, { chunks: 4, chunkSamples: 3, minSampleMs: 0, budgetMs: 0, minChunks: 2 });
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(timing.median).toBeGreaterThan(0);
    expect(timing.best).toBeLessThanOrEqual(timing.median);
  });

  it("takes the variants' samples in turn, each after its own set-up", () => {
    const order: string[] = [];
    const variant = (name: string) => ({ before: () => void order.push(`set ${name}`), fn: () => void order.push(name) });
    const timings = measureInterleaved([variant("a"), variant("b")], { chunks: 1, chunkSamples: 2, minSampleMs: 0, budgetMs: 0, minChunks: 1 });
    expect(timings).toHaveLength(2);
    // one set-up per variant for its warm-up, then one before each of its 2 samples, in turn
    expect(order.filter((x) => x.startsWith("set "))).toEqual(["set a", "set b", "set a", "set b", "set a", "set b"]);
    expect(order.at(-1)).toBe("b");
  });
});
