import { describe, expect, it } from "vitest";
import { getGlobalRng, manualSeed, rand, Rng, TensorError } from "./index.js";

const draws = (rng: Rng, n: number, f: (r: Rng) => number) =>
  Array.from({ length: n }, () => f(rng));

describe("Rng", () => {
  it("gives the same numbers for the same seed", () => {
    expect(draws(new Rng(123), 5, (r) => r.uniform())).toEqual(
      draws(new Rng(123), 5, (r) => r.uniform()),
    );
    expect(draws(new Rng(1), 5, (r) => r.normal())).toEqual(
      draws(new Rng(1), 5, (r) => r.normal()),
    );
  });

  it("gives different numbers for different seeds", () => {
    expect(new Rng(0).uniform()).not.toBe(new Rng(1).uniform());
    expect(new Rng(2 ** 32).nextUint32()).not.toBe(new Rng(0).nextUint32());
  });

  it("starts with fixed known values on every platform (xoshiro128**, integer arithmetic only)", () => {
    expect(draws(new Rng(0), 4, (r) => r.nextUint32())).toEqual([
      3809008728, 1133695204, 53579671, 2891528803,
    ]);
    expect(draws(new Rng(0), 3, (r) => r.uniform())).toEqual([
      0.8868539502021594, 0.012474988946590604, 0.032522145755498943,
    ]);
    expect(draws(new Rng(42), 3, (r) => r.normal())).toEqual([
      0.6953712153418404, 0.5878986391985577, 2.242263762064122,
    ]);
    expect(draws(new Rng(7), 5, (r) => r.int(10))).toEqual([2, 4, 5, 5, 8]);
    expect(new Rng(-1).nextUint32()).toBe(835879718);
  });

  it("draws uniforms in [0, 1) with the right mean and spread", () => {
    const u = draws(new Rng(5), 20_000, (r) => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((a, b) => a + b) / u.length;
    expect(mean).toBeCloseTo(0.5, 2);
    const variance = u.reduce((a, b) => a + (b - mean) ** 2, 0) / u.length;
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it("draws normals with mean 0 and standard deviation 1", () => {
    const z = draws(new Rng(6), 20_000, (r) => r.normal());
    const mean = z.reduce((a, b) => a + b) / z.length;
    const std = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    expect(z.filter((v) => Math.abs(v) < 1).length / z.length).toBeCloseTo(0.6827, 1.5);
  });

  it("draws integers in [0, n), each about equally often", () => {
    const counts = new Array<number>(6).fill(0);
    for (const k of draws(new Rng(8), 6000, (r) => r.int(6))) counts[k]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(counts.reduce((a, b) => a + b)).toBe(6000);
  });

  it("fills an array with the same draws as repeated uniform() calls, and continues the stream", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const filled = a.fillUniform(new Float64Array(1001));
    for (let i = 0; i < filled.length; i++) expect(filled[i]).toBe(b.uniform());
    expect(a.uniform()).toBe(b.uniform());
    expect(a.fillUniform(new Float64Array(0))).toHaveLength(0);
  });

  it("fills 32-bit draws equal to repeated nextUint32() calls, and continues the stream", () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const filled = a.fillUint32(new Uint32Array(1001));
    for (let i = 0; i < filled.length; i++) expect(filled[i]).toBe(b.nextUint32());
    expect(a.uniform()).toBe(b.uniform());
    // @ts-expect-error: an Int32Array, as plain JavaScript could pass
    expect(() => a.fillUint32(new Int32Array(2))).toThrow(/Rng.fillUint32: expected a Uint32Array/);
  });

  it("refuses to fill anything but a Float64Array", () => {
    const rng = new Rng(0);
    // @ts-expect-error: a Float32Array, as plain JavaScript could pass
    expect(() => rng.fillUniform(new Float32Array(3))).toThrow(/Rng.fillUniform: expected a Float64Array/);
  });

  it("rejects bad seeds and bounds", () => {
    expect(() => new Rng(NaN)).toThrow("Rng: seed must be a finite number, got NaN");
    expect(() => new Rng("1" as never)).toThrow(TensorError);
    expect(() => new Rng(0).int(0)).toThrow("Rng.int: n must be a positive integer, got 0");
    expect(() => new Rng(0).int(2.5)).toThrow(TensorError);
  });
});

describe("manualSeed", () => {
  it("replaces the global generator with one seeded as asked", () => {
    manualSeed(11);
    expect(getGlobalRng().uniform()).toBe(new Rng(11).uniform());
    manualSeed(11);
    const a = rand([3]).toArray();
    manualSeed(11);
    expect(rand([3]).toArray()).toEqual(a);
  });
});
