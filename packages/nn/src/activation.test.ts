import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "@tg/tensor";
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "./activation.js";
import { gradcheckModule } from "./gradcheck-module.js";

const close = (actual: number[], expected: number[], digits = 6): void => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], digits));
};
const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe("activations", () => {
  const x = tensor([-2, -0.5, 0, 0.5, 3], { dtype: "float64" });

  it("ReLU, Sigmoid and Tanh compute their functions", () => {
    expect(new ReLU().forward(x).toArray()).toEqual([0, 0, 0, 0.5, 3]);
    close(values(new Sigmoid().forward(x)), [-2, -0.5, 0, 0.5, 3].map((v) => 1 / (1 + Math.exp(-v))), 12);
    close(values(new Tanh().forward(x)), [-2, -0.5, 0, 0.5, 3].map(Math.tanh), 12);
  });

  it("LeakyReLU scales negatives by the slope", () => {
    expect(new LeakyReLU().forward(x).toArray()).toEqual([-0.02, -0.005, 0, 0.5, 3]);
    expect(new LeakyReLU(0.2).forward(x).toArray()).toEqual([-0.4, -0.1, 0, 0.5, 3]);
  });

  it("LeakyReLU's gradient at 0 is the slope, as PyTorch", () => {
    const z = tensor([0, 1, -1], { requiresGrad: true });
    new LeakyReLU(0.1).forward(z).sum().backward();
    expect(values(z.grad ?? Tensor.zeros([3]))).toEqual([0.10000000149011612, 1, 0.10000000149011612]);
  });

  it("GELU is the exact erf form", () => {
    // x·Φ(x) with Φ the standard normal CDF: Φ(1) = 0.8413447460685429, Φ(3) = 0.9986501019683699
    const y = values(new GELU().forward(tensor([1, -1, 0, 3], { dtype: "float64" })));
    close(y, [0.8413447460685429, -(1 - 0.8413447460685429), 0, 3 * 0.9986501019683699], 14);
    expect(new GELU().forward(Tensor.zeros([2, 3])).dtype).toBe("float32");
  });

  it("Softmax and LogSoftmax take a dim (default the last)", () => {
    const logits = tensor([[1, 2, 3], [1, 1, 1]], { dtype: "float64" });
    const e = [1, 2, 3].map(Math.exp);
    const total = e[0] + e[1] + e[2];
    close(values(new Softmax().forward(logits)), [...e.map((v) => v / total), 1 / 3, 1 / 3, 1 / 3], 12);
    close(values(new LogSoftmax().forward(logits)), [...e.map((v) => Math.log(v / total)), ...new Array(3).fill(-Math.log(3))], 12);
    // over dim 0, column [2, 1] gives [e/(1+e), 1/(1+e)]
    const e1 = Math.E / (1 + Math.E);
    const e2 = Math.E ** 2 / (1 + Math.E ** 2);
    close(values(new Softmax(0).forward(logits)), [0.5, e1, e2, 0.5, 1 - e1, 1 - e2], 12);
  });

  it("Softmax and LogSoftmax default to the last dim for any rank, where PyTorch's deprecated implicit dim would not", () => {
    const x3 = tensor([[[1, 2]], [[3, 5]]], { dtype: "float64" }); // [2,1,2]: PyTorch's implicit dim is 0
    // from torch 1.13: F.softmax(x3, dim=-1) and F.log_softmax(x3, dim=-1)
    close(values(new Softmax().forward(x3)), [0.26894142136999516, 0.7310585786300049, 0.11920292202211755, 0.8807970779778823], 14);
    close(values(new LogSoftmax().forward(x3)), [-1.3132616875182228, -0.31326168751822286, -2.1269280110429727, -0.1269280110429726], 14);
  });

  it("have correct gradients", () => {
    const domain: [number, number] = [0.1, 2];
    gradcheckModule(new ReLU(), [tensor([[-1.5, 0.3], [2, -0.2]])]);
    gradcheckModule(new LeakyReLU(0.3), [tensor([[-1.5, 0.3], [2, -0.2]])]);
    gradcheckModule(new GELU(), [[3, 4]], { domain: [-3, 3] });
    gradcheckModule(new Sigmoid(), [[3, 4]]);
    gradcheckModule(new Tanh(), [[3, 4]]);
    gradcheckModule(new Softmax(0), [[3, 4]]);
    gradcheckModule(new LogSoftmax(), [[3, 4]], { domain });
  });

  it("refuse bad settings and dims", () => {
    expect(() => new LeakyReLU(NaN)).toThrow(new RangeError("LeakyReLU: negativeSlope must be a finite number, got NaN"));
    expect(() => new Softmax(0.5)).toThrow(new RangeError("Softmax: dim must be an integer, got 0.5"));
    expect(() => new LogSoftmax(2).forward(Tensor.zeros([2, 2]))).toThrow("LogSoftmax: dim 2 is out of range for input [2,2]");
  });
});
