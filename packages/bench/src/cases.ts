// The benchmark's inputs: the matmul shapes of issue 5 and the files every system reads them
// from, so that tg, TF.js and Python multiply exactly the same numbers.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One matmul: C[m×n] = A·B with A stored as [k×m] when transA, B stored as [n×k] when transB. */
export interface MatmulCase {
  id: string;
  label: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** The case this one is a backward (transposed) form of, compared against it. */
  forwardOf?: string;
}

/** The shapes issue 5 lists: square sizes, the MLP's forward shapes and its backward forms. */
export const MATMUL_CASES: readonly MatmulCase[] = [
  { id: "sq128", label: "128³", m: 128, n: 128, k: 128, transA: false, transB: false },
  { id: "sq512", label: "512³", m: 512, n: 512, k: 512, transA: false, transB: false },
  { id: "sq1024", label: "1024³", m: 1024, n: 1024, k: 1024, transA: false, transB: false },
  { id: "fc1", label: "[64×784]·[784×256]", m: 64, n: 256, k: 784, transA: false, transB: false },
  { id: "fc2", label: "[64×256]·[256×128]", m: 64, n: 128, k: 256, transA: false, transB: false },
  { id: "fc1-at", label: "[784×64]·[64×256] (Aᵀ: Xᵀ·G)", m: 784, n: 256, k: 64, transA: true, transB: false, forwardOf: "fc1" },
  { id: "fc1-bt", label: "[64×256]·[256×784] (Bᵀ: G·Wᵀ)", m: 64, n: 784, k: 256, transA: false, transB: true, forwardOf: "fc1" },
];

/** Flops of one multiplication. */
export function flops(c: MatmulCase): number {
  return 2 * c.m * c.n * c.k;
}

/** Deterministic values in [-1, 1) (mulberry32), the same in every process. */
function values(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Writes each case's stored A and B as raw little-endian float32 files into `dir`. */
export function writeInputs(dir: string): void {
  MATMUL_CASES.forEach((c, i) => {
    writeFileSync(join(dir, `${c.id}-a.f32`), values(c.m * c.k, 2 * i + 1));
    writeFileSync(join(dir, `${c.id}-b.f32`), values(c.k * c.n, 2 * i + 2));
  });
}

/** Reads a case's stored operands written by writeInputs. */
export function readInputs(dir: string, c: MatmulCase): { a: Float32Array; b: Float32Array } {
  const read = (name: string) => {
    const bytes = readFileSync(join(dir, `${c.id}-${name}.f32`));
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  return { a: read("a"), b: read("b") };
}
