// The seed architecture trains to high accuracy on a synthetic, separable data set. The
// optimizer (AdamW) and the loss are written out here so @tg/nn is tested on its own.

import { describe, expect, it } from "vitest";
import { noGrad, Rng, Tensor, tensor } from "@tg/tensor";
import { ReLU } from "./activation.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { Flatten } from "./reshape.js";
import { Sequential } from "./sequential.js";

const CLASSES = 10;

/** n images [n,1,28,28]: 0.4 × the class's random ±1 pattern plus N(0, 1) noise per pixel. */
function dataset(n: number, rng: Rng, patterns: Float32Array[]): { x: Tensor; y: Int32Array } {
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(CLASSES);
    for (let j = 0; j < 784; j++) x[i * 784 + j] = 0.4 * patterns[y[i]][j] + rng.normal();
  }
  return { x: tensor(x, { shape: [n, 1, 28, 28] }), y };
}

/** Mean cross-entropy: −Σ log softmax(logits)[i, y_i] / N, the class picked by a one-hot mask. */
function crossEntropy(logits: Tensor, y: Int32Array): Tensor {
  const oneHot = new Float32Array(y.length * CLASSES);
  y.forEach((c, i) => (oneHot[i * CLASSES + c] = 1));
  return logits.logSoftmax(1).mul(tensor(oneHot, { shape: [y.length, CLASSES] })).sum().neg().div(y.length);
}

/** AdamW (Loshchilov & Hutter) with PyTorch's defaults, one step per call. */
function adamW(params: Tensor[], lr = 1e-3, [b1, b2] = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2): () => void {
  const m = params.map((p) => Tensor.zerosLike(p));
  const v = params.map((p) => Tensor.zerosLike(p));
  let t = 0;
  return () =>
    noGrad(() => {
      t++;
      params.forEach((p, i) => {
        if (p.grad === null) return;
        p.copy_(p.mul(1 - lr * weightDecay));
        m[i] = m[i].mul(b1).add(p.grad.mul(1 - b1));
        v[i] = v[i].mul(b2).add(p.grad.mul(p.grad).mul(1 - b2));
        const mHat = m[i].div(1 - b1 ** t);
        const vHat = v[i].div(1 - b2 ** t);
        p.copy_(p.sub(mHat.mul(lr).div(vHat.sqrt().add(eps))));
      });
    });
}

function accuracy(logits: Tensor, y: Int32Array): number {
  const predicted = logits.argmax(1).dataSync();
  return predicted.filter((p, i) => p === y[i]).length / y.length;
}

describe("training the seed architecture", () => {
  it("reaches over 95% held-out accuracy on separable data", () => {
    const rng = new Rng(0);
    const patterns = Array.from({ length: CLASSES }, () => Float32Array.from({ length: 784 }, () => (rng.uniform() < 0.5 ? -1 : 1)));
    const train = dataset(600, rng, patterns);
    const test = dataset(300, rng, patterns);
    const init = { rng: new Rng(1) };
    const model = new Sequential(
      new Flatten(),
      new Linear(784, 256, init),
      new ReLU(),
      new Dropout(0.3, { rng: new Rng(2) }),
      new Linear(256, 128, init),
      new ReLU(),
      new Dropout(0.3, { rng: new Rng(3) }),
      new Linear(128, 10, init),
    );
    const step = adamW(model.parameters());
    const before = accuracy(noGrad(() => model.eval().forward(test.x)), test.y);
    model.train();
    const losses: number[] = [];
    const batch = 50;
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let start = 0; start < 600; start += batch) {
        const loss = crossEntropy(model.forward(train.x.slice(0, start, start + batch)), train.y.subarray(start, start + batch));
        model.zeroGrad();
        loss.backward();
        step();
        losses.push(loss.item());
      }
    }
    const after = accuracy(noGrad(() => model.eval().forward(test.x)), test.y);
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(0.95);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 4);
  });
});
