import { Rng } from "@tg/tensor";
import { describe, expect, it } from "vitest";
import { drawToken } from "./sample.js";

describe("drawToken", () => {
  it("draws in proportion to softmax(logits / temperature)", () => {
    const logits = [Math.log(1), Math.log(3), -Infinity, Math.log(6)];
    const rng = new Rng(0);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[drawToken(logits, 1, null, rng)]++;
    expect(counts[2]).toBe(0);
    expect(counts[0] / 20000).toBeCloseTo(0.1, 1);
    expect(counts[1] / 20000).toBeCloseTo(0.3, 1);
    expect(counts[3] / 20000).toBeCloseTo(0.6, 1);
  });

  it("keeps only the top k, and a low temperature picks the largest", () => {
    const logits = [0.5, 2, 1.9, -1];
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(drawToken(logits, 1, 2, rng));
    expect([...seen].sort()).toEqual([1, 2]);
    for (let i = 0; i < 50; i++) expect(drawToken(logits, 0.01, null, rng)).toBe(1);
  });

  it("repeats by seed", () => {
    const logits = [0, 0.1, 0.2, 0.3, 0.4];
    const draws = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 30 }, () => drawToken(logits, 1, null, rng));
    };
    expect(draws(4)).toEqual(draws(4));
    expect(draws(4)).not.toEqual(draws(5));
  });
});
