// Test fixture (not published): a separable quadratic over three parameters (0-d, [3] and [2,2])
// and float64 reference trajectories written from the published update rules, independently of
// the optimizers under test.

import { expect } from "vitest";
import { tensor, type DType, type Tensor } from "@tg/tensor";

/** f(x) = Σ 0.5·a·x² + b·x, so ∂f/∂x = a·x + b, element by element. */
export const A = [2, 0.5, 1.5, 3, 1, 0.25, 4, 0.8];
export const B = [-1, 0.3, 2, -0.5, 0.1, -2, 1.2, 0];
export const X0 = [1, -0.7, 0.4, 2.5, -1.3, 0.9, 0.05, -2];
const SHAPES: readonly (readonly number[])[] = [[], [3], [2, 2]];

/** The three parameters at X0, in `dtype`. */
export function makeParams(dtype: DType = "float64"): Tensor[] {
  let start = 0;
  return SHAPES.map((shape) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const values = X0.slice(start, (start += size));
    return tensor(values, { shape, dtype, requiresGrad: true });
  });
}

/** The loss of the fixture as a tensor expression (so the gradient comes from autograd). */
export function loss(params: readonly Tensor[]): Tensor {
  let start = 0;
  let total: Tensor | null = null;
  for (const p of params) {
    const a = tensor(A.slice(start, start + p.size), { shape: p.shape, dtype: p.dtype });
    const b = tensor(B.slice(start, start + p.size), { shape: p.shape, dtype: p.dtype });
    start += p.size;
    const term = p.mul(p).mul(a).mul(0.5).add(p.mul(b)).sum();
    total = total === null ? term : total.add(term);
  }
  if (total === null) throw new Error("loss: no parameters");
  return total;
}

/** All parameter values, flattened in order. */
export function flat(params: readonly Tensor[]): number[] {
  return params.flatMap((p) => Array.from(p.dataSync()));
}

/** Runs `steps` steps of backward + step and returns the flattened parameters after each. */
export function trajectory(
  opt: { step(): void; zeroGrad(): void },
  params: readonly Tensor[],
  steps: number,
): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    loss(params).backward();
    opt.step();
    out.push(flat(params));
  }
  return out;
}

/** The gradient of the fixture at `x`, in float64. */
export function gradAt(x: readonly number[]): number[] {
  return x.map((xi, i) => A[i] * xi + B[i]);
}

/** Expects |actual − expected| ≤ atol + rtol·|expected| everywhere, listing the offenders. */
export function expectClose(
  actual: number[][],
  expected: number[][],
  rtol: number,
  atol = rtol,
): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  actual.forEach((row, t) => {
    expect(row.length).toBe(expected[t].length);
    row.forEach((v, i) => {
      const e = expected[t][i];
      if (!(Math.abs(v - e) <= atol + rtol * Math.abs(e)))
        bad.push(`step ${t + 1} [${i}]: ${v} vs ${e}`);
    });
  });
  expect(bad).toEqual([]);
}

/** Tolerances: float64 runs agree to rounding; float32 runs to float32 precision. */
export const TOL = { float64: 1e-12, float32: 2e-6 } as const;
