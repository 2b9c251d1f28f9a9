import { describe, expect, it } from "vitest";
import { collapseDims, RowIterator } from "./iter.js";

/** Every (offset of operand 0, offset of operand 1) pair the iterator visits, row by row. */
function visit(shape: number[], strides: number[][], offsets: number[]): number[][] {
  const it = new RowIterator(shape, strides, offsets);
  const seen: number[][] = [];
  while (it.next()) {
    for (let j = 0; j < it.rowLength; j++)
      seen.push(it.offsets.map((o, k) => o + j * it.rowStrides[k]));
  }
  return seen;
}

describe("collapseDims", () => {
  it("merges dims that are contiguous in every operand and drops size-1 dims", () => {
    expect(
      collapseDims(
        [2, 3, 4],
        [
          [12, 4, 1],
          [12, 4, 1],
        ],
      ),
    ).toEqual({ shape: [24], strides: [[1], [1]] });
    expect(collapseDims([2, 1, 3], [[3, 3, 1]])).toEqual({ shape: [6], strides: [[1]] });
    // a broadcast operand (stride 0 on dim 0) keeps dim 0 apart
    expect(
      collapseDims(
        [2, 3, 4],
        [
          [12, 4, 1],
          [0, 4, 1],
        ],
      ),
    ).toEqual({
      shape: [2, 12],
      strides: [
        [12, 1],
        [0, 1],
      ],
    });
  });

  it("gives one element for 0-d and all-ones shapes", () => {
    expect(collapseDims([], [[]])).toEqual({ shape: [1], strides: [[0]] });
    expect(collapseDims([1, 1], [[5, 7]])).toEqual({ shape: [1], strides: [[0]] });
  });
});

describe("RowIterator", () => {
  it("visits a transposed operand in logical order", () => {
    // a [2,3] view of a [3,2] row-major array: element (i, j) lives at j*2 + i
    const seen = visit(
      [2, 3],
      [
        [1, 2],
        [3, 1],
      ],
      [0, 0],
    );
    expect(seen.map((p) => p[0])).toEqual([0, 2, 4, 1, 3, 5]);
    expect(seen.map((p) => p[1])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("starts from each operand's offset", () => {
    expect(
      visit(
        [2, 2],
        [
          [4, 1],
          [2, 1],
        ],
        [5, 0],
      ).map((p) => p[0]),
    ).toEqual([5, 6, 9, 10]);
  });

  it("walks many outer dims, carrying like an odometer", () => {
    const seen = visit(
      [2, 2, 2, 3],
      [
        [1, 2, 4, 8],
        [12, 6, 3, 1],
      ],
      [0, 0],
    );
    expect(seen).toHaveLength(24);
    expect(seen.map((p) => p[1])).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(seen[23][0]).toBe(1 + 2 + 4 + 16);
  });

  it("visits nothing when a dim is empty, and one element for 0-d", () => {
    expect(
      visit(
        [2, 0, 3],
        [
          [0, 3, 1],
          [0, 3, 1],
        ],
        [0, 0],
      ),
    ).toEqual([]);
    expect(visit([], [[], []], [4, 2])).toEqual([[4, 2]]);
  });
});
