import { afterEach, describe, expect, it } from "vitest";
import { setBackend } from "./backend.js";
import { maxPool2d } from "../ops/conv.js";
import { Rng } from "../rng.js";
import { Tensor } from "../tensor.js";
import { isWasmAvailable } from "./wasm/runtime.js";

/** Values and gradient of a 2×2 max-pool of x on one backend. */
function pool(x: Tensor, backend: "js" | "wasm"): [number[], number[]] {
  setBackend(backend);
  const leaf = x.detach();
  leaf.requiresGrad = true;
  const out = maxPool2d(leaf, 2);
  out.mul(Tensor.arange(0, out.size, 1, { dtype: "float32" }).reshape(out.shape)).sum().backward();
  return [Array.from(out.storage.data), Array.from(leaf.grad!.storage.data)];
}

describe.skipIf(!isWasmAvailable())("maxPool2d 2x2 on the wasm kernels", () => {
  afterEach(() => setBackend("wasm"));

  // the last shape is large enough to run on the threads
  it("picks the same winners as the scalar loop, with ties, NaN, -Infinity and odd sizes", () => {
    const rng = new Rng(31);
    for (const shape of [[2, 3, 8, 8], [1, 2, 7, 13], [3, 1, 28, 28], [1, 1, 2, 2], [2, 2, 5, 3], [4, 9, 91, 90]]) {
      const size = shape.reduce((a, b) => a * b);
      const data = new Float32Array(size).map(() => {
        const u = rng.uniform();
        if (u < 0.05) return NaN;
        if (u < 0.1) return -Infinity;
        return Math.floor(u * 6); // few distinct values: many ties
      });
      const x = Tensor.zeros(shape, { dtype: "float32" });
      x.storage.data.set(data);
      const [jsOut, jsGrad] = pool(x, "js");
      const [wasmOut, wasmGrad] = pool(x, "wasm");
      expect(wasmOut).toEqual(jsOut);
      expect(wasmGrad).toEqual(jsGrad);
    }
  });
});
