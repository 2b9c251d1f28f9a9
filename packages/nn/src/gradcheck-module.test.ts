import { describe, expect, it } from "vitest";
import { defineOp, Tensor } from "@tg/tensor";
import { gradcheckModule } from "./gradcheck-module.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

// doubles its input but claims the gradient is 3: gradcheckModule must notice
const wrongDouble = defineOp<undefined>({
  name: "wrongDouble",
  check: () => undefined,
  forward: ([x]) => new Tensor(x).mul(2).storage,
  backward: (g) => [g.mul(3)],
});

class Scale extends Module {
  readonly w = Tensor.ones([3], { dtype: "float64", requiresGrad: true });
  constructor(private readonly broken: "input" | "parameter" | "none") {
    super();
  }
  forward(x: Tensor): Tensor {
    const input = this.broken === "input" ? wrongDouble([x], undefined) : x.mul(2);
    const weight = this.broken === "parameter" ? wrongDouble([this.w], undefined) : this.w.mul(2);
    return input.mul(weight);
  }
}

describe("gradcheckModule", () => {
  it("passes correct gradients", () => {
    expect(() => gradcheckModule(new Scale("none"), [[2, 3]])).not.toThrow();
  });
  it("catches a wrong input gradient", () => {
    expect(() => gradcheckModule(new Scale("input"), [[2, 3]])).toThrow(/gradients differ for input 0 \[2,3\], element 0/);
  });
  it("catches a wrong parameter gradient, naming the parameter", () => {
    expect(() => gradcheckModule(new Scale("parameter"), [[2, 3]])).toThrow(/gradients differ for parameter "w" \[3\]/);
  });
  it("needs float64 parameters and restores their gradients", () => {
    expect(() => gradcheckModule(new Linear(2, 2), [[1, 2]])).toThrow(
      'gradcheckModule: parameter "weight" is float32; build the module with dtype "float64"',
    );
    const layer = new Linear(2, 2, { dtype: "float64" });
    gradcheckModule(layer, [[1, 2]]);
    expect(layer.weight.grad).toBeNull();
  });
});
