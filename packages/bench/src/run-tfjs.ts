// TF.js's runner (backend "cpu" or "wasm" in argv[3]): tfjs.matMul with its transpose flags.
// NOTE: the wasm backend runs on 1 thread in Node: its threaded build starts workers from blob
// URLs, which Node's worker_threads refuses.

import * as tfjs from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "./tfjs-gradients.js";
import { MATMUL_CASES, flops, readInputs } from "./cases.js";
import { trainingData } from "./data.js";
import { figure, report, runnerArgs } from "./results.js";
import { tfjsTraining } from "./train-tfjs.js";
import { CHUNKS, QUICK_CHUNKS, measureChunked } from "./timing.js";

const args = runnerArgs();
const backend = process.argv[3] ?? "wasm";
await tfjs.setBackend(backend);
await tfjs.ready();

if (args.benches.includes("matmul")) {
  for (const c of args.quick ? MATMUL_CASES.slice(0, 1) : MATMUL_CASES) {
    const { a, b } = readInputs(args.inputs, c);
    const ta = tfjs.tensor2d(a, c.transA ? [c.k, c.m] : [c.m, c.k]);
    const tb = tfjs.tensor2d(b, c.transB ? [c.n, c.k] : [c.k, c.n]);
    const seconds = measureChunked(() => {
      const out = tfjs.matMul(ta, tb, c.transA, c.transB);
      out.dataSync();
      out.dispose();
    }, args.quick ? QUICK_CHUNKS : { ...CHUNKS, budgetMs: 4000 });
    report({ system: `tfjs-${backend}`, bench: "matmul", case: c.id, ...figure(seconds, (s) => flops(c) / s / 1e9), unit: "GFLOPS" });
    ta.dispose();
    tb.dispose();
  }
}

const training = ["mlp-epoch", "cnn-train", "mlp-infer"].filter((b) => args.benches.includes(b));
if (training.length > 0) {
  for (const r of tfjsTraining(`tfjs-${backend}`, training, await trainingData(), args.fullEpoch, args.quick)) report(r);
}
