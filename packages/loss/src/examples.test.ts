// The README's example, as written there, with its comments as expectations.

import { expect, it } from "vitest";
import { tensor } from "@tg/tensor";
import { binaryCrossEntropyWithLogits, crossEntropyLoss, mseLoss } from "./index.js";

it("runs the README example", () => {
  const logits = tensor([[2, 0.5, -1], [0, 3, 0.2]], { requiresGrad: true });
  const loss = crossEntropyLoss(logits, [0, 1]);
  expect(loss.item().toFixed(4)).toBe("0.1731");
  loss.backward();
  expect(logits.grad?.shape).toEqual([2, 3]);
  expect(crossEntropyLoss(logits, [0, 1], { labelSmoothing: 0.1 }).item().toFixed(4)).toBe("0.3448");
  const rows = crossEntropyLoss(logits, [0, -100], { reduction: "none" }).dataSync();
  expect(rows[0].toFixed(4)).toBe("0.2413");
  expect(rows[1]).toBe(0);
  expect(mseLoss(tensor([1, 2]), tensor([1, 4])).item()).toBe(2);
  expect(binaryCrossEntropyWithLogits(tensor([100, -100]), tensor([0, 1])).item()).toBe(100);
});
