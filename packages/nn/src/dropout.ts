// Dropout: zeroes random elements while training (inverted dropout from @tg/tensor).

import { dropout, Tensor, type Rng } from "@tg/tensor";
import { Module } from "./module.js";

/** Options of `Dropout`. */
export interface DropoutOptions {
  /** The generator the masks are drawn from (the global one by default). */
  rng?: Rng;
}

/**
 * In training mode, zeroes each element with probability `p` and scales the others by
 * 1 / (1 − p), so the expected value is unchanged; in eval mode, returns the input as is
 * (PyTorch's `nn.Dropout`).
 * @example
 * const drop = new Dropout(0.3);
 * drop.eval().forward(x); // x itself
 */
export class Dropout extends Module {
  /** The probability of zeroing an element while training. */
  readonly p: number;
  private readonly rng: Rng | undefined;

  /** Dropout with probability `p`; `rng` draws the masks (the global generator by default). */
  constructor(p = 0.5, { rng }: DropoutOptions = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`Dropout: p must be in [0, 1], got ${String(p)}`);
    }
    this.p = p;
    this.rng = rng;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, { rng: this.rng });
  }
}
