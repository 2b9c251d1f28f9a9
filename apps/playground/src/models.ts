// The two models of the command-line demo, written out again here from @tg/nn layers (the page
// uses public packages only): the MLP and the small convnet, with Xavier-uniform weights drawn
// from one seeded generator, which later draws the dropout masks too. Parameter names match the
// CLI's checkpoints, so a file written by either loads into the other.

import { Conv2D, Dropout, Flatten, Linear, MaxPool2D, ReLU, Sequential, xavierUniform } from "@tg/nn";
import type { Rng, Tensor } from "@tg/tensor";

/** The two architectures the page trains. */
export type Architecture = "mlp" | "cnn";

/** The number of Fashion-MNIST classes. */
export const NUM_CLASSES = 10;

/** The ten Fashion-MNIST class names, by label. */
export const CLASSES: readonly string[] = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/**
 * Flatten → Linear(784,256) → ReLU → Dropout(0.3) → Linear(256,128) → ReLU → Dropout(0.3) →
 * Linear(128,10), producing logits.
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
 * Conv2D(1,32,3,pad 1) → ReLU → MaxPool2D(2) → Conv2D(32,64,3,pad 1) → ReLU → MaxPool2D(2) →
 * Flatten → Linear(3136,128) → ReLU → Dropout(0.3) → Linear(128,10).
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

/** A layer whose weight gradient the gradient-flow chart follows. */
export interface WatchedLayer {
  /** Legend text, e.g. "1 Linear(784→256)". */
  label: string;
  weight: Tensor;
}

/** The layers with weights, in order, labelled for the gradient-flow legend. */
export function watchedLayers(model: Sequential): WatchedLayer[] {
  const out: WatchedLayer[] = [];
  [...model].forEach((layer, i) => {
    if (layer instanceof Linear) {
      out.push({ label: `${i} Linear(${layer.inFeatures}→${layer.outFeatures})`, weight: layer.weight });
    } else if (layer instanceof Conv2D) {
      out.push({ label: `${i} Conv2D(${layer.inChannels}→${layer.outChannels})`, weight: layer.weight });
    }
  });
  return out;
}
