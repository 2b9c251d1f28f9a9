import { afterEach, describe, expect, it } from "vitest";
import { getBackend, isWasmAvailable, Rng, setBackend, tensor, type Tensor } from "../index.js";
import { SIMD_MIN_ELEMENTS } from "./simd-elementwise.js";

const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 3e38, -3e38, 1e-45, -1e-45];

/** `n` float32 values: random signs and sizes, with every special value near the start. */
function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = Float32Array.from({ length: n }, () => rng.normal() * 10);
  out.set(SPECIAL.slice(0, n));
  return out;
}

/** Runs `f` on each backend and returns the two results' bits (so NaN and -0 compare exactly). */
function onBothBackends(f: () => Tensor): [Int32Array, Int32Array] {
  const bits = (t: Tensor) => new Int32Array(Float32Array.from(t.dataSync()).buffer);
  setBackend("js");
  const js = bits(f());
  setBackend("wasm");
  return [js, bits(f())];
}

describe.skipIf(!isWasmAvailable())("ReLU on the SIMD kernels", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));
  const sizes = [SIMD_MIN_ELEMENTS, SIMD_MIN_ELEMENTS + 3, 3 * SIMD_MIN_ELEMENTS + 1];

  it("gives the plain loop's results bit for bit, NaN, -0 and infinities included", () => {
    for (const n of sizes) {
      const x = tensor(values(n, n));
      const [js, wasm] = onBothBackends(() => x.relu());
      expect(wasm).toEqual(js);
    }
  });

  it("passes the gradient where x > 0 (and where x is NaN) exactly as the plain loop does", () => {
    for (const n of sizes) {
      const x = tensor(values(n, n + 1));
      const g = tensor(values(n, n + 2));
      const [js, wasm] = onBothBackends(() => {
        const leaf = x.detach();
        leaf.requiresGrad = true;
        leaf.relu().backward(g);
        return leaf.grad!;
      });
      expect(wasm).toEqual(js);
    }
  });

  it("reads offset views of a larger array", () => {
    const base = tensor(values(2 * SIMD_MIN_ELEMENTS + 2, 9));
    const [js, wasm] = onBothBackends(() => base.slice(0, 2, SIMD_MIN_ELEMENTS + 2).relu());
    expect(wasm).toEqual(js);
    expect(wasm.length).toBe(SIMD_MIN_ELEMENTS);
  });
});
