// A tiny, learnable stand-in for Fashion-MNIST: class k is a bright band across rows 2k+4..2k+6
// over faint noise. Gives raw IDX-style bytes (to write files) and the tensors loadFashionMNIST would make.

import { Rng, tensor, type Tensor } from "@tg/tensor";

/** One synthetic split as raw bytes, like the IDX files hold them. */
export interface SyntheticBytes {
  /** n × 28 × 28 grey values 0..255 */
  images: Uint8Array;
  labels: Uint8Array;
}

/** `n` images with labels cycling through the 10 classes, noise drawn from `seed`. */
export function syntheticBytes(n: number, seed: number): SyntheticBytes {
  const rng = new Rng(seed);
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = (i * 7 + seed) % 10;
    labels[i] = k;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const inBand = row >= 2 * k + 4 && row < 2 * k + 7;
      images[i * 784 + p] = inBand ? 200 + rng.int(56) : rng.int(40);
    }
  }
  return { images, labels };
}

/** The same data as tensors: images [n,1,28,28] float32 in [0,1], labels [n] int32. */
export function syntheticSplit(n: number, seed: number): { images: Tensor; labels: Tensor } {
  const { images, labels } = syntheticBytes(n, seed);
  return {
    images: tensor(Float32Array.from(images, (v) => v / 255), { shape: [n, 1, 28, 28] }),
    labels: tensor(Int32Array.from(labels), { shape: [n], dtype: "int32" }),
  };
}
