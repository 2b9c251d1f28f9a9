// TF.js's training and inference benchmarks, the same models as train-tg.ts written with
// tfjs-core ops (NHWC for the CNN): Adam plus decoupled weight decay (AdamW), batch 64.

import * as tfjs from "@tensorflow/tfjs-core";
import { BATCH, type TrainingData } from "./data.js";
import { type Result, attempt } from "./results.js";
import { CHUNKS, QUICK_CHUNKS, TRAINING_CHUNKS, epochNote, epochSeconds, measureChunked } from "./timing.js";

type Forward = (x: tfjs.Tensor, training: boolean) => tfjs.Tensor2D;

function glorot(shape: number[], fanIn: number, fanOut: number): tfjs.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tfjs.variable(tfjs.randomUniform(shape, -limit, limit, "float32", 0));
}

const dense = (x: tfjs.Tensor, w: tfjs.Variable, b: tfjs.Variable) => tfjs.add(tfjs.matMul(x as tfjs.Tensor2D, w as tfjs.Tensor2D), b);
const drop = (x: tfjs.Tensor, training: boolean) => (training ? tfjs.dropout(x, 0.3) : x);

function mlp(): { vars: tfjs.Variable[]; forward: Forward } {
  const vars = [glorot([784, 256], 784, 256), tfjs.variable(tfjs.zeros([256])), glorot([256, 128], 256, 128), tfjs.variable(tfjs.zeros([128])), glorot([128, 10], 128, 10), tfjs.variable(tfjs.zeros([10]))];
  const [w1, b1, w2, b2, w3, b3] = vars;
  const forward: Forward = (x, training) => {
    const h1 = drop(tfjs.relu(dense(x, w1, b1)), training);
    const h2 = drop(tfjs.relu(dense(h1, w2, b2)), training);
    return dense(h2, w3, b3) as tfjs.Tensor2D;
  };
  return { vars, forward };
}

function cnn(): { vars: tfjs.Variable[]; forward: Forward } {
  const vars = [glorot([3, 3, 1, 32], 9, 288), tfjs.variable(tfjs.zeros([32])), glorot([3, 3, 32, 64], 288, 576), tfjs.variable(tfjs.zeros([64])), glorot([3136, 128], 3136, 128), tfjs.variable(tfjs.zeros([128])), glorot([128, 10], 128, 10), tfjs.variable(tfjs.zeros([10]))];
  const [k1, c1, k2, c2, w3, b3, w4, b4] = vars;
  const forward: Forward = (x) => {
    const conv = (h: tfjs.Tensor, k: tfjs.Variable, c: tfjs.Variable) => tfjs.relu(tfjs.add(tfjs.conv2d(h as tfjs.Tensor4D, k as tfjs.Tensor4D, 1, "same"), c));
    const p1 = tfjs.maxPool(conv(x, k1, c1) as tfjs.Tensor4D, 2, 2, "valid");
    const p2 = tfjs.maxPool(conv(p1, k2, c2) as tfjs.Tensor4D, 2, 2, "valid");
    const h = tfjs.relu(dense(tfjs.reshape(p2, [-1, 3136]), w3, b3));
    return dense(h, w4, b4) as tfjs.Tensor2D;
  };
  return { vars, forward };
}

function trainer(model: { vars: tfjs.Variable[]; forward: Forward }, data: TrainingData, shape: number[]): () => void {
  const lr = 1e-3;
  const weightDecay = 1e-2;
  const optimizer = tfjs.train.adam(lr, 0.9, 0.999, 1e-8);
  const batches = Math.floor(data.count / BATCH);
  let i = 0;
  return () => {
    const at = (i++ % batches) * BATCH;
    tfjs.tidy(() => {
      const x = tfjs.tensor(data.images.subarray(at * 784, (at + BATCH) * 784), [BATCH, ...shape]);
      const y = tfjs.oneHot(tfjs.tensor1d(data.labels.subarray(at, at + BATCH), "int32"), 10);
      // decoupled weight decay first, as AdamW does
      for (const v of model.vars) v.assign(tfjs.mul(v, 1 - lr * weightDecay));
      const loss = optimizer.minimize(() => tfjs.losses.softmaxCrossEntropy(y, model.forward(x, true)) as tfjs.Scalar, true, model.vars);
      loss?.dataSync();
    });
  };
}

/** Runs the benchmarks in `benches` on the current backend and returns their results. */
export function tfjsTraining(system: string, benches: string[], data: TrainingData, fullEpoch: boolean, quick = false): Result[] {
  const results: Result[] = [];
  const stepChunks = quick ? QUICK_CHUNKS : TRAINING_CHUNKS;
  const callChunks = quick ? QUICK_CHUNKS : CHUNKS;
  const steps = Math.ceil(data.count / BATCH);
  if (benches.includes("mlp-epoch")) {
    const what = { system, bench: "mlp-epoch", case: "epoch", unit: "s", note: epochNote(fullEpoch, data) } as const;
    attempt(results, what, () => epochSeconds(trainer(mlp(), data, [784]), steps, fullEpoch, stepChunks));
  }
  if (benches.includes("cnn-train")) {
    const what = { system, bench: "cnn-train", case: "train", unit: "img/s" } as const;
    attempt(results, what, () => measureChunked(trainer(cnn(), data, [28, 28, 1]), stepChunks), (seconds) => BATCH / seconds);
  }
  if (benches.includes("mlp-infer")) {
    const model = mlp();
    for (const batch of [1, 1000]) {
      const x = tfjs.tensor(data.images.subarray(0, batch * 784), [batch, 784]);
      const what = { system, bench: "mlp-infer", case: String(batch), unit: "ms" } as const;
      attempt(results, what, () => measureChunked(() => tfjs.tidy(() => void model.forward(x, false).dataSync()), callChunks), (seconds) => 1000 * seconds);
      x.dispose();
    }
  }
  return results;
}
