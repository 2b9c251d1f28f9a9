import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Tensor } from "@tg/tensor";
import { LeakyReLU, ReLU } from "./activation.js";
import { Conv2D, MaxPool2D } from "./conv.js";
import { nextStep } from "./fusion.js";
import type { Module } from "./module.js";
import { Flatten } from "./reshape.js";

/** A ReLU subclass that does something else: never fused. */
class CappedReLU extends ReLU {
  override forward(t: Tensor): Tensor {
    return t.relu().clamp(undefined, 0.1);
  }
}

/** A Conv2D subclass: never fused. */
class MyConv2D extends Conv2D {}

/** The lengths of the steps the fusion pass makes of `modules`. */
function stepLengths(modules: Module[]): number[] {
  const lengths: number[] = [];
  for (let i = 0; i < modules.length; i += lengths[lengths.length - 1]) lengths.push(nextStep(modules, i).length);
  return lengths;
}

/**
 * Runs `modules` through the fusion pass's steps and, on copies of the same parameters, one by
 * one, and expects the same output and the same gradients for input, weight and bias.
 */
function expectSameAsOneByOne(build: () => Module[], xShape: number[]): void {
  const fused = build();
  const plain = build();
  plain.forEach((m, i) => m.loadStateDict(fused[i].stateDict()));
  const data = Tensor.randn(xShape);
  const x = data.clone();
  const x2 = data.clone();
  x.requiresGrad = true;
  x2.requiresGrad = true;
  let y = x;
  for (let i = 0; i < fused.length; ) {
    const step = nextStep(fused, i);
    y = step.run(y);
    i += step.length;
  }
  let z = x2;
  for (const m of plain) z = m.forward(z);
  expect(y.toArray()).toEqual(z.toArray());
  const g = Tensor.randn(y.shape);
  y.backward(g);
  z.backward(g);
  expect(x.grad!.toArray()).toEqual(x2.grad!.toArray());
  const conv = fused[0] as Conv2D;
  const twin = plain[0] as Conv2D;
  expect(conv.weight.grad!.toArray()).toEqual(twin.weight.grad!.toArray());
  expect(conv.bias!.grad!.toArray()).toEqual(twin.bias!.grad!.toArray());
}

describe("the fusion pass", () => {
  beforeEach(() => manualSeed(0));

  it("fuses a Conv2D, a ReLU and a 2x2 MaxPool2D into one step, a Conv2D and a ReLU into another", () => {
    const conv = () => new Conv2D(1, 1, 3);
    expect(stepLengths([conv(), new ReLU(), new MaxPool2D(2), new Flatten()])).toEqual([3, 1]);
    expect(stepLengths([conv(), new ReLU(), new MaxPool2D([2, 2], { stride: 2 })])).toEqual([3]);
    expect(stepLengths([conv(), new ReLU()])).toEqual([2]);
    expect(stepLengths([conv(), new ReLU(), new MaxPool2D(3, { stride: 2 })])).toEqual([2, 1]);
    expect(stepLengths([conv(), new ReLU(), new MaxPool2D(2, { padding: 1 })])).toEqual([2, 1]);
    expect(stepLengths([conv(), new ReLU(), new MaxPool2D(2, { stride: 1 })])).toEqual([2, 1]);
    expect(stepLengths([conv(), new ReLU(), conv(), new ReLU(), new MaxPool2D(2)])).toEqual([2, 3]);
  });

  it("leaves other classes, subclasses included, and other orders alone", () => {
    const conv = () => new Conv2D(1, 1, 3);
    expect(stepLengths([conv(), new CappedReLU(), new MaxPool2D(2)])).toEqual([1, 1, 1]);
    expect(stepLengths([new MyConv2D(1, 1, 3), new ReLU(), new MaxPool2D(2)])).toEqual([1, 1, 1]);
    expect(stepLengths([conv(), new LeakyReLU(), new MaxPool2D(2)])).toEqual([1, 1, 1]);
    expect(stepLengths([new ReLU(), conv(), new MaxPool2D(2), new ReLU()])).toEqual([1, 1, 1, 1]);
    expect(stepLengths([conv()])).toEqual([1]);
  });

  it.each([
    ["a Conv2D and a ReLU", () => [new Conv2D(2, 4, 3, { padding: 1 }), new ReLU()], [3, 2, 6, 5]],
    ["a Conv2D, a ReLU and a 2x2 MaxPool2D", () => [new Conv2D(2, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2D(2)], [3, 2, 7, 6]],
    ["an unbatched input", () => [new Conv2D(2, 4, 3, { stride: 2 }), new ReLU(), new MaxPool2D(2)], [2, 11, 10]],
  ])("gives %s the values and gradients of the modules one by one", (_, build, xShape) =>
    expectSameAsOneByOne(build, xShape));
});
