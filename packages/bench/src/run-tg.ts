// tg's runner: matmul through the wasm kernels on 1 thread and on all cores, and through the
// public Tensor.matmul (the plain TypeScript reference path until the wasm path is wired in).

import { availableParallelism } from "node:os";
import { tensor } from "@tg/tensor";
// TODO(#5): import these from "@tg/tensor" once the wasm kernels are exported there
import { isWasmAvailable, setNumThreads, wasmGemm } from "../../tensor/src/kernels/wasm/index.js";
import { MATMUL_CASES, type MatmulCase, flops, readInputs } from "./cases.js";
import { trainingData } from "./data.js";
import { report, runnerArgs } from "./results.js";
import { tgTraining } from "./train-tg.js";
import { measure, measureInterleaved } from "./timing.js";

const args = runnerArgs();
const cores = availableParallelism();

function wasmMatmul(c: MatmulCase, a: Float32Array, b: Float32Array): () => void {
  const out = new Float32Array(c.m * c.n);
  const matA = c.transA ? { data: a, offset: 0, rowStride: 1, colStride: c.m } : { data: a, offset: 0, rowStride: c.k, colStride: 1 };
  const matB = c.transB ? { data: b, offset: 0, rowStride: 1, colStride: c.k } : { data: b, offset: 0, rowStride: c.n, colStride: 1 };
  return () => wasmGemm(c.m, c.n, c.k, matA, matB, out, 0);
}

function tensorMatmul(c: MatmulCase, a: Float32Array, b: Float32Array): () => void {
  const ta = c.transA ? tensor(a, { shape: [c.k, c.m] }).transpose(0, 1) : tensor(a, { shape: [c.m, c.k] });
  const tb = c.transB ? tensor(b, { shape: [c.n, c.k] }).transpose(0, 1) : tensor(b, { shape: [c.k, c.n] });
  return () => void ta.matmul(tb);
}

if (args.benches.includes("matmul")) {
  for (const c of MATMUL_CASES) {
    const { a, b } = readInputs(args.inputs, c);
    if (isWasmAvailable()) {
      const fn = wasmMatmul(c, a, b);
      const [one, all] = measureInterleaved([
        { before: () => setNumThreads(1), fn },
        { before: () => setNumThreads(cores), fn },
      ]);
      report({ system: "tg-wasm-1", bench: "matmul", case: c.id, value: flops(c) / one / 1e9, unit: "GFLOPS" });
      report({ system: "tg-wasm-all", bench: "matmul", case: c.id, value: flops(c) / all / 1e9, unit: "GFLOPS" });
    }
    const seconds = measure(tensorMatmul(c, a, b), { budgetMs: 4000 });
    report({ system: "tg-js", bench: "matmul", case: c.id, value: flops(c) / seconds / 1e9, unit: "GFLOPS" });
  }
}

const training = ["mlp-epoch", "cnn-train", "mlp-infer"].filter((b) => args.benches.includes(b));
if (training.length > 0) {
  setNumThreads(cores);
  for (const r of tgTraining("tg", training, await trainingData(), args.fullEpoch)) report(r);
}
