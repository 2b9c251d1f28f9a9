// Micro-benchmark of one optimizer step on the seed MLP's parameters (784-256-128-10, float32):
// AdamW.step(), SGD(momentum).step() and clipGradNorm, each timed per call (median of many) and
// reported in nanoseconds per parameter, next to a hand-written fused AdamW loop for comparison.
//
//   npx tsx --conditions=@tg/source packages/optim/bench/step.ts [calls]

import { performance } from "node:perf_hooks";
import { Rng, tensor, type Tensor } from "@tg/tensor";
import { AdamW, clipGradNorm, SGD } from "@tg/optim";

const SHAPES: number[][] = [[256, 784], [256], [128, 256], [128], [10, 128], [10]];
const CALLS = Number(process.argv[2] ?? 300);
const WARMUP = 50;

/** Float32 leaf tensors of the MLP's shapes, each with a random float32 gradient. */
function makeParams(seed: number): Tensor[] {
  const rng = new Rng(seed);
  return SHAPES.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = (): Float32Array => {
      const a = new Float32Array(size);
      for (let i = 0; i < size; i++) a[i] = rng.uniform() * 2 - 1;
      return a;
    };
    const p = tensor(values(), { shape, requiresGrad: true });
    p.grad = tensor(values(), { shape });
    return p;
  });
}

/** The median time of one call, in nanoseconds, after a warm-up. */
function medianNs(fn: () => void): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) * 1e6);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** AdamW's update written as one fused loop over plain Float32Arrays: for comparison. */
function fusedAdamW(params: Tensor[]): () => void {
  const lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = 1e-2;
  const state = params.map((p) => ({
    p: p.storage.data as Float32Array,
    g: p.grad!.storage.data as Float32Array,
    m: new Float32Array(p.size),
    v: new Float32Array(p.size),
  }));
  let step = 0;
  return () => {
    step += 1;
    const stepSize = lr / (1 - beta1 ** step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    const decay = 1 - lr * wd;
    for (const { p, g, m, v } of state) {
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] += (1 - beta1) * (gi - m[i]);
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
      }
    }
  };
}

const count = makeParams(0).reduce((n, p) => n + p.size, 0);
const cases: [string, () => () => void][] = [
  ["AdamW.step()", () => {
    const opt = new AdamW(makeParams(1), { lr: 1e-3 });
    return () => opt.step();
  }],
  ["SGD(momentum 0.9).step()", () => {
    const opt = new SGD(makeParams(2), { lr: 1e-2, momentum: 0.9 });
    return () => opt.step();
  }],
  ["clipGradNorm (scales)", () => {
    const params = makeParams(3);
    return () => clipGradNorm(params, 1);
  }],
  ["clipGradNorm (no-op)", () => {
    const params = makeParams(4);
    return () => clipGradNorm(params, 1e9);
  }],
  ["hand-fused AdamW loop", () => fusedAdamW(makeParams(5))],
];

console.log(`${count} float32 parameters in ${SHAPES.length} tensors; median of ${CALLS} calls`);
for (const [name, setup] of cases) {
  const ns = medianNs(setup());
  console.log(`${name.padEnd(28)} ${(ns / 1e3).toFixed(1).padStart(8)} µs  ${(ns / count).toFixed(2).padStart(6)} ns/param`);
}
