// The examples of this package's README and of the root README, run as written.
import { describe, expect, it } from "vitest";
import {
  getBackend,
  getNumThreads,
  gradcheck,
  isWasmAvailable,
  manualSeed,
  noGrad,
  setBackend,
  setNumThreads,
  Tensor,
  tensor,
  wasmInfo,
} from "./index.js";

describe("README examples", () => {
  it("runs the package example", () => {
    manualSeed(0);
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum(1);
    expect(y.toArray()).toEqual([5, 25]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([[2, 4], [6, 8]]);
    expect(x.transpose(0, 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(Tensor.zeros([2, 3]).add(tensor([1, 2, 3])).toString()).toBe(
      "tensor([[1., 2., 3.],\n        [1., 2., 3.]])",
    );
  });

  it("runs the gradcheck example", () => {
    expect(gradcheck((a, b) => a.mul(b).add(a.exp()).sum(), [[2, 3], [3]]).ok).toBe(true);
  });

  it("runs the root README's autograd example", () => {
    const x = tensor([[1, 2], [3, 4]]);
    const w = tensor([[1], [-0.6]], { requiresGrad: true });
    const loss = x.matmul(w).relu().sum();
    loss.backward();
    expect(w.grad?.toArray()).toEqual([[3], [4]]);
    noGrad(() => w.copy_(w.sub(w.grad!.mul(0.1))));
    expect(w.toArray()).toEqual([[Math.fround(0.7)], [-1]]);
  });

  it("runs the Speed example and restores the settings", () => {
    const backend = getBackend();
    const threads = getNumThreads();
    try {
      expect(getBackend()).toBe(isWasmAvailable() ? "wasm" : "js");
      setNumThreads(1);
      expect(getNumThreads()).toBe(1);
      setBackend("js");
      expect(getBackend()).toBe("js");
      expect(Object.keys(wasmInfo()).sort()).toEqual(["available", "memoryBytes", "relaxedSimd", "threads"]);
    } finally {
      setBackend(backend);
      setNumThreads(threads);
    }
  });
});
