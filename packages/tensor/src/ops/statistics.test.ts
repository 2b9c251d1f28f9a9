// logsumexp, var/std and cumsum against values PyTorch produced (torch 1.13, float64, rounded to
// 8 decimals). Gradients of every form are also gradchecked in gradcheck.test.ts.
import { describe, expect, it } from "vitest";
import { cumsum, logsumexp, std, tensor, Tensor, TensorError, variance } from "../index.js";

/** The 3×4 float64 input of every torch reference below. */
const input = (requiresGrad = false): Tensor =>
  tensor(
    [
      [0.5, -1.25, 2.0, 0.75],
      [1.5, 0.25, -0.5, -2.0],
      [3.0, -0.75, 1.0, 0.125],
    ],
    { dtype: "float64", requiresGrad },
  );
const f64 = (values: number[], shape?: number[]): Tensor => tensor(values, { dtype: "float64", shape });

/** Asserts `actual` holds `expected` (row-major) to 7 decimals; infinities must match exactly. */
function expectValues(actual: Tensor | null, expected: number[]): void {
  const values = Array.from(actual?.dataSync() ?? []);
  expect(values.length).toBe(expected.length);
  values.forEach((v, i) => (Number.isFinite(expected[i]) ? expect(v).toBeCloseTo(expected[i], 7) : expect(v).toBe(expected[i])));
}

describe("logsumexp", () => {
  it("matches torch over one dim, gradient included, and over several with keepdim", () => {
    const x = input(true);
    const out = logsumexp(x, 1);
    // torch 1.13
    expectValues(out, [2.43722806, 1.87296772, 3.19496559]);
    out.mul(f64([0.3, -0.2, 0.7])).sum().backward();
    expectValues(x.grad, [0.04323085, 0.0075124, 0.19374724, 0.05550951, -0.13773749, -0.03946245, -0.01864074, -0.00415931, 0.57600408, 0.01354632, 0.07795368, 0.03249593]);
    const all = input().logsumexp([0, -1], true);
    expect(all.shape).toEqual([1, 1]);
    expectValues(all, [3.74616194]);
  });

  it("gives -Infinity for a lane of -Infinity, Infinity with an Infinity, and stays finite at 1000, as torch", () => {
    const x = f64([-Infinity, -Infinity, Infinity, 1, 1000, 1000], [3, 2]);
    expectValues(x.logsumexp(-1), [-Infinity, Infinity, 1000.69314718]);
  });

  it("turns int32 into float32 and requires a dim", () => {
    expect(tensor([1, 2], { dtype: "int32" }).logsumexp(0).dtype).toBe("float32");
    // a JavaScript caller can leave dim out; the types cannot
    const withoutDim = logsumexp as (x: Tensor) => Tensor;
    expect(() => withoutDim(input())).toThrow("logsumexp: dim is required");
    expect(() => input().logsumexp(2)).toThrow("logsumexp: dim 2 is out of range");
  });
});

describe("var and std", () => {
  it("var divides by N - 1 by default, as torch, gradient included", () => {
    const x = input(true);
    const v = x.var(1);
    expectValues(v, [1.79166667, 2.140625, 2.57682292]);
    v.mul(f64([0.3, -0.2, 0.7])).sum().backward();
    expectValues(x.grad, [0.0, -0.35, 0.3, 0.05, -0.225, -0.05833333, 0.04166667, 0.24166667, 1.00625, -0.74375, 0.07291667, -0.33541667]);
    expectValues(variance(input()), [1.9757339]);
  });

  it("var takes correction and keepdim, as torch", () => {
    const v = input().var(0, { correction: 0, keepdim: true });
    expect(v.shape).toEqual([1, 4]);
    expectValues(v, [1.05555556, 0.38888889, 1.05555556, 1.38541667]);
  });

  it("std is the square root of var, as torch, gradient included", () => {
    const x = input(true);
    const s = std(x, 0);
    expectValues(s, [1.25830574, 0.76376262, 1.25830574, 1.44157032]);
    s.mul(f64([0.1, 0.2, 0.3, 0.4])).sum().backward();
    expectValues(x.grad, [-0.04635863, -0.08728716, 0.1390759, 0.15607979, -0.00662266, 0.10910895, -0.15894388, -0.22544859, 0.05298129, -0.02182179, 0.01986799, 0.0693688]);
  });

  it("divides by 0 when N <= correction, as torch, and refuses a negative correction", () => {
    expect(tensor([1.5]).var().item()).toBeNaN();
    expect(() => input().var(0, { correction: -1 })).toThrow("var: correction must be a non-negative number, got -1");
  });
});

describe("cumsum", () => {
  it("sums along a dim, the gradient summing from the end, as torch", () => {
    const x = input(true);
    const c = cumsum(x, 1);
    expectValues(c, [0.5, -0.75, 1.25, 2.0, 1.5, 1.75, 1.25, -0.75, 3.0, 2.25, 3.25, 3.375]);
    c.mul(Tensor.arange(12, undefined, undefined, { dtype: "float64" }).reshape([3, 4])).sum().backward();
    expectValues(x.grad, [6, 6, 5, 3, 22, 18, 13, 7, 38, 30, 21, 11]);
    expectValues(input().cumsum(-2), [0.5, -1.25, 2.0, 0.75, 2.0, -1.0, 1.5, -1.25, 5.0, -1.75, 2.5, -1.125]);
  });

  it("keeps int32 and throws when a running sum leaves its range", () => {
    const x = tensor([1, 2, 3], { dtype: "int32" });
    expect(x.cumsum(0).toArray()).toEqual([1, 3, 6]);
    expect(x.cumsum(0).dtype).toBe("int32");
    expect(() => tensor([2147483647, 1], { dtype: "int32" }).cumsum(0)).toThrow(TensorError);
    expect(input().transpose(0, 1).cumsum(1).transpose(0, 1).toArray()).toEqual(input().cumsum(0).toArray());
  });
});
