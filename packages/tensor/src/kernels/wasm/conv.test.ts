import { describe, expect, it } from "vitest";
import { Rng } from "../../rng.js";
import { conv2d } from "../../ops/conv.js";
import { makeStorage } from "../../storage.js";
import { conv2dBiasGrad, conv2dWeightGrad } from "../conv.js";
import { Tensor } from "../../tensor.js";
import { getNumThreads, setNumThreads } from "./gemm.js";
import { isWasmAvailable } from "./runtime.js";

/** [x shape, weight shape, stride, padding, bias] */
type Case = [number[], number[], [number, number], [number, number], boolean];

const CASES: Case[] = [
  [[3, 4, 9, 7], [5, 4, 3, 3], [1, 1], [1, 1], true],
  [[2, 1, 28, 28], [8, 1, 3, 3], [1, 1], [1, 1], true],
  [[1, 3, 5, 6], [2, 3, 2, 3], [1, 1], [0, 2], false], // padding ≥ kernel width: general input gradient
  [[2, 2, 6, 5], [3, 2, 1, 1], [1, 1], [0, 0], true],
  [[2, 3, 8, 11], [4, 3, 2, 3], [2, 1], [1, 0], true],
  [[1, 70, 4, 3], [2, 70, 2, 2], [1, 1], [1, 0], false], // c·kh·kw over one k block
];

/** Output, input gradient, weight gradient and bias gradient of one conv2d. */
function run(x: Tensor, w: Tensor, b: Tensor | null, stride: [number, number], padding: [number, number]): Tensor[] {
  const [xg, wg] = [x.detach(), w.detach()];
  xg.requiresGrad = true;
  wg.requiresGrad = true;
  const bg = b?.detach() ?? null;
  if (bg) bg.requiresGrad = true;
  const out = conv2d(xg, wg, bg, { stride, padding });
  out.mul(out).sum().backward();
  return [out, xg.grad!, wg.grad!, ...(bg ? [bg.grad!] : [])];
}

describe.skipIf(!isWasmAvailable())("conv2d on the wasm kernels", () => {
  it.each(CASES)("matches float64 up to float32 rounding: x %j, w %j, stride %j, padding %j", (xs, ws, stride, padding, bias) => {
    const rng = new Rng(21);
    const x = Tensor.randn(xs, { rng, dtype: "float64" });
    const w = Tensor.randn(ws, { rng, dtype: "float64" });
    const b = bias ? Tensor.randn([ws[0]], { rng, dtype: "float64" }) : null;
    const want = run(x, w, b, stride, padding);
    const got = run(x.to("float32"), w.to("float32"), b?.to("float32") ?? null, stride, padding);
    got.forEach((t, i) => {
      expect(t.dtype).toBe("float32");
      const scale = want[i].abs().max().item();
      expect(t.to("float64").sub(want[i]).abs().max().item()).toBeLessThan(1e-5 * scale);
    });
  });

  it("reads a non-contiguous input in both directions", () => {
    const rng = new Rng(22);
    const x = Tensor.randn([5, 2, 6, 4], { rng, dtype: "float64" }).permute(3, 1, 2, 0); // [4,2,6,5]
    const w = Tensor.randn([3, 2, 3, 3], { rng, dtype: "float64" });
    const want = run(x, w, null, [1, 1], [1, 1]);
    const got = run(x.to("float32").permute(0, 1, 2, 3), w.to("float32"), null, [1, 1], [1, 1]);
    got.forEach((t, i) => expect(t.to("float64").sub(want[i]).abs().max().item()).toBeLessThan(1e-5 * want[i].abs().max().item()));
  });

  it("gives bitwise the same results on 1 and 2 threads", () => {
    const rng = new Rng(23);
    const x = Tensor.randn([32, 8, 14, 14], { rng }); // above the flops at which threads start
    const w = Tensor.randn([16, 8, 3, 3], { rng });
    const b = Tensor.randn([16], { rng });
    const before = getNumThreads();
    try {
      const results = [1, 2].map((threads) => {
        setNumThreads(threads);
        return run(x, w, b, [1, 1], [1, 1]).map((t) => t.toArray());
      });
      expect(results[1]).toEqual(results[0]);
    } finally {
      setNumThreads(before);
    }
  });

  it.each([
    [2, 3, 5, 7, 4],
    [64, 32, 14, 14, 64],
  ])("sums the bias gradient in the weight gradient's pass, bitwise as conv2dBiasGrad: n %i, c %i, %ix%i, o %i", (n, c, h, w, o) => {
    const rng = new Rng(24);
    const g = { n, c, h, w, o, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oh: h, ow: w, unbatched: false };
    const x = makeStorage(Tensor.randn([n, c, h, w], { rng }).storage.data, "float32", [n, c, h, w]);
    const grad = makeStorage(Tensor.randn([n, o, h, w], { rng }).storage.data, "float32", [n, o, h, w]);
    const { bias } = conv2dWeightGrad(grad, x, g, [o, c, 3, 3], "float32", undefined, true);
    expect(Array.from(bias!.data)).toEqual(Array.from(conv2dBiasGrad(grad, g, "float32").data));
  });
});
