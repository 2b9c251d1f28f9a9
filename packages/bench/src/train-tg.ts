// tg's training and inference benchmarks: the seed MLP for an epoch (AdamW, batch 64), the CNN
// of issue 5 in images per second, and MLP inference latency, all through the public packages.

import { crossEntropyLoss } from "@tg/loss";
import { Conv2D, Dropout, Flatten, Linear, MaxPool2D, ReLU, Sequential } from "@tg/nn";
import { AdamW } from "@tg/optim";
import { manualSeed, noGrad, tensor } from "@tg/tensor";
import { BATCH, type TrainingData } from "./data.js";
import { type Result, attempt } from "./results.js";
import { CHUNKS, QUICK_CHUNKS, TRAINING_CHUNKS, epochNote, epochSeconds, measureChunked } from "./timing.js";

function mlp(): Sequential {
  return new Sequential(
    new Linear(784, 256), new ReLU(), new Dropout(0.3),
    new Linear(256, 128), new ReLU(), new Dropout(0.3),
    new Linear(128, 10),
  );
}

function cnn(): Sequential {
  return new Sequential(
    new Conv2D(1, 32, 3, { padding: 1 }), new ReLU(), new MaxPool2D(2),
    new Conv2D(32, 64, 3, { padding: 1 }), new ReLU(), new MaxPool2D(2),
    new Flatten(), new Linear(3136, 128), new ReLU(), new Linear(128, 10),
  );
}

/** A training step on batch `i` (cycling through the data) of a model taking `shape` inputs. */
function trainer(model: Sequential, data: TrainingData, shape: number[]): () => void {
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
  const batches = Math.floor(data.count / BATCH);
  let i = 0;
  return () => {
    const at = (i++ % batches) * BATCH;
    const x = tensor(data.images.subarray(at * 784, (at + BATCH) * 784), { shape: [BATCH, ...shape] });
    const y = tensor(data.labels.subarray(at, at + BATCH));
    optimizer.zeroGrad();
    crossEntropyLoss(model.forward(x), y).backward();
    optimizer.step();
  };
}

/** Runs the benchmarks in `benches` and returns their results under `system`. */
export function tgTraining(system: string, benches: string[], data: TrainingData, fullEpoch: boolean, quick = false): Result[] {
  const results: Result[] = [];
  const stepChunks = quick ? QUICK_CHUNKS : TRAINING_CHUNKS;
  const callChunks = quick ? QUICK_CHUNKS : CHUNKS;
  const steps = Math.ceil(data.count / BATCH);
  if (benches.includes("mlp-epoch")) {
    manualSeed(0);
    const what = { system, bench: "mlp-epoch", case: "epoch", unit: "s", note: epochNote(fullEpoch, data) } as const;
    attempt(results, what, () => epochSeconds(trainer(mlp(), data, [784]), steps, fullEpoch, stepChunks));
  }
  if (benches.includes("cnn-train")) {
    manualSeed(0);
    const what = { system, bench: "cnn-train", case: "train", unit: "img/s" } as const;
    attempt(results, what, () => measureChunked(trainer(cnn(), data, [1, 28, 28]), stepChunks), (seconds) => BATCH / seconds);
  }
  if (benches.includes("mlp-infer")) {
    manualSeed(0);
    const model = mlp().eval();
    for (const batch of [1, 1000]) {
      const x = tensor(data.images.subarray(0, batch * 784), { shape: [batch, 784] });
      const what = { system, bench: "mlp-infer", case: String(batch), unit: "ms" } as const;
      attempt(results, what, () => measureChunked(() => noGrad(() => model.forward(x).dataSync()), callChunks), (seconds) => 1000 * seconds);
    }
  }
  return results;
}
