// Language-model data: TokenWindowDataset (next-token windows over a token array, with a seeded
// random batch sampler) and splitTokens (a train/validation split). Tokenizers are in tokenizer.ts.

import { getGlobalRng, tensor, type Rng, type Tensor } from "@tg/tensor";
import type { BatchedDataset } from "./dataset.js";

/**
 * The windows of `blockSize` tokens over a token array, for next-token prediction: item i is
 * `[x, y]` with x = tokens[i, i + blockSize) and y = tokens[i + 1, i + blockSize + 1), both int32
 * [blockSize]. `sample(batchSize, rng)` draws a batch of windows at random starts (nanoGPT's
 * `get_batch`), reproducible by the generator's seed.
 * @example
 * const ds = new TokenWindowDataset(tokenizer.encode(text), 128);
 * const [x, y] = ds.sample(32, new Rng(0)); // x, y: int32 [32, 128]
 */
export class TokenWindowDataset implements BatchedDataset<Tensor[], Tensor[]> {
  /** The tokens (a copy of those given). */
  readonly tokens: Int32Array;
  /** The number of tokens of each window (the context length). */
  readonly blockSize: number;
  /** The number of windows: tokens.length − blockSize. */
  readonly length: number;

  /**
   * Makes the dataset over a copy of the tokens.
   * @param tokens The token ids, int32 integers (copied); there must be more than `blockSize`.
   * @param blockSize The window length, a positive integer (nanoGPT's `block_size`).
   */
  constructor(tokens: ArrayLike<number>, blockSize: number) {
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      throw new RangeError(`TokenWindowDataset: blockSize must be a positive integer, got ${String(blockSize)}`);
    }
    if (tokens === null || typeof tokens !== "object" || typeof tokens.length !== "number") {
      throw new TypeError("TokenWindowDataset: tokens must be an array of integers");
    }
    if (tokens.length <= blockSize) {
      throw new RangeError(
        `TokenWindowDataset: ${tokens.length} tokens hold no window of blockSize ${blockSize} plus its target (need at least ${blockSize + 1})`,
      );
    }
    this.tokens = Int32Array.from(tokens);
    for (let i = 0; i < this.tokens.length; i++) {
      if (this.tokens[i] !== tokens[i]) {
        throw new RangeError(`TokenWindowDataset: token ${i} is ${tokens[i]}, not an int32 integer`);
      }
    }
    this.blockSize = blockSize;
    this.length = this.tokens.length - blockSize;
  }

  /** The window starting at `index`: `[x, y]`, int32 [blockSize] each. */
  get(index: number): Tensor[] {
    const [x, y] = this.getBatch([index]);
    return [x.reshape([this.blockSize]), y.reshape([this.blockSize])];
  }

  /** The windows starting at `indices`, stacked: `[x, y]`, int32 [indices.length, blockSize]. */
  getBatch(indices: readonly number[]): Tensor[] {
    const t = this.blockSize;
    const x = new Int32Array(indices.length * t);
    const y = new Int32Array(indices.length * t);
    indices.forEach((start, b) => {
      if (!Number.isInteger(start) || start < 0 || start >= this.length) {
        throw new RangeError(`TokenWindowDataset: index ${start} is out of range for ${this.length} windows`);
      }
      x.set(this.tokens.subarray(start, start + t), b * t);
      y.set(this.tokens.subarray(start + 1, start + t + 1), b * t);
    });
    const shape = [indices.length, t];
    return [tensor(x, { shape, dtype: "int32" }), tensor(y, { shape, dtype: "int32" })];
  }

  /** The starts of `batchSize` windows drawn uniformly with replacement from `rng` (else the global one). */
  sampleIndices(batchSize: number, rng: Rng = getGlobalRng()): number[] {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`TokenWindowDataset: batchSize must be a positive integer, got ${String(batchSize)}`);
    }
    return Array.from({ length: batchSize }, () => rng.int(this.length));
  }

  /** A batch of `batchSize` random windows: `[x, y]`, int32 [batchSize, blockSize]. */
  sample(batchSize: number, rng: Rng = getGlobalRng()): Tensor[] {
    return this.getBatch(this.sampleIndices(batchSize, rng));
  }
}

/** The two parts of a token split. */
export interface TokenSplit {
  /** The first tokens, for training. */
  train: Int32Array;
  /** The remaining tokens, for validation. */
  val: Int32Array;
}

/**
 * Splits a token array into a training part (the first `1 − valFraction`) and a validation part
 * (the rest), without shuffling, so the split is the same on every run and no window of one part
 * overlaps the other. `valFraction` defaults to 0.1, as nanoGPT's character example.
 */
export function splitTokens(tokens: ArrayLike<number>, valFraction = 0.1): TokenSplit {
  if (typeof valFraction !== "number" || !(valFraction > 0 && valFraction < 1)) {
    throw new RangeError(`splitTokens: valFraction must be in (0, 1), got ${String(valFraction)}`);
  }
  const all = Int32Array.from(tokens);
  const cut = Math.round(all.length * (1 - valFraction));
  if (cut === 0 || cut === all.length) {
    throw new RangeError(`splitTokens: ${all.length} tokens are too few to split with valFraction ${valFraction}`);
  }
  return { train: all.slice(0, cut), val: all.slice(cut) };
}
