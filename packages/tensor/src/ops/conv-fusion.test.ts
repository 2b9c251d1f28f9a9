// The fused conv ops against their unfused twins: conv2d with activation "relu" gives
// conv2d(…).relu()'s values and gradients bit for bit, conv2dReluMaxPool2d gives
// maxPool2d(conv2d(…).relu(), 2)'s, on each backend. nn's fusion pass (packages/nn/src/fusion.ts)
// relies on this to run a Conv2D, ReLU and MaxPool2D as one op.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  conv2d,
  conv2dReluMaxPool2d,
  getBackend,
  gradcheck,
  isWasmAvailable,
  maxPool2d,
  Rng,
  setBackend,
  Tensor,
  tensor,
  type Backend,
  type DType,
  type Shape,
} from "../index.js";

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

type ConvOptions = { stride?: number; padding?: number };
type ConvFn = (x: Tensor, w: Tensor, b: Tensor) => Tensor;

/**
 * Runs `fused` and `plain` on the same random float32 input xs (NaN at `nanAt` when given),
 * weight ws and bias, each on leaves of its own (the input a constant when `xGrad` is false),
 * and expects the same shape, values and, for one random output gradient, the same gradients.
 */
function expectSameAsPlain(
  fused: ConvFn,
  plain: ConvFn,
  xs: Shape,
  ws: Shape,
  { seed, nanAt, xGrad = true }: { seed: number; nanAt?: number; xGrad?: boolean },
): void {
  const r = new Rng(seed);
  const shapes = [xs, ws, [ws[0]]];
  const data = shapes.map((shape) => randn(shape, r, "float32").storage.data as Float32Array);
  if (nanAt !== undefined) data[0][nanAt] = NaN;
  const leaves = () => data.map((d, i) => tensor(d.slice(), { shape: shapes[i], requiresGrad: i > 0 || xGrad }));
  const [x, w, b] = leaves();
  const [x2, w2, b2] = leaves();
  const y = fused(x, w, b);
  const z = plain(x2, w2, b2);
  expect(y.shape).toEqual(z.shape);
  expect(y.toArray()).toEqual(z.toArray());
  const g = randn(y.shape, r, "float32");
  y.backward(g);
  z.backward(g);
  if (xGrad) expect(x.grad!.toArray()).toEqual(x2.grad!.toArray());
  expect(w.grad!.toArray()).toEqual(w2.grad!.toArray());
  expect(b.grad!.toArray()).toEqual(b2.grad!.toArray());
}

describe("conv2d with activation relu", () => {
  it("has correct gradients", () => {
    const fused = (x: Tensor, w: Tensor, b?: Tensor) => conv2d(x, w, b, { padding: 1, activation: "relu" });
    gradcheck(fused, [[2, 3, 5, 4], [4, 3, 3, 3], [4]]);
  });

  // the units path on the threads (stride 1, large enough), one image per call, and stride 2
  const cases: [string, Shape, Shape, ConvOptions][] = [
    ["stride 1 on the threads", [8, 4, 20, 20], [16, 4, 3, 3], { padding: 1 }],
    ["stride 1, one image", [1, 3, 9, 7], [5, 3, 3, 3], {}],
    ["stride 2", [3, 2, 9, 8], [4, 2, 3, 3], { stride: 2, padding: 1 }],
  ];
  const backends: Backend[] = isWasmAvailable() ? ["js", "wasm"] : ["js"];
  for (const backend of backends) {
    describe(`on the ${backend} backend`, () => {
      useBackend(backend);
      // a NaN output keeps its value and passes its gradient, as relu does
      it.each(cases)("gives conv2d(…).relu()'s values and gradients exactly: %s", (_, xs, ws, opts) =>
        expectSameAsPlain(
          (x, w, b) => conv2d(x, w, b, { ...opts, activation: "relu" }),
          (x, w, b) => conv2d(x, w, b, opts).relu(),
          xs, ws, { seed: 11, nanAt: 3 },
        ));
    });
  }

  it("refuses an unknown activation", () => {
    const x = Tensor.zeros([1, 1, 3, 3]);
    const w = Tensor.zeros([1, 1, 2, 2]);
    // @ts-expect-error: an activation the type does not allow
    expect(() => conv2d(x, w, null, { activation: "tanh" })).toThrow('conv2d: activation must be "relu" or null, got "tanh"');
  });
});

describe("conv2dReluMaxPool2d", () => {
  it("has correct gradients", () => {
    const fused = (x: Tensor, w: Tensor, b?: Tensor) => conv2dReluMaxPool2d(x, w, b, { padding: 1 });
    gradcheck(fused, [[2, 3, 6, 5], [4, 3, 3, 3], [4]]);
  });

  // the units path on the threads, odd convolution outputs (pooled with floor), one image,
  // stride 2 (conv2d then maxPool2d) and an unbatched input
  const cases: [string, Shape, Shape, ConvOptions][] = [
    ["stride 1 on the threads", [8, 4, 20, 20], [16, 4, 3, 3], { padding: 1 }],
    ["odd output sizes", [3, 2, 9, 7], [5, 2, 3, 3], {}],
    ["one image", [1, 3, 8, 8], [4, 3, 3, 3], { padding: 1 }],
    ["stride 2", [3, 2, 11, 10], [4, 2, 3, 3], { stride: 2, padding: 1 }],
    ["unbatched", [3, 9, 8], [4, 3, 3, 3], { padding: 1 }],
  ];
  const backends: Backend[] = isWasmAvailable() ? ["js", "wasm"] : ["js"];
  for (const backend of backends) {
    describe(`on the ${backend} backend`, () => {
      useBackend(backend);
      const fused = (opts: ConvOptions): ConvFn => (x, w, b) => conv2dReluMaxPool2d(x, w, b, opts);
      const plain = (opts: ConvOptions): ConvFn => (x, w, b) => maxPool2d(conv2d(x, w, b, opts).relu(), 2);
      // a NaN passes relu and wins its window, with its gradient
      it.each(cases)("gives maxPool2d(conv2d(…).relu(), 2)'s values and gradients exactly: %s", (_, xs, ws, opts) =>
        expectSameAsPlain(fused(opts), plain(opts), xs, ws, { seed: 12, nanAt: 5 }));

      it.each(cases)("gives the same weight and bias gradients when x needs none (a first layer): %s", (_, xs, ws, opts) =>
        expectSameAsPlain(fused(opts), plain(opts), xs, ws, { seed: 13, xGrad: false }));
    });
  }

  it("refuses a convolution output smaller than the 2x2 window, as maxPool2d does", () => {
    const x = Tensor.zeros([1, 1, 3, 3]);
    const w = Tensor.zeros([1, 1, 3, 3]);
    expect(() => conv2dReluMaxPool2d(x, w)).toThrow("maxPool2d: kernel 2x2 is larger than the padded input 1x1");
  });
});
