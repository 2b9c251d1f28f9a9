// conv2d: the forward on both backends against the definition, its gradients, and its errors.
// The fused conv ops are compared with their unfused twins in conv-fusion.test.ts, maxPool2d is
// tested in pool.test.ts.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  conv2d,
  getBackend,
  gradcheck,
  isWasmAvailable,
  Rng,
  setBackend,
  Tensor,
  tensor,
  type Backend,
  type DType,
  type Shape,
} from "../index.js";
import { conv2dWeightGrad } from "../kernels/conv.js";

const randn = (shape: Shape, r: Rng, dtype: DType = "float64"): Tensor =>
  Tensor.randn(shape, { rng: r, dtype });

/** Runs the enclosing describe's tests on `backend`, restoring the previous one after each. */
function useBackend(backend: Backend): void {
  let previous: Backend = "js";
  beforeEach(() => {
    previous = getBackend();
    setBackend(backend);
  });
  afterEach(() => setBackend(previous));
}

/** conv2d by its definition, one output element at a time, on nested arrays. */
function naiveConv(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  [sh, sw]: number[],
  [ph, pw]: number[],
): number[][][][] {
  const X = x.toArray() as number[][][][];
  const W = w.toArray() as number[][][][];
  const B = b ? (b.toArray() as number[]) : null;
  const [n, c, h, wd] = x.shape;
  const [o, , kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((wd + 2 * pw - kw) / sw) + 1;
  const at = (img: number, ci: number, y: number, xx: number): number =>
    y < 0 || y >= h || xx < 0 || xx >= wd ? 0 : X[img][ci][y][xx];
  const grid = (rows: number, cols: number, f: (i: number, j: number) => number): number[][] =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));
  return Array.from({ length: n }, (_, img) =>
    Array.from({ length: o }, (_, oc) =>
      grid(oh, ow, (oy, ox) => {
        let s = B ? B[oc] : 0;
        for (let ci = 0; ci < c; ci++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              s += W[oc][ci][i][j] * at(img, ci, oy * sh - ph + i, ox * sw - pw + j);
        return s;
      }),
    ),
  );
}

function maxAbsDiff(a: Tensor, b: number[][][][]): number {
  const x = a.dataSync();
  const y = b.flat(3);
  expect(x.length).toBe(y.length);
  return y.reduce((worst, v, i) => Math.max(worst, Math.abs(v - x[i])), 0);
}

const x3x3 = tensor([
  [
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  ],
]);
const w2x2 = tensor([
  [
    [
      [1, 2],
      [3, 4],
    ],
  ],
]);

// the forward tests run on both backends: float64 data on the js path (exact up to 1e-12),
// float32 data on the wasm path (float32 rounding of sums over c·kh·kw products)
for (const backend of ["js", "wasm"] as const) {
  const skip = backend === "wasm" && !isWasmAvailable();
  const dtype: DType = backend === "wasm" ? "float32" : "float64";
  const tol = backend === "wasm" ? 1e-4 : 1e-12;

  describe.skipIf(skip)(`conv2d forward (${backend} backend)`, () => {
    useBackend(backend);
    it("slides the kernel over the input (hand-computed)", () => {
      expect(conv2d(x3x3, w2x2).toArray()).toEqual([
        [
          [
            [37, 47],
            [67, 77],
          ],
        ],
      ]);
      expect(conv2d(x3x3, w2x2, tensor([10])).toArray()).toEqual([
        [
          [
            [47, 57],
            [77, 87],
          ],
        ],
      ]);
    });

    it("pads with zeros and strides (hand-computed)", () => {
      expect(conv2d(x3x3, w2x2, null, { stride: 2, padding: 1 }).toArray()).toEqual([
        [
          [
            [4, 18],
            [36, 77],
          ],
        ],
      ]);
      // rows only: stride [2, 1], padding [0, 1]
      expect(conv2d(x3x3, w2x2, null, { stride: [2, 1], padding: [0, 1] }).toArray()).toEqual([
        [[[18, 37, 47, 21]]],
      ]);
    });

    it("mixes channels with the weight and adds one bias per output channel", () => {
      const x = tensor([[[[1, 2]], [[3, 4]]]]); // [1, 2, 1, 2]
      const w = tensor([
        [[[1]], [[10]]],
        [[[-1]], [[0]]],
      ]); // [2, 2, 1, 1]
      expect(conv2d(x, w, tensor([0.5, 100])).toArray()).toEqual([[[[31.5, 42.5]], [[99, 98]]]]);
    });

    it("matches a direct-loop reference on random inputs", () => {
      const r = new Rng(0);
      const cases: [Shape, Shape, number[], number[], boolean][] = [
        [[2, 3, 7, 9], [4, 3, 3, 3], [1, 1], [0, 0], true],
        [[3, 2, 8, 5], [5, 2, 2, 3], [2, 2], [1, 1], false],
        [[1, 1, 28, 28], [8, 1, 3, 3], [1, 1], [1, 1], true],
        [[2, 4, 6, 11], [3, 4, 5, 1], [3, 2], [2, 0], true],
        [[1, 70, 3, 3], [2, 70, 2, 2], [1, 1], [0, 0], false], // c·kh·kw > one k block
      ];
      for (const [xs, ws, stride, padding, withBias] of cases) {
        const x = randn(xs, r, dtype);
        const w = randn(ws, r, dtype);
        const b = withBias ? randn([ws[0]], r, dtype) : null;
        const out = conv2d(x, w, b, {
          stride: [stride[0], stride[1]],
          padding: [padding[0], padding[1]],
        });
        expect(maxAbsDiff(out, naiveConv(x, w, b, stride, padding))).toBeLessThan(tol);
      }
    });

    it("reads strided inputs and float32 data", () => {
      const r = new Rng(1);
      const x = randn([5, 2, 3, 4], r).permute(3, 1, 2, 0); // [4, 2, 3, 5], not contiguous
      const w = randn([3, 2, 2, 2], r);
      const expected = naiveConv(x, w, null, [1, 1], [1, 1]);
      expect(maxAbsDiff(conv2d(x, w, null, { padding: 1 }), expected)).toBeLessThan(1e-12);
      const out32 = conv2d(x.to("float32"), w.to("float32"), null, { padding: 1 });
      expect(out32.dtype).toBe("float32");
      expect(maxAbsDiff(out32, expected)).toBeLessThan(1e-5);
    });

    it("takes an unbatched [C,H,W] input and an empty batch", () => {
      const out = conv2d(x3x3.squeeze(0), w2x2, null, { padding: 1 });
      expect(out.shape).toEqual([1, 4, 4]);
      expect(out.toArray()).toEqual(conv2d(x3x3, w2x2, null, { padding: 1 }).squeeze(0).toArray());
      expect(conv2d(Tensor.zeros([0, 1, 5, 5]), Tensor.zeros([2, 1, 3, 3])).shape).toEqual([
        0, 2, 3, 3,
      ]);
    });

    it("has input and weight gradients equal to the float64 ones up to float32 rounding", () => {
      const r = new Rng(2);
      for (const [xs, ws, stride, padding] of [
        [[3, 4, 9, 7], [5, 4, 3, 3], 1, 1],
        [[2, 3, 8, 11], [4, 3, 2, 3], 2, 0],
      ] as const) {
        const x64 = randn([...xs], r);
        const w64 = randn([...ws], r);
        const grads = (x: Tensor, w: Tensor): Tensor[] => {
          const xg = x.detach();
          const wg = w.detach();
          xg.requiresGrad = true;
          wg.requiresGrad = true;
          const out = conv2d(xg, wg, null, { stride, padding });
          out.mul(out).sum().backward();
          return [xg.grad!, wg.grad!];
        };
        const expected = grads(x64, w64);
        const actual = grads(x64.to("float32"), w64.to("float32"));
        for (let i = 0; i < 2; i++) {
          expect(actual[i].dtype).toBe("float32");
          const scale = expected[i].abs().max().item();
          const diff = actual[i].to("float64").sub(expected[i]).abs().max().item();
          expect(diff).toBeLessThan(1e-5 * scale);
        }
      }
    });

    it("gives the same weight gradient from the forward's kept columns as from recomputed ones", () => {
      const r = new Rng(3);
      const x = randn([3, 2, 6, 5], r, "float32");
      const w = randn([4, 2, 3, 3], r, "float32");
      w.requiresGrad = true;
      const out = conv2d(x, w, null, { stride: 2, padding: 1 });
      out.mul(out).sum().backward(); // the forward kept its columns for this
      // the kernel unfolding the columns again, for the same output gradient 2·out
      const g = { n: 3, c: 2, h: 6, w: 5, o: 4, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, oh: 3, ow: 3, unbatched: false };
      const first = new Tensor(conv2dWeightGrad(out.mul(2).storage, x.storage, g, w.shape, "float32").weight).toArray();
      expect(w.grad!.toArray()).toEqual(first);
    });
  });
}

describe("conv2d gradients", () => {
  const conv =
    (opts: { stride?: number; padding?: number }) => (x: Tensor, w: Tensor, b?: Tensor) =>
      conv2d(x, w, b, opts);
  it("are correct with stride 1, padding 0 and a bias", () =>
    gradcheck(conv({}), [[2, 3, 5, 4], [2, 3, 3, 3], [2]]));
  it("are correct with stride 2, padding 1 on a 2x3 kernel and a rectangular input", () => {
    gradcheck(conv({ stride: 2, padding: 1 }), [[2, 2, 5, 7], [3, 2, 2, 3], [3]]);
    gradcheck(conv({ stride: 2, padding: 1 }), [
      [2, 2, 6, 5],
      [3, 2, 2, 3],
    ]);
  });
  it("are correct for unbatched inputs and for the input alone", () => {
    gradcheck(conv({ padding: 1 }), [[2, 4, 3], [2, 2, 3, 2], [2]]);
    const w = tensor(
      Float64Array.from({ length: 18 }, (_, i) => i / 9 - 1),
      { shape: [2, 1, 3, 3] },
    );
    gradcheck((x) => conv2d(x, w, null, { padding: 1 }), [[2, 1, 4, 4]]);
  });
});

describe("conv2d errors", () => {
  const w = Tensor.zeros([32, 1, 3, 3]);
  it("names the input shape when it is not 4-d or 3-d", () => {
    expect(() => conv2d(Tensor.zeros([28, 28]), w)).toThrow(
      "conv2d: input must be 4-d [N,C,H,W] or 3-d [C,H,W], got [28,28]",
    );
  });
  it("names the weight shape when it is not 4-d", () => {
    expect(() => conv2d(Tensor.zeros([1, 1, 5, 5]), Tensor.zeros([32, 9]))).toThrow(
      "conv2d: weight must be 4-d [out,in,kh,kw] with a non-empty kernel, got [32,9]",
    );
  });
  it("names both shapes when the channels differ", () => {
    expect(() => conv2d(Tensor.zeros([8, 3, 28, 28]), w)).toThrow(
      "conv2d: input has 3 channels ([8,3,28,28]) but weight expects 1 ([32,1,3,3])",
    );
  });
  it("names the bias shape when it does not match the output channels", () => {
    expect(() => conv2d(Tensor.zeros([1, 1, 5, 5]), w, Tensor.zeros([16]))).toThrow(
      "conv2d: bias must have shape [32] to match weight [32,1,3,3], got [16]",
    );
  });
  it("refuses a kernel larger than the padded input", () => {
    expect(() => conv2d(Tensor.zeros([1, 1, 2, 5]), w)).toThrow(
      "conv2d: kernel 3x3 is larger than the padded input 2x5 (input [1,1,2,5], padding [0,0])",
    );
  });
  it("refuses a non-positive or fractional stride and a negative padding", () => {
    const x = Tensor.zeros([1, 1, 5, 5]);
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow(
      "conv2d: stride must be a positive integer or a pair [h, w] of them, got 0",
    );
    expect(() => conv2d(x, w, null, { stride: [1, 1.5] })).toThrow("got [1,1.5]");
    expect(() => conv2d(x, w, null, { padding: -1 })).toThrow(
      "conv2d: padding must be a non-negative integer or a pair [h, w] of them, got -1",
    );
  });
});
