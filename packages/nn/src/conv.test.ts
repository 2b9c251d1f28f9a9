import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Rng, Tensor, tensor } from "@tg/tensor";
import { Conv2D, MaxPool2D } from "./conv.js";
import { gradcheckModule } from "./gradcheck-module.js";

const f64 = { dtype: "float64" } as const;

/** Direct convolution with plain loops, as the definition reads (cross-correlation, zero padding). */
function referenceConv(x: Tensor, w: Tensor, b: number[], stride: number, padding: number): number[] {
  const [n, c, h, wd] = x.shape;
  const [o, , kh, kw] = w.shape;
  const xs = x.dataSync();
  const ws = w.dataSync();
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((wd + 2 * padding - kw) / stride) + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    for (let f = 0; f < o; f++)
      for (let r = 0; r < oh; r++)
        for (let s = 0; s < ow; s++) {
          let acc = b[f];
          for (let ch = 0; ch < c; ch++)
            for (let p = 0; p < kh; p++)
              for (let q = 0; q < kw; q++) {
                const y = r * stride + p - padding;
                const z = s * stride + q - padding;
                if (y >= 0 && y < h && z >= 0 && z < wd) acc += xs[((i * c + ch) * h + y) * wd + z] * ws[((f * c + ch) * kh + p) * kw + q];
              }
          out.push(acc);
        }
  return out;
}

describe("Conv2D", () => {
  beforeEach(() => manualSeed(0));

  it("has weight [out, in, kh, kw] with Xavier bounds over the receptive field, and a zero bias", () => {
    const conv = new Conv2D(3, 16, 5);
    expect(conv.weight.shape).toEqual([16, 3, 5, 5]);
    expect(conv.bias?.toArray()).toEqual(new Array(16).fill(0));
    const bound = Math.sqrt(6 / (3 * 25 + 16 * 25));
    const largest = conv.weight.abs().max().item();
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.95 * bound);
    expect(new Conv2D(2, 4, [3, 1]).weight.shape).toEqual([4, 2, 3, 1]);
  });

  it("computes the cross-correlation with stride and padding", () => {
    const conv = new Conv2D(2, 3, 3, { stride: 2, padding: 1, ...f64, rng: new Rng(1) });
    const bias = [0.5, -1, 2];
    conv.loadStateDict({ weight: conv.weight, bias: tensor(bias, f64) });
    const x = Tensor.randn([2, 2, 5, 6], { rng: new Rng(2), ...f64 });
    const y = conv.forward(x);
    // floor((5 + 2 - 3) / 2) + 1 = 3, floor((6 + 2 - 3) / 2) + 1 = 3
    expect(y.shape).toEqual([2, 3, 3, 3]);
    const expected = referenceConv(x, conv.weight, bias, 2, 1);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("computes a small case worked by hand", () => {
    const conv = new Conv2D(1, 1, 2, { bias: false });
    conv.loadStateDict({ weight: tensor([[[[1, 0], [0, -1]]]]) });
    // each output is x[r][s] − x[r+1][s+1]: 1−5, 2−6 / 4−8, 5−9
    expect(conv.forward(tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]])).toArray()).toEqual([[[[-4, -4], [-4, -4]]]]);
  });

  it("accepts unbatched [C, H, W] input", () => {
    expect(new Conv2D(1, 4, 3, { padding: 1 }).forward(Tensor.zeros([1, 6, 6])).shape).toEqual([4, 6, 6]);
  });

  it("has correct gradients for input, weight and bias", () => {
    gradcheckModule(new Conv2D(2, 3, 3, { stride: [2, 1], padding: [1, 0], ...f64 }), [[2, 2, 5, 4]]);
    gradcheckModule(new Conv2D(1, 2, 2, { bias: false, ...f64 }), [[1, 3, 3]]);
  });

  it("names the expected input shape", () => {
    expect(() => new Conv2D(3, 8, 3).forward(Tensor.zeros([2, 1, 8, 8]))).toThrow(
      "Conv2D: expected input [N,3,H,W], got [2,1,8,8]",
    );
    expect(() => new Conv2D(3, 8, 3).forward(Tensor.zeros([8, 8]))).toThrow(
      "Conv2D: expected input [N,3,H,W] or [3,H,W], got [8,8]",
    );
    expect(() => new Conv2D(1, 1, 5).forward(Tensor.zeros([1, 1, 4, 8]))).toThrow(
      "Conv2D: input [1,1,4,8] with padding [0,0] is smaller than the kernel [5,5]",
    );
  });

  it("refuses bad settings", () => {
    expect(() => new Conv2D(1, 1, 0)).toThrow(new RangeError("Conv2D: kernelSize must be a positive integer, got 0"));
    expect(() => new Conv2D(1, 1, 3, { padding: -1 })).toThrow("Conv2D: padding must be a non-negative integer, got -1");
    expect(() => new Conv2D(1, 1, 3, { stride: [1, 0] })).toThrow("Conv2D: stride[1] must be a positive integer, got 0");
  });
});

describe("MaxPool2D", () => {
  it("takes the max of each window, stride defaulting to the kernel", () => {
    const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    expect(new MaxPool2D(2).forward(x).toArray()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(new MaxPool2D(3, { stride: 1 }).forward(x).toArray()).toEqual([[[[11, 12], [15, 16]]]]);
    // padding reads as −Infinity: windows [−∞, 1], [2, 3], [4, −∞] along the top row, and so on
    expect(new MaxPool2D(2, { padding: 1 }).forward(x).toArray()).toEqual([[[[1, 3, 4], [9, 11, 12], [13, 15, 16]]]]);
    expect(new MaxPool2D(2).forward(Tensor.zeros([3, 5, 5])).shape).toEqual([3, 2, 2]);
  });

  it("has correct gradients", () => {
    gradcheckModule(new MaxPool2D(2), [tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]).mul(0.37)]);
    gradcheckModule(new MaxPool2D([2, 3], { stride: 1, padding: [1, 1] }), [[1, 2, 4, 5]]);
  });

  it("names the expected input shape and refuses bad settings", () => {
    expect(() => new MaxPool2D(2).forward(Tensor.zeros([4, 4]))).toThrow("MaxPool2D: expected input [N,C,H,W] or [C,H,W], got [4,4]");
    expect(() => new MaxPool2D(2, { padding: 2 })).toThrow(
      new RangeError("MaxPool2D: padding must be at most half the kernel size, got padding [2,2] for kernel [2,2]"),
    );
  });
});
