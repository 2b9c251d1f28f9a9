import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Tensor, tensor } from "@tg/tensor";
import { ReLU } from "./activation.js";
import { Conv2D, MaxPool2D } from "./conv.js";
import { gradcheckModule } from "./gradcheck-module.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { Flatten } from "./reshape.js";
import { Sequential } from "./sequential.js";

/**
 * Loads `model`'s state into `twin` (the same layers), runs `model` on x and `twin` module by
 * module (nothing fused), and expects the same output and the same gradients for the first
 * convolution of each (`conv`, `twinConv`).
 */
function expectModuleByModule(model: Sequential, conv: Conv2D, twin: Sequential, twinConv: Conv2D, x: Tensor): void {
  twin.loadStateDict(model.stateDict());
  const y = model.forward(x);
  let z = x;
  for (const m of twin) z = m.forward(z);
  expect(y.toArray()).toEqual(z.toArray());
  const g = Tensor.randn(y.shape);
  y.backward(g);
  z.backward(g);
  expect(conv.weight.grad!.toArray()).toEqual(twinConv.weight.grad!.toArray());
  expect(conv.bias!.grad!.toArray()).toEqual(twinConv.bias!.grad!.toArray());
}

describe("Sequential", () => {
  beforeEach(() => manualSeed(0));

  it("applies its modules in order", () => {
    const first = new Linear(2, 2);
    first.loadStateDict({ weight: tensor([[1, 0], [0, -1]]), bias: tensor([0, 0]) });
    const model = new Sequential(first, new ReLU());
    expect(model.forward(tensor([[3, 4]])).toArray()).toEqual([[3, 0]]);
    expect(new Sequential().forward(tensor([1])).toArray()).toEqual([1]);
  });

  it("indexes, counts and iterates its modules", () => {
    const relu = new ReLU();
    const model = new Sequential(new Flatten(), relu);
    expect(model.length).toBe(2);
    expect(model[1]).toBe(relu);
    expect([...model]).toEqual([model[0], relu]);
  });

  it("runs a Conv2D, a ReLU and a 2x2 MaxPool2D fused with the same values and gradients, and leaves a ReLU subclass alone", () => {
    const conv = new Conv2D(2, 4, 3, { padding: 1 });
    const model = new Sequential(conv, new ReLU(), new MaxPool2D(2), new Flatten());
    const x = Tensor.randn([3, 2, 6, 6]);
    const twinConv = new Conv2D(2, 4, 3, { padding: 1 });
    expectModuleByModule(model, conv, new Sequential(twinConv, new ReLU(), new MaxPool2D(2), new Flatten()), twinConv, x);
    // a ReLU subclass (which may do something else) is left alone
    class Capped extends ReLU {
      override forward(t: Tensor): Tensor {
        return t.relu().clamp(undefined, 0.1);
      }
    }
    const capped = new Sequential(conv, new Capped());
    expect(Math.max(...capped.forward(x).storage.data)).toBe(Math.fround(0.1));
  });

  it.each([
    ["a 2x2 MaxPool2D after them (all three fused)", () => new MaxPool2D(2)],
    ["a 3x3 MaxPool2D after them (conv and relu fused)", () => new MaxPool2D(3, { stride: 2 })],
  ])("runs a Conv2D, a ReLU and %s with the values and gradients of the modules one by one", (_, pool) => {
    const conv = new Conv2D(3, 5, 3, { padding: 1 });
    const model = new Sequential(conv, new ReLU(), pool(), new Conv2D(5, 4, 3), new ReLU(), new MaxPool2D(2), new Flatten());
    const twinConv = new Conv2D(3, 5, 3, { padding: 1 });
    const twin = new Sequential(twinConv, new ReLU(), pool(), new Conv2D(5, 4, 3), new ReLU(), new MaxPool2D(2), new Flatten());
    for (const shape of [[4, 3, 13, 12], [3, 13, 12]]) expectModuleByModule(model, conv, twin, twinConv, Tensor.randn(shape));
  });

  it("has correct gradients through every layer", () => {
    const model = new Sequential(new Linear(3, 4, { dtype: "float64" }), new ReLU(), new Linear(4, 2, { dtype: "float64" }));
    gradcheckModule(model, [[5, 3]]);
  });

  it("builds the same model twice from the same seed", () => {
    const build = (): Sequential => new Sequential(new Linear(784, 16), new ReLU(), new Linear(16, 10));
    manualSeed(42);
    const a = build();
    manualSeed(42);
    const b = build();
    for (const [name, t] of Object.entries(a.stateDict())) expect(b.stateDict()[name].toArray()).toEqual(t.toArray());
    const x = Tensor.randn([2, 784]);
    expect(a.forward(x).toArray()).toEqual(b.forward(x).toArray());
  });

  it("refuses an argument that is not a module", () => {
    // @ts-expect-error: a class, not an instance
    expect(() => new Sequential(new ReLU(), Linear)).toThrow(new RangeError("Sequential: argument 1 must be a Module, got function"));
    const notModule: unknown = { forward: (x: Tensor) => x };
    expect(() => new Sequential(notModule as Module)).toThrow("Sequential: argument 0 must be a Module, got Object");
  });
});
