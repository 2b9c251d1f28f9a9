// The demo's two models, built from @tg/nn layers: the signature MLP and a small convnet, both
// with Xavier-uniform weights drawn from one seeded generator (which later draws the dropout masks).

import { Conv2D, Dropout, Flatten, Linear, MaxPool2D, ReLU, Sequential, xavierUniform } from "@tg/nn";
import type { Rng, Tensor } from "@tg/tensor";
import type { Architecture } from "./options.js";

/** The number of Fashion-MNIST classes. */
export const NUM_CLASSES = 10;

/** A layer whose weights the gradient-flow chart follows. */
export interface WatchedLayer {
  /** Legend text, e.g. "1 Linear(784→256)". */
  label: string;
  weight: Tensor;
}

/**
 * The signature MLP: Flatten → Linear(784,256) → ReLU → Dropout(0.3) → Linear(256,128) → ReLU →
 * Dropout(0.3) → Linear(128,10), producing logits for cross-entropy.
 */
export function mlp(rng: Rng): Sequential {
  const init = xavierUniform;
  return new Sequential(
    new Flatten(),
    new Linear(784, 256, { init, rng }),
    new ReLU(),
    new Dropout(0.3, { rng }),
    new Linear(256, 128, { init, rng }),
    new ReLU(),
    new Dropout(0.3, { rng }),
    new Linear(128, NUM_CLASSES, { init, rng }),
  );
}

/**
 * The small convnet: Conv2D(1,32,3,pad 1) → ReLU → MaxPool2D(2) → Conv2D(32,64,3,pad 1) → ReLU →
 * MaxPool2D(2) → Flatten → Linear(3136,128) → ReLU → Dropout(0.3) → Linear(128,10).
 */
export function cnn(rng: Rng): Sequential {
  const init = xavierUniform;
  return new Sequential(
    new Conv2D(1, 32, 3, { padding: 1, init, rng }),
    new ReLU(),
    new MaxPool2D(2),
    new Conv2D(32, 64, 3, { padding: 1, init, rng }),
    new ReLU(),
    new MaxPool2D(2),
    new Flatten(),
    new Linear(64 * 7 * 7, 128, { init, rng }),
    new ReLU(),
    new Dropout(0.3, { rng }),
    new Linear(128, NUM_CLASSES, { init, rng }),
  );
}

/** Builds the model of an architecture with weights drawn from `rng`. */
export function buildModel(architecture: Architecture, rng: Rng): Sequential {
  return architecture === "mlp" ? mlp(rng) : cnn(rng);
}

/** The layers with weights, in order, labelled for the gradient-flow legend. */
export function watchedLayers(model: Sequential): WatchedLayer[] {
  const out: WatchedLayer[] = [];
  [...model].forEach((layer, i) => {
    if (layer instanceof Linear) {
      out.push({ label: `${i} Linear(${layer.inFeatures}→${layer.outFeatures})`, weight: layer.weight });
    } else if (layer instanceof Conv2D) {
      const [kh, kw] = layer.kernelSize;
      out.push({ label: `${i} Conv2D(${layer.inChannels}→${layer.outChannels}, ${kh}×${kw})`, weight: layer.weight });
    }
  });
  return out;
}

/** The number of trainable numbers in a model. */
export function countParameters(model: Sequential): number {
  return model.parameters().reduce((n, p) => n + p.size, 0);
}
