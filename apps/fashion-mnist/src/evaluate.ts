// Scores a model on a labelled split without recording gradients: loss, accuracy, every
// prediction and the confusion matrix; also the class probabilities of single images.

import { crossEntropyLoss } from "@tg/loss";
import type { Module } from "@tg/nn";
import { noGrad } from "@tg/tensor";
import type { Split } from "./data.js";
import type { TestOutcome } from "./metrics.js";
import { NUM_CLASSES } from "./models.js";

/** Runs `model` in eval mode over `split` in batches and counts what it gets right. */
export function evaluate(model: Module, { images, labels }: Split, batchSize = 500): TestOutcome {
  const n = images.shape[0];
  const predictions = new Int32Array(n);
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  const truth = labels.dataSync();
  let lossSum = 0;
  let correct = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const logits = model.forward(images.slice(0, start, end));
        lossSum += crossEntropyLoss(logits, labels.slice(0, start, end), { reduction: "sum" }).item();
        const predicted = logits.argmax(1).dataSync();
        for (let i = 0; i < predicted.length; i++) {
          predictions[start + i] = predicted[i];
          confusion[truth[start + i]][predicted[i]]++;
          if (predicted[i] === truth[start + i]) correct++;
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: n === 0 ? 0 : lossSum / n, accuracy: n === 0 ? 0 : correct / n, predictions, confusion };
}

/** The class probabilities (softmax of the logits) the model gives one image [1,28,28]. */
export function classProbabilities(model: Module, split: Split, index: number): number[] {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => Array.from(model.forward(split.images.slice(0, index, index + 1)).softmax(-1).dataSync()));
  } finally {
    model.train(wasTraining);
  }
}
