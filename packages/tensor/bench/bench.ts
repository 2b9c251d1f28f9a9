/// <reference types="node" />
// Benchmarks of the kernels that take a training step's time: float32 matmul in the shapes an MLP
// layer's forward and backward use, 512³, conv2d forward + backward, and one MLP step.
// Prints medians of several runs on each backend (`pnpm bench`); the numbers depend on the machine
// and its load.

import { cpus } from "node:os";
import { type Backend, conv2d, getBackend, isWasmAvailable, Rng, setBackend, Tensor } from "@tg/tensor";

const rng = new Rng(0);
const randn = (shape: number[]): Tensor => Tensor.randn(shape, { rng });

interface Timing {
  median: number;
  best: number;
}

/** Median and best wall time in ms of `repeats` runs of `fn`, after `warmup` unmeasured runs. */
function time(fn: () => void, repeats: number, warmup = 3): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], best: times[0] };
}

/** Prints the median (and, in parentheses, the best run): GFLOPS when `flops` is given, and ms. */
function report(label: string, { median, best }: Timing, flops?: number): void {
  const gflops = (ms: number): string => (flops! / ms / 1e6).toFixed(2);
  const rate =
    flops === undefined ? "" : `${gflops(median).padStart(6)} GFLOPS (${gflops(best)})`.padEnd(24);
  console.log(`${label.padEnd(58)}${rate}${median.toFixed(1).padStart(8)} ms (${best.toFixed(1)})`);
}

/** Runs the kernels for a while first, so that V8 has optimised them before anything is timed. */
function warmUp(): void {
  const a = randn([128, 300]);
  const b = randn([300, 130]);
  const start = performance.now();
  while (performance.now() - start < 500) {
    a.matmul(b);
    a.transpose(0, 1).matmul(a);
  }
}

function benchMatmul(label: string, a: Tensor, b: Tensor, repeats: number): void {
  const [m, k] = a.shape;
  const n = b.shape[1];
  report(
    `matmul float32 ${label}`,
    time(() => a.matmul(b), repeats),
    2 * m * n * k,
  );
}

function matmuls(): void {
  benchMatmul("[64x784]·[784x256]", randn([64, 784]), randn([784, 256]), 15);
  benchMatmul("512x512x512", randn([512, 512]), randn([512, 512]), 7);
  // the backward forms of a [64,784]·[784,256] layer, operands as transposed views
  benchMatmul(
    "[784x64]·[64x256] (Aᵀ view of [64,784])",
    randn([64, 784]).transpose(0, 1),
    randn([64, 256]),
    15,
  );
  benchMatmul(
    "[64x256]·[256x784] (Bᵀ view of [784,256])",
    randn([64, 256]),
    randn([784, 256]).transpose(0, 1),
    15,
  );
}

function convs(): void {
  const x = randn([64, 1, 28, 28]);
  const w = Tensor.randn([32, 1, 3, 3], { rng, requiresGrad: true });
  const b = Tensor.zeros([32], { requiresGrad: true });
  const forwardFlops = 2 * 64 * 32 * 28 * 28 * 9;
  report(
    "conv2d [64,1,28,28] * [32,1,3,3] pad 1, forward",
    time(() => conv2d(x, w, b, { padding: 1 }), 10),
    forwardFlops,
  );
  const g = Tensor.onesLike(conv2d(x, w, b, { padding: 1 }));
  const step = (input: Tensor) => () => conv2d(input, w, b, { padding: 1 }).backward(g);
  report("  forward + backward (weight, bias)", time(step(x), 10));
  const xg = x.detach();
  xg.requiresGrad = true;
  report("  forward + backward (input, weight, bias)", time(step(xg), 10));
  const x2 = randn([64, 32, 14, 14]);
  const w2 = Tensor.randn([64, 32, 3, 3], { rng, requiresGrad: true });
  const g2 = Tensor.ones([64, 64, 14, 14]);
  const flops2 = 2 * 64 * 64 * 14 * 14 * 32 * 9;
  report(
    "conv2d [64,32,14,14] * [64,32,3,3] pad 1, forward",
    time(() => conv2d(x2, w2, null, { padding: 1 }), 3, 1),
    flops2,
  );
  x2.requiresGrad = true;
  report(
    "  forward + backward (input, weight)",
    time(() => conv2d(x2, w2, null, { padding: 1 }).backward(g2), 3, 1),
  );
}

/** One step of a 784-256-10 MLP on a batch of 64: forward, mean cross-entropy, backward. */
function mlpStep(): void {
  const x = randn([64, 784]);
  const target = Tensor.zeros([64, 10]);
  for (let i = 0; i < 64; i++) target.storage.data[i * 10 + (i % 10)] = 1;
  const w1 = Tensor.randn([256, 784], { rng, requiresGrad: true });
  const b1 = Tensor.zeros([256], { requiresGrad: true });
  const w2 = Tensor.randn([10, 256], { rng, requiresGrad: true });
  const b2 = Tensor.zeros([10], { requiresGrad: true });
  const step = (): void => {
    const h = x.matmul(w1.transpose(0, 1)).add(b1).relu();
    const logits = h.matmul(w2.transpose(0, 1)).add(b2);
    logits.logSoftmax(-1).mul(target).sum().div(-64).backward();
  };
  report("MLP 784-256-10 step (batch 64, forward + backward)", time(step, 15));
}

console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}`);
console.log("median of the runs, best run in parentheses\n");
const backends: Backend[] = isWasmAvailable() ? ["wasm", "js"] : ["js"];
const initial = getBackend();
for (const backend of backends) {
  setBackend(backend);
  console.log(`\n${backend} backend${backend === "js" ? " (setBackend(\"js\"): the TypeScript reference kernels)" : ""}`);
  warmUp();
  matmuls();
  convs();
  mlpStep();
}
setBackend(initial);
