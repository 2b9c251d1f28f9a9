// tg's runner: the public Tensor.matmul on the wasm backend (1 thread and all cores) and on the
// "js" backend (the plain TypeScript reference path); training, inference and the GPT on the default.

import { availableParallelism } from "node:os";
import { getBackend, isWasmAvailable, setBackend, setNumThreads, tensor } from "@tg/tensor";
import { MATMUL_CASES, type MatmulCase, flops, readInputs } from "./cases.js";
import { trainingData } from "./data.js";
import { figure, report, runnerArgs } from "./results.js";
import { tgGpt } from "./gpt-tg.js";
import { tgTraining } from "./train-tg.js";
import { CHUNKS, QUICK_CHUNKS, measureChunked, measureInterleaved } from "./timing.js";

const args = runnerArgs();
const cores = availableParallelism();
const defaultBackend = getBackend();
const chunks = args.quick ? QUICK_CHUNKS : CHUNKS;
const cases = args.quick ? MATMUL_CASES.slice(0, 1) : MATMUL_CASES;

function tensorMatmul(c: MatmulCase, a: Float32Array, b: Float32Array): () => void {
  const ta = c.transA ? tensor(a, { shape: [c.k, c.m] }).transpose(0, 1) : tensor(a, { shape: [c.m, c.k] });
  const tb = c.transB ? tensor(b, { shape: [c.n, c.k] }).transpose(0, 1) : tensor(b, { shape: [c.k, c.n] });
  return () => void ta.matmul(tb);
}

if (args.benches.includes("matmul")) {
  for (const c of cases) {
    const { a, b } = readInputs(args.inputs, c);
    const fn = tensorMatmul(c, a, b);
    const gflops = (seconds: number) => flops(c) / seconds / 1e9;
    if (isWasmAvailable()) {
      setBackend("wasm");
      const [one, all] = measureInterleaved([
        { before: () => setNumThreads(1), fn },
        { before: () => setNumThreads(cores), fn },
      ], chunks);
      report({ system: "tg-wasm-1", bench: "matmul", case: c.id, ...figure(one, gflops), unit: "GFLOPS" });
      report({ system: "tg-wasm-all", bench: "matmul", case: c.id, ...figure(all, gflops), unit: "GFLOPS" });
    }
    setBackend("js");
    const seconds = measureChunked(fn, args.quick ? chunks : { budgetMs: 4000 });
    setBackend(defaultBackend);
    report({ system: "tg-js", bench: "matmul", case: c.id, ...figure(seconds, gflops), unit: "GFLOPS" });
  }
}

const training = ["mlp-epoch", "cnn-train", "mlp-infer"].filter((b) => args.benches.includes(b));
if (training.length > 0) {
  setNumThreads(cores);
  setBackend(defaultBackend);
  for (const r of tgTraining("tg", training, await trainingData(), args.fullEpoch, args.quick)) report(r);
}

const gpt = ["gpt-train", "gpt-generate"].filter((b) => args.benches.includes(b));
if (gpt.length > 0) {
  setNumThreads(cores);
  setBackend(defaultBackend);
  for (const r of tgGpt("tg", gpt)) report(r);
}
