// The README's example, as written there, with its comments as expectations.

import { expect, it } from "vitest";
import { manualSeed, Tensor } from "@tg/tensor";
import { Flatten, Linear, ReLU, Sequential, loadSafetensors, saveSafetensors } from "./index.js";

it("runs the README example", () => {
  manualSeed(0);
  const build = () => new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
  const model = build();
  const x = Tensor.rand([2, 1, 28, 28]);
  expect(model.forward(x).shape).toEqual([2, 10]);
  expect(model.namedParameters().map(([name]) => name)).toEqual(["1.weight", "1.bias", "3.weight", "3.bias"]);
  expect(model.parameters().reduce((n, p) => n + p.size, 0)).toBe(101770);

  const copy = build();
  expect(copy.forward(x).sub(model.forward(x)).abs().max().item()).toBeGreaterThan(0);
  copy.loadStateDict(loadSafetensors(saveSafetensors(model)));
  expect(copy.forward(x).sub(model.forward(x)).abs().max().item()).toBe(0);
});
