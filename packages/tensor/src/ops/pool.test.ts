// maxPool2d: hand-computed windows, padding, output sizes, gradients and errors.

import { describe, expect, it } from "vitest";
import { gradcheck, maxPool2d, Rng, Tensor, tensor } from "../index.js";

describe("maxPool2d", () => {
  const x4x4 = tensor([
    [
      [
        [1, 5, 2, 0],
        [3, 4, 8, 7],
        [9, 0, 1, 2],
        [6, 6, 3, 4],
      ],
    ],
  ]);
  it("takes the largest element of each window (hand-computed)", () => {
    expect(maxPool2d(x4x4, 2).toArray()).toEqual([
      [
        [
          [5, 8],
          [9, 4],
        ],
      ],
    ]);
    expect(maxPool2d(x4x4, 3, { stride: 1 }).toArray()).toEqual([
      [
        [
          [9, 8],
          [9, 8],
        ],
      ],
    ]);
    expect(maxPool2d(x4x4, [1, 2], { stride: [2, 2] }).toArray()).toEqual([
      [
        [
          [5, 2],
          [9, 2],
        ],
      ],
    ]);
  });

  it("pads with -Infinity so padding never wins, even over negative inputs", () => {
    const neg = x4x4.sub(10);
    expect(maxPool2d(neg, 3, { stride: 2, padding: 1 }).toArray()).toEqual([
      [
        [
          [-5, -2],
          [-1, -2],
        ],
      ],
    ]);
  });

  it("floors the output size and accepts an unbatched [C,H,W] input", () => {
    const x = Tensor.arange(0, 2 * 5 * 7, 1, { dtype: "float64" }).reshape([2, 5, 7]);
    const out = maxPool2d(x, 2);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(out.toArray()).toEqual([
      [
        [8, 10, 12],
        [22, 24, 26],
      ],
      [
        [43, 45, 47],
        [57, 59, 61],
      ],
    ]);
  });

  it("sends the gradient to the first maximum of each window and sums overlaps", () => {
    const ties = tensor(
      [
        [
          [
            [1, 1],
            [1, 1],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    maxPool2d(ties, 2).sum().backward();
    expect(ties.grad?.toArray()).toEqual([
      [
        [
          [1, 0],
          [0, 0],
        ],
      ],
    ]);
    const x = x4x4.clone().detach();
    x.requiresGrad = true;
    maxPool2d(x, 3, { stride: 1 }).sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [
        [
          [0, 0, 0, 0],
          [0, 0, 2, 0],
          [2, 0, 0, 0],
          [0, 0, 0, 0],
        ],
      ],
    ]);
  });

  it("has correct gradients on inputs without ties", () => {
    const r = new Rng(0);
    const values = Float64Array.from({ length: 2 * 3 * 5 * 6 }, (_, i) => i * 0.01);
    for (let i = values.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
    const x = tensor(values, { shape: [2, 3, 5, 6], requiresGrad: true });
    gradcheck((t) => maxPool2d(t, 2), [x]);
    gradcheck((t) => maxPool2d(t, [3, 2], { stride: [2, 1], padding: [1, 1] }), [x]);
  });

  it("picks the same winners on contiguous float32 2x2 windows as on strided ones", () => {
    const r = new Rng(4);
    const special = [NaN, -Infinity, Infinity, 0, -0, 1];
    const values = Float32Array.from({ length: 3 * 2 * 7 * 9 }, () =>
      r.int(3) === 0 ? special[r.int(special.length)] : r.int(4) - 2,
    );
    const run = (strided: boolean): [unknown, unknown] => {
      const base = tensor(values, { shape: [3, 2, 7, 9] });
      // the same values through a non-contiguous view, which takes the general scan
      const x = strided ? base.transpose(2, 3).mul(1).transpose(2, 3).detach() : base;
      x.requiresGrad = true;
      const out = maxPool2d(x, 2);
      out.sum().backward();
      return [out.toArray(), x.grad!.toArray()];
    };
    expect(run(false)).toEqual(run(true));
  });
});

describe("maxPool2d errors", () => {
  const x = Tensor.zeros([1, 1, 4, 4]);
  it("refuses a padding over half the kernel size", () => {
    expect(() => maxPool2d(x, 2, { padding: 2 })).toThrow(
      "maxPool2d: padding [2,2] must be at most half the kernel size [2,2]",
    );
  });
  it("refuses a non-positive kernel size or stride", () => {
    expect(() => maxPool2d(x, 0)).toThrow(
      "maxPool2d: kernelSize must be a positive integer or a pair [h, w] of them, got 0",
    );
    expect(() => maxPool2d(x, 2, { stride: [1, 0] })).toThrow(
      "maxPool2d: stride must be a positive integer or a pair [h, w] of them, got [1,0]",
    );
  });
  it("names the input shape when it is not 4-d or 3-d, or smaller than the window", () => {
    expect(() => maxPool2d(Tensor.zeros([4, 4]), 2)).toThrow(
      "maxPool2d: input must be 4-d [N,C,H,W] or 3-d [C,H,W], got [4,4]",
    );
    expect(() => maxPool2d(x, 5)).toThrow(
      "maxPool2d: kernel 5x5 is larger than the padded input 4x4 (input [1,1,4,4], padding [0,0])",
    );
  });
});
