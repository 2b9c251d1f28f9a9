// Text generation: feed the prompt, then repeatedly draw the next character from the softmax of
// the last position's logits (divided by the temperature, optionally cut to the top k), with a
// seeded generator so the same seed gives the same text.

import type { CharTokenizer } from "@tg/data";
import { noGrad, Rng, tensor } from "@tg/tensor";
import type { Gpt } from "./model.js";

/** Settings of `generate`. */
export interface GenerateOptions {
  prompt: string;
  /** Characters to generate after the prompt. */
  tokens: number;
  temperature: number;
  /** Sample among the k most likely characters only; null for all. */
  topK: number | null;
  seed: number;
}

/** The prompt's continuation (without the prompt), `tokens` characters long. */
export function generate(model: Gpt, tokenizer: CharTokenizer, opts: GenerateOptions): string {
  const { prompt, tokens, temperature, topK, seed } = opts;
  const rng = new Rng(seed);
  const ids = Array.from(tokenizer.encode(prompt));
  const start = ids.length;
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < tokens; i++) {
        const window = ids.slice(-model.config.context);
        const input = tensor(Int32Array.from(window), { shape: [1, window.length], dtype: "int32" });
        const logits = model.forward(input).slice(1, window.length - 1, window.length).dataSync();
        ids.push(drawToken(logits, temperature, topK, rng));
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return tokenizer.decode(ids.slice(start));
}

/**
 * One draw from softmax(logits / temperature), restricted to the `topK` largest logits (ties at
 * the k-th value all kept), using one uniform number of `rng`.
 */
export function drawToken(logits: ArrayLike<number>, temperature: number, topK: number | null, rng: Rng): number {
  const n = logits.length;
  let threshold = -Infinity;
  if (topK !== null && topK < n) {
    const sorted = Array.from(logits).sort((a, b) => b - a);
    threshold = sorted[topK - 1];
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] >= threshold && logits[i] > max) max = logits[i];
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (logits[i] < threshold) continue;
    weights[i] = Math.exp((logits[i] - max) / temperature);
    total += weights[i];
  }
  let u = rng.uniform() * total;
  for (let i = 0; i < n; i++) {
    if (weights[i] === 0) continue;
    u -= weights[i];
    if (u < 0) return i;
  }
  // rounding left u ≥ 0 after the last step: the last token with weight is the draw
  for (let i = n - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}
