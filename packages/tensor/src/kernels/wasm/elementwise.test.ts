import { afterEach, describe, expect, it } from "vitest";
import { dropout, getBackend, isWasmAvailable, linear, Rng, setBackend, tensor, type Tensor } from "../../index.js";
import { SIMD_MIN_ELEMENTS } from "./elementwise.js";

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

describe.skipIf(!isWasmAvailable())("add, sub, mul and div on the SIMD kernels", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));
  const kinds = ["add", "sub", "mul", "div"] as const;

  it("give the plain loop's results bit for bit on same-shape operands, specials included", () => {
    for (const n of [SIMD_MIN_ELEMENTS, SIMD_MIN_ELEMENTS + 3, 2 * SIMD_MIN_ELEMENTS + 1]) {
      // the second operand's specials are shifted so that every special meets every other
      const a = tensor(values(n, n));
      const b = tensor(Float32Array.from(values(n, n + 1)).map((v, i) => (i < 81 ? SPECIAL[Math.floor(i / 9)] : v)));
      const a81 = Float32Array.from(a.dataSync()).map((v, i) => (i < 81 ? SPECIAL[i % 9] : v));
      const x = tensor(a81);
      for (const kind of kinds) {
        const [js, wasm] = onBothBackends(() => x[kind](b));
        expect(wasm, kind).toEqual(js);
      }
    }
  });

  it("give the plain loop's results with a row repeated along the leading dims (a bias)", () => {
    const rows = SIMD_MIN_ELEMENTS / 64;
    const a = tensor(values(rows * 2 * 64, 3), { shape: [rows, 2, 64] });
    const bias = tensor(values(64, 4));
    const plane = tensor(values(128, 5), { shape: [1, 2, 64] });
    for (const kind of kinds) {
      for (const b of [bias, plane]) {
        const [js, wasm] = onBothBackends(() => a[kind](b));
        expect(wasm, `${kind} ${b.shape}`).toEqual(js);
      }
    }
    // rows of a width that is not a whole number of lanes, and a row on the left, take the plain loop
    const odd = tensor(values(SIMD_MIN_ELEMENTS * 3, 6), { shape: [SIMD_MIN_ELEMENTS, 3] });
    const [js, wasm] = onBothBackends(() => odd.sub(tensor([1, 2, 3])));
    expect(wasm).toEqual(js);
    const [jsLeft, wasmLeft] = onBothBackends(() => bias.sub(a));
    expect(wasmLeft).toEqual(jsLeft);
  });

  it("read offset views and accumulate gradients as the plain loop does", () => {
    const base = tensor(values(2 * SIMD_MIN_ELEMENTS + 8, 7));
    const view = base.slice(0, 8, SIMD_MIN_ELEMENTS + 8);
    const other = tensor(values(SIMD_MIN_ELEMENTS, 8));
    const [js, wasm] = onBothBackends(() => view.div(other));
    expect(wasm).toEqual(js);
    // x used twice: the engine adds the two incoming gradients
    const [gJs, gWasm] = onBothBackends(() => {
      const leaf = other.detach();
      leaf.requiresGrad = true;
      leaf.mul(view).add(leaf.mul(base.slice(0, 0, SIMD_MIN_ELEMENTS))).sum().backward();
      return leaf.grad!;
    });
    expect(gWasm).toEqual(gJs);
  });

  it("leave a float64 or integer operand on the plain loop", () => {
    const a = tensor(values(SIMD_MIN_ELEMENTS, 9));
    const b = tensor(Array.from({ length: SIMD_MIN_ELEMENTS }, (_, i) => i % 7), { dtype: "int32" });
    const [js, wasm] = onBothBackends(() => a.add(b));
    expect(wasm).toEqual(js);
    expect(a.add(b).dtype).toBe("float32");
    expect(a.to("float64").add(b).dtype).toBe("float64");
  });
});

describe.skipIf(!isWasmAvailable())("dropout on the SIMD kernel", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));

  it("draws the same mask and gives the same output and gradient as the plain loop", () => {
    for (const p of [0.3, 0.5, 0.999, 1e-9]) {
      for (const n of [SIMD_MIN_ELEMENTS, SIMD_MIN_ELEMENTS + 5]) {
        const x = tensor(values(n, n));
        const g = tensor(values(n, n + 1));
        const run = () => {
          const leaf = x.detach();
          leaf.requiresGrad = true;
          const y = dropout(leaf, p, true, { rng: new Rng(11) });
          y.mul(g).sum().backward();
          return [y, leaf.grad!] as const;
        };
        setBackend("js");
        const [yJs, gJs] = run();
        setBackend("wasm");
        const [yWasm, gWasm] = run();
        const bits = (t: Tensor) => Array.from(new Int32Array(Float32Array.from(t.dataSync()).buffer));
        expect(bits(yWasm), `p=${p} n=${n}`).toEqual(bits(yJs));
        expect(bits(gWasm), `p=${p} n=${n}`).toEqual(bits(gJs));
      }
    }
  });

  it("keeps the generator's stream: the next draw is the same after either path", () => {
    const x = tensor(values(SIMD_MIN_ELEMENTS + 1, 1));
    const next = () => {
      const rng = new Rng(5);
      dropout(x, 0.4, true, { rng });
      return rng.nextUint32();
    };
    setBackend("js");
    const js = next();
    setBackend("wasm");
    expect(next()).toBe(js);
  });

  it("drops everything at p = 1 (NaN where x is infinite or NaN, as x·0)", () => {
    const x = tensor(values(SIMD_MIN_ELEMENTS, 2));
    const [js, wasm] = onBothBackends(() => dropout(x, 1, true));
    expect(wasm).toEqual(js);
  });
});

describe.skipIf(!isWasmAvailable())("linear's bias on the SIMD kernel", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));

  it("adds the bias as the plain loop does, also from a strided bias", () => {
    const x = tensor(values(64 * 96, 1), { shape: [64, 96] });
    const w = tensor(values(128 * 96, 2), { shape: [128, 96] });
    const b = tensor(values(256, 3)).slice(0, 0, 128);
    const strided = tensor(values(256, 3), { shape: [128, 2] }).slice(1, 0, 1).squeeze(1);
    for (const bias of [b, strided]) {
      setBackend("wasm");
      const wasm = linear(x, w, bias);
      // the reference: the same product plus the bias in the plain loop
      const expected = new Float32Array(linear(x, w).dataSync());
      setBackend("js");
      const bd = bias.dataSync();
      for (let i = 0; i < expected.length; i++) expected[i] += bd[i % 128];
      expect(Array.from(wasm.dataSync())).toEqual(Array.from(expected));
    }
  });
});

describe.skipIf(!isWasmAvailable())("sums over leading dims on the SIMD kernel", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));

  it("add the rows in float64 in order, as the plain loop does", () => {
    const x = tensor(values(SIMD_MIN_ELEMENTS * 2, 12), { shape: [SIMD_MIN_ELEMENTS / 32, 64] });
    for (const f of [() => x.sum(0), () => x.reshape([SIMD_MIN_ELEMENTS / 64, 2, 64]).sum([0, 1]), () => x.sum(0, true)]) {
      const [js, wasm] = onBothBackends(f);
      expect(wasm).toEqual(js);
    }
    // a bias gradient: linear's backward sums the incoming gradient over the batch
    const [gJs, gWasm] = onBothBackends(() => {
      const b = tensor(values(64, 13));
      b.requiresGrad = true;
      x.add(b).mul(x).sum().backward();
      return b.grad!;
    });
    expect(gWasm).toEqual(gJs);
  });

  it("keep float64 partial sums: 1e8 and 127 ones give 100000128, not float32's 1e8", () => {
    const rows = 128;
    const data = new Float32Array(rows * 64).fill(1);
    data.fill(1e8, 0, 64);
    const s = tensor(data, { shape: [rows, 64] }).sum(0).dataSync();
    expect(Array.from(s)).toEqual(Array(64).fill(100000128));
  });
});
