// A small seedable random generator (xoshiro128**, seeded by splitmix32), and the global one.
// Only 32-bit integer arithmetic, so the same seed gives the same numbers on every platform.

import { TensorError } from "./errors.js";

/**
 * A seedable pseudo-random generator: uniform, normal and integer draws.
 * @example
 * const rng = new Rng(0);
 * rng.uniform(); // in [0, 1)
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** A generator seeded with `seed`: the same seed gives the same sequence on every platform. */
  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isFinite(seed)) {
      throw new TensorError(`Rng: seed must be a finite number, got ${String(seed)}`);
    }
    // splitmix32 expands the seed into four non-zero state words
    let x = Math.trunc(seed) >>> 0;
    const hi = Math.trunc(seed / 2 ** 32) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x ^ hi;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform draw in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Fills `out` with the next 32-bit draws: the same numbers, in the same order, as calling
   * `nextUint32()` `out.length` times (dropout draws its mask this way, one draw per element).
   * @example
   * const bits = new Rng(0).fillUint32(new Uint32Array(4));
   */
  fillUint32(out: Uint32Array): Uint32Array {
    if (!(out instanceof Uint32Array)) throw new TensorError("Rng.fillUint32: expected a Uint32Array");
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0, n = out.length; i < n; i++) {
      // nextUint32, inlined
      const r = Math.imul(s1, 5);
      out[i] = Math.imul((r << 7) | (r >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return out;
  }

  /**
   * Fills `out` with uniform draws in [0, 1): the same numbers, in the same order, as calling
   * `uniform()` `out.length` times, made from blocks of `fillUint32` draws.
   * @example
   * const u = new Rng(0).fillUniform(new Float64Array(4));
   */
  fillUniform(out: Float64Array): Float64Array {
    if (!(out instanceof Float64Array)) {
      throw new TensorError("Rng.fillUniform: expected a Float64Array (float32 would round draws up to 1)");
    }
    // two 32-bit draws per number, as uniform() takes them: 27 high bits, then 26
    const bits = new Uint32Array(2 * Math.min(out.length, 4096));
    for (let start = 0; start < out.length; start += bits.length / 2) {
      const end = Math.min(out.length, start + bits.length / 2);
      this.fillUint32(bits.subarray(0, 2 * (end - start)));
      for (let i = start, b = 0; i < end; i++, b += 2) {
        out[i] = ((bits[b] >>> 5) * 67108864 + (bits[b + 1] >>> 6)) / 9007199254740992;
      }
    }
    return out;
  }

  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new TensorError(`Rng.int: n must be a positive integer, got ${n}`);
    }
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let globalRng = new Rng(0);

/** Seeds the global generator that creation functions, initialisers and dropout use by default. */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** The global generator (replaced by `manualSeed`). */
export function getGlobalRng(): Rng {
  return globalRng;
}
