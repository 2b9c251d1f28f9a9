import { describe, expect, it } from "vitest";
import { type Result, figure, medianOfRounds } from "./results.js";

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

describe("medianOfRounds with chunked timings", () => {
  it("keeps the best of the rounds' fastest chunks: the largest rate, the smallest time", () => {
    const rates = medianOfRounds([r("tg", 30, { best: 41 }), r("tg", 20, { best: 45 }), r("tg", 25, { best: 38 })]);
    expect(rates).toEqual([r("tg", 25, { best: 45, rounds: 3 })]);
    const ms = (value: number, best: number): Result => ({ system: "tg", bench: "mlp-infer", case: "1", value, best, unit: "ms" });
    expect(medianOfRounds([ms(3, 2.5), ms(4, 2), ms(5, 3)])).toEqual([{ ...ms(4, 2), rounds: 3 }]);
  });
});

describe("figure", () => {
  it("converts the median and the best chunk alike, or a single time alone", () => {
    expect(figure({ median: 0.5, best: 0.25 }, (s) => 1 / s)).toEqual({ value: 2, best: 4 });
    expect(figure(0.5, (s) => 1000 * s)).toEqual({ value: 500 });
  });
});
