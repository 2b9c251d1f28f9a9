import { describe, expect, it } from "vitest";
import { Rng } from "@tg/tensor";
import { DataLoader, splitTokens, TokenWindowDataset } from "./index.js";

const TOKENS = [10, 11, 12, 13, 14, 15, 16];

describe("TokenWindowDataset", () => {
  it("gives next-token windows: y is x shifted by one", () => {
    const ds = new TokenWindowDataset(TOKENS, 3);
    expect(ds.length).toBe(4);
    const [x, y] = ds.get(1);
    expect(x.dtype).toBe("int32");
    expect(x.toArray()).toEqual([11, 12, 13]);
    expect(y.toArray()).toEqual([12, 13, 14]);
    const [xb, yb] = ds.getBatch([3, 0]);
    expect(xb.toArray()).toEqual([[13, 14, 15], [10, 11, 12]]);
    expect(yb.toArray()).toEqual([[14, 15, 16], [11, 12, 13]]);
  });

  it("samples random windows reproducibly by seed, covering every start", () => {
    const ds = new TokenWindowDataset(TOKENS, 3);
    const a = ds.sampleIndices(200, new Rng(5));
    expect(ds.sampleIndices(200, new Rng(5))).toEqual(a);
    expect(ds.sampleIndices(200, new Rng(6))).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([0, 1, 2, 3]));
    const [x, y] = ds.sample(2, new Rng(5));
    expect(x.shape).toEqual([2, 3]);
    expect(x.toArray()).toEqual(ds.getBatch(a.slice(0, 2))[0].toArray());
    expect(y.toArray()).toEqual(ds.getBatch(a.slice(0, 2))[1].toArray());
  });

  it("works with a DataLoader", () => {
    const loader = new DataLoader(new TokenWindowDataset(TOKENS, 2), { batchSize: 2 });
    const shapes = [...loader].map(([x, y]) => [x.shape, y.shape]);
    expect(shapes).toEqual([[[2, 2], [2, 2]], [[2, 2], [2, 2]], [[1, 2], [1, 2]]]);
  });

  it("refuses too few tokens, bad sizes and out-of-range windows", () => {
    expect(() => new TokenWindowDataset([1, 2, 3], 3)).toThrow(
      "TokenWindowDataset: 3 tokens hold no window of blockSize 3 plus its target (need at least 4)",
    );
    expect(() => new TokenWindowDataset(TOKENS, 0)).toThrow("TokenWindowDataset: blockSize must be a positive integer, got 0");
    expect(() => new TokenWindowDataset([1, 2.5, 3], 1)).toThrow("TokenWindowDataset: token 1 is 2.5, not an int32 integer");
    expect(() => new TokenWindowDataset(TOKENS, 3).get(4)).toThrow("TokenWindowDataset: index 4 is out of range for 4 windows");
    expect(() => new TokenWindowDataset(TOKENS, 3).sample(0)).toThrow("TokenWindowDataset: batchSize must be a positive integer, got 0");
  });
});

describe("splitTokens", () => {
  it("keeps the first 90% for training and the rest for validation, in order", () => {
    const tokens = Array.from({ length: 20 }, (_, i) => i);
    const { train, val } = splitTokens(tokens);
    expect(Array.from(train)).toEqual(tokens.slice(0, 18));
    expect(Array.from(val)).toEqual([18, 19]);
    expect(Array.from(splitTokens(tokens, 0.25).val)).toEqual([15, 16, 17, 18, 19]);
  });

  it("refuses a fraction outside (0, 1) or too few tokens", () => {
    expect(() => splitTokens([1, 2, 3], 1)).toThrow("splitTokens: valFraction must be in (0, 1), got 1");
    expect(() => splitTokens([1, 2], 0.1)).toThrow("splitTokens: 2 tokens are too few to split with valFraction 0.1");
  });
});
