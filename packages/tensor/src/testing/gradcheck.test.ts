import { describe, expect, it } from "vitest";
import { defineOp, Tensor, tensor, TensorError } from "../index.js";
import { gradcheck } from "./index.js";

// x³ with a deliberately wrong backward: 2x² instead of 3x²
const wrongCube = defineOp<undefined>({
  name: "wrongCube",
  check: () => undefined,
  forward: ([x]) => new Tensor(x).pow(3).storage,
  backward: (g, [x]) => [g.mul(x).mul(x).mul(2)],
});
const cube = (x: Tensor) => wrongCube([x], undefined);

describe("gradcheck", () => {
  it("passes correct gradients and says so", () => {
    const report = gradcheck((a, b) => a.mul(b).add(a.exp()), [[2, 3], [3]]);
    expect(report.ok).toBe(true);
    expect(report.message).toMatch(/^gradcheck: gradients match/);
    expect(report.worst?.error).toBeLessThan(1e-6);
  });

  it("catches a wrong backward defined with defineOp, naming input and element", () => {
    const x = tensor(
      [
        [0.5, 1],
        [-1, 2],
      ],
      { requiresGrad: true },
    );
    expect(() => gradcheck(cube, [x], { name: "wrongCube" })).toThrow(TensorError);
    const report = gradcheck(cube, [x], { raise: false, name: "wrongCube" });
    expect(report.ok).toBe(false);
    // the worst element is x = 2: analytic 2·4 = 8 against numeric 3·4 = 12 (times its weight)
    expect(report.worst).toMatchObject({ input: 0, index: 3, position: [1, 1] });
    expect(report.worst!.analytic / report.worst!.numeric).toBeCloseTo(2 / 3, 6);
    expect(report.message).toMatch(
      /^wrongCube: gradients differ at input 0 \[2,2\], element \[1,1\]: analytic -?[\d.]+, numeric -?[\d.]+$/,
    );
  });

  it("names the input that is wrong among several", () => {
    const report = gradcheck((a, b) => a.add(cube(b)), [[3], [2, 3]], { raise: false });
    expect(report.ok).toBe(false);
    expect(report.worst?.input).toBe(1);
    expect(report.message).toContain("input 1 [2,3], element [");
  });

  it("catches a gradient that is NaN", () => {
    const nanGrad = defineOp<undefined>({
      name: "nanGrad",
      check: () => undefined,
      forward: ([x]) => x,
      backward: (g) => [g.mul(NaN)],
    });
    const report = gradcheck((x) => nanGrad([x], undefined), [[2]], { raise: false });
    expect(report.ok).toBe(false);
    expect(report.worst?.analytic).toBeNaN();
  });

  it("checks only float tensors that require grad, and passes int32 tensors through", () => {
    const fixed = tensor([1, 2]);
    const index = tensor([1, 0], { dtype: "int32" });
    const report = gradcheck((x, c, i) => x.mul(c).add(i), [[2], fixed, index]);
    expect(report.ok).toBe(true);
    expect(report.worst?.input).toBe(0);
    expect(gradcheck((c) => c.mul(2), [fixed]).message).toBe(
      "gradcheck: no input requires grad, nothing was checked",
    );
  });

  it("computes in float64 even for float32 inputs", () => {
    const x = tensor([0.3, 0.7], { requiresGrad: true });
    let seen = "";
    gradcheck((a) => ((seen = a.dtype), a.sigmoid()), [x]);
    expect(seen).toBe("float64");
  });

  it("treats an output with no graph as zero gradients, and so catches a cut graph", () => {
    const constant = tensor([1, 2], { dtype: "float64" });
    expect(gradcheck(() => constant.mul(2), [[3]]).ok).toBe(true);
    expect(gradcheck((x) => x.detach().mul(2), [[3]], { raise: false }).ok).toBe(false);
  });

  it("draws inputs from domain, reproducibly from seed", () => {
    const seen: number[][] = [];
    const record = (x: Tensor) => (seen.push(Array.from(x.dataSync())), x.log());
    gradcheck(record, [[4]], { domain: [0.1, 2], seed: 3 });
    for (const v of seen[0]) expect(v >= 0.1 && v <= 2).toBe(true);
    const first = seen[0];
    seen.length = 0;
    gradcheck(record, [[4]], { domain: [0.1, 2], seed: 3 });
    expect(seen[0]).toEqual(first);
  });

  it("respects atol and rtol", () => {
    // a backward that is off by 0.1%: inside rtol 1e-2, outside atol 1e-9 with rtol 0
    const offBy = defineOp<undefined>({
      name: "offBy",
      check: () => undefined,
      forward: ([x]) => new Tensor(x).mul(2).storage,
      backward: (g) => [g.mul(2.002)],
    });
    const f = (x: Tensor) => offBy([x], undefined);
    expect(gradcheck(f, [[3]], { rtol: 1e-2 }).ok).toBe(true);
    expect(gradcheck(f, [[3]], { rtol: 0, atol: 1e-9, raise: false }).ok).toBe(false);
  });

  it("rejects bad shapes and functions that return no tensor", () => {
    expect(() => gradcheck((x) => x, [[1.5]])).toThrow(
      "gradcheck: shape [1.5] must hold non-negative integers, got 1.5",
    );
    expect(() => gradcheck((() => 3) as never, [[1]])).toThrow(
      "gradcheck: the function must return a tensor, got number",
    );
  });
});
