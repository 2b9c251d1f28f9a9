// Every threaded kernel gives the same bits on 1, 2, 3 and 4 threads, for batches of 1 to 9: the
// problem picks a kernel's algorithm and its summation order, never the thread count.

import { afterAll, describe, expect, it } from "vitest";
import { conv2d, conv2dReluMaxPool2d, maxPool2d } from "../ops/conv.js";
import { linear } from "../ops/linalg.js";
import { Rng } from "../rng.js";
import { Tensor } from "../tensor.js";
import { contiguousData } from "./copy.js";
import { getNumThreads, isWasmAvailable, setNumThreads, wasmInfo } from "./wasm/index.js";

const THREADS = [1, 2, 3, 4];
const BATCHES = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Leaves that require grad, made from float32 values drawn from `rng`. */
function leaf(shape: number[], rng: Rng): Tensor {
  const t = Tensor.randn(shape, { rng });
  t.requiresGrad = true;
  return t;
}

/** Runs `f` on fresh leaves, backpropagates a fixed random weighting, returns outputs and grads. */
function results(batch: number, f: (rng: Rng, n: number) => { out: Tensor; leaves: Tensor[] }): Float32Array[] {
  const rng = new Rng(100 + batch);
  const { out, leaves } = f(rng, batch);
  out.mul(Tensor.randn(out.shape, { rng })).sum().backward();
  return [out, ...leaves.map((t) => t.grad!)].map((t) => Float32Array.from(contiguousData(t.storage)));
}

/** Where two runs' float32 bits first differ (NaN-safe, -0 distinct from +0), or "" when nowhere. */
function firstDifference(a: Float32Array[], b: Float32Array[]): string {
  for (let t = 0; t < a.length; t++) {
    const x = new Uint32Array(a[t].buffer);
    const y = new Uint32Array(b[t].buffer);
    if (x.length !== y.length) return `result ${t}: ${x.length} != ${y.length} elements`;
    const i = x.findIndex((v, j) => v !== y[j]);
    if (i >= 0) return `result ${t}, element ${i}: ${a[t][i]} != ${b[t][i]}`;
  }
  return "";
}

/** The same results on every thread count, for every batch size. */
function expectSameOnAllThreadCounts(f: (rng: Rng, n: number) => { out: Tensor; leaves: Tensor[] }): void {
  // thread count in the outer loop: resizing the pool starts or stops workers
  const runs = THREADS.map((threads) => {
    setNumThreads(threads);
    return BATCHES.map((batch) => results(batch, f));
  });
  for (let i = 1; i < runs.length; i++) {
    BATCHES.forEach((batch, b) => {
      expect(firstDifference(runs[0][b], runs[i][b]), `batch ${batch}, ${THREADS[i]} threads against 1`).toBe("");
    });
  }
}

const before = getNumThreads();
afterAll(() => setNumThreads(before));

describe.skipIf(!isWasmAvailable() || !wasmInfo().threads)("results on 1 to 4 threads", { timeout: 60_000 }, () => {
  it("gemm: a 2-d product, batched and broadcast products, transposed operands", () =>
    expectSameOnAllThreadCounts((rng, n) => {
      const a = leaf([n, 48, 96], rng);
      const b = leaf([96, 80], rng);
      const c = leaf([n, 80, 64], rng);
      const out = a.matmul(b).matmul(c).transpose(1, 2).matmul(a);
      return { out, leaves: [a, b, c] };
    }));

  it("gemm: linear layers (one row per sample, so also one-row products)", () =>
    expectSameOnAllThreadCounts((rng, n) => {
      const x = leaf([n, 784], rng);
      const w = leaf([256, 784], rng);
      const bias = leaf([256], rng);
      const v = leaf([1, 256], rng);
      return { out: linear(linear(x, w, bias).relu(), v), leaves: [x, w, bias, v] };
    }));

  it("conv2d forward and both backwards, stride 1 and stride 2", () =>
    expectSameOnAllThreadCounts((rng, n) => {
      const x = leaf([n, 8, 16, 16], rng);
      const w1 = leaf([16, 8, 3, 3], rng);
      const b1 = leaf([16], rng);
      const w2 = leaf([8, 16, 3, 3], rng);
      const y = conv2d(x, w1, b1, { padding: 1, activation: "relu" });
      return { out: conv2d(y, w2, null, { stride: 2, padding: 1 }), leaves: [x, w1, b1, w2] };
    }));

  it("conv2d with relu and 2x2 max-pooling in one op, and its backward (first layer and inner)", () =>
    expectSameOnAllThreadCounts((rng, n) => {
      const x = Tensor.randn([n, 3, 20, 20], { rng });
      const w1 = leaf([16, 3, 3, 3], rng);
      const b1 = leaf([16], rng);
      const w2 = leaf([16, 16, 3, 3], rng);
      const y = conv2dReluMaxPool2d(x, w1, b1, { padding: 1 });
      return { out: conv2dReluMaxPool2d(y, w2, null, { padding: 1 }), leaves: [w1, b1, w2] };
    }));

  it("max-pooling forward and backward", () =>
    expectSameOnAllThreadCounts((rng, n) => {
      const x = leaf([n, 16, 64, 66], rng);
      return { out: maxPool2d(x, 2), leaves: [x] };
    }));
});
