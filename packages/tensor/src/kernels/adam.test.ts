import { afterEach, describe, expect, it } from "vitest";
import { fusedAdamF32, fusedAdamState, getBackend, isWasmAvailable, Rng, setBackend, type FusedAdamConstants } from "../index.js";

const f = Math.fround;

/** PyTorch's float32 AdamW step, one float32 rounding per operation, in plain JavaScript. */
function reference(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: FusedAdamConstants): void {
  const [decay, c1, b2, c2, neg, bc2, eps] = [k.decay, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2, -k.stepSize, k.bc2Sqrt, k.eps].map(f);
  for (let i = 0; i < p.length; i++) {
    m[i] = f(m[i] + f(c1 * f(g[i] - m[i])));
    v[i] = f(f(b2 * v[i]) + f(f(c2 * g[i]) * g[i]));
    const denom = f(f(f(Math.sqrt(v[i])) / bc2) + eps);
    p[i] = f(f(p[i] * decay) + f(neg * f(m[i] / denom)));
  }
}

function arrays(n: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return [0, 1, 2, 3].map((which) =>
    Float32Array.from({ length: n }, () => (which === 3 ? rng.uniform() * 1e-3 : rng.normal())),
  );
}

const constants = (t: number): FusedAdamConstants => ({
  decay: 1 - 1e-3 * 1e-2,
  oneMinusBeta1: 1 - 0.9,
  beta2: 0.999,
  oneMinusBeta2: 1 - 0.999,
  stepSize: 1e-3 / (1 - 0.9 ** t),
  bc2Sqrt: Math.sqrt(1 - 0.999 ** t),
  eps: 1e-8,
});

describe.skipIf(!isWasmAvailable())("fusedAdamF32", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));

  it("updates θ, m and v exactly as float32 AdamW does, at lengths that leave partial SIMD lanes", () => {
    setBackend("wasm");
    for (const n of [1, 3, 4, 5, 1031, 70000]) {
      const got = arrays(n, n);
      const want = arrays(n, n).map((a) => a.slice());
      for (let t = 1; t <= 3; t++) {
        expect(fusedAdamF32(got[0], got[1], got[2], got[3], constants(t))).toBe(true);
        reference(want[0], want[1], want[2], want[3], constants(t));
      }
      expect(got[0]).toEqual(want[0]);
      expect(got[2]).toEqual(want[2]);
      expect(got[3]).toEqual(want[3]);
      expect(got[1]).toEqual(arrays(n, n)[1]); // the gradient is only read
    }
  });

  it("gives the same updates on buffers from fusedAdamState, which it reads in place", () => {
    setBackend("wasm");
    for (const n of [1, 6, 1031]) {
      const state = fusedAdamState(n);
      if (state === null) throw new Error("fusedAdamState: expected buffers on the wasm backend");
      expect(Array.from(state.expAvg).every((x) => x === 0) && state.expAvgSq.length === n).toBe(true);
      const [p, g, m, v] = arrays(n, 5);
      state.expAvg.set(m);
      state.expAvgSq.set(v);
      const want = [p.slice(), g, m.slice(), v.slice()];
      for (let t = 1; t <= 3; t++) {
        fusedAdamF32(p, g, state.expAvg, state.expAvgSq, constants(t));
        reference(want[0], want[1], want[2], want[3], constants(t));
      }
      expect(p).toEqual(want[0]);
      expect(state.expAvg).toEqual(want[2]);
      expect(state.expAvgSq).toEqual(want[3]);
    }
    // two parameters' buffers never overlap
    const a = fusedAdamState(8);
    const b = fusedAdamState(8);
    a?.expAvg.fill(1);
    expect(b?.expAvg.every((x) => x === 0)).toBe(true);
  });

  it("makes no buffers on the js backend, and refuses a bad length", () => {
    setBackend("js");
    expect(fusedAdamState(8)).toBeNull();
    expect(() => fusedAdamState(-1)).toThrow(new RangeError("fusedAdamState: expected a length, got -1"));
  });

  it("does nothing and returns false on the js backend", () => {
    setBackend("js");
    const [p, g, m, v] = arrays(8, 1);
    const before = p.slice();
    expect(fusedAdamF32(p, g, m, v, constants(1))).toBe(false);
    expect(p).toEqual(before);
  });

  it("refuses arrays of different lengths before touching any", () => {
    const [p, g, m] = arrays(4, 2);
    const before = p.slice();
    expect(() => fusedAdamF32(p, g, m, new Float32Array(3), constants(1))).toThrow(
      new RangeError("fusedAdamF32: arrays of lengths 4, 4, 4, 3 differ"),
    );
    expect(p).toEqual(before);
  });
});
