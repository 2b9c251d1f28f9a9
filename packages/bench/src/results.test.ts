import { describe, expect, it } from "vitest";
import { type Result, medianOfRounds } from "./results.js";

const r = (system: string, value: number | null, extra: Partial<Result> = {}): Result => ({
  system, bench: "matmul", case: "128", value, unit: "GFLOPS", ...extra,
});

describe("medianOfRounds", () => {
  it("reports each system's median over the rounds, and how many rounds it had", () => {
    const got = medianOfRounds([r("tg", 30), r("tf", 10), r("tg", 50), r("tf", 12), r("tg", 20)]);
    expect(got).toEqual([r("tg", 30, { rounds: 3 }), r("tf", 10, { rounds: 2 })]);
  });

  it("keeps a single run as it is, and a benchmark that could not run as null with its note", () => {
    expect(medianOfRounds([r("cpu", 0.8)])).toEqual([r("cpu", 0.8)]);
    const failed = medianOfRounds([r("tf", null, { note: "could not run" }), r("tf", null)]);
    expect(failed).toEqual([r("tf", null, { note: "could not run", rounds: 0 })]);
  });
});
