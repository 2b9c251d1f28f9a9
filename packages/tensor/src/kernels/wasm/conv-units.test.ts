import { describe, expect, it } from "vitest";
import { Rng } from "../../rng.js";
import { type UnitConv, unitConvForward, unitConvReluMaxPool2x2, unitConvWeightGrad } from "./conv-units.js";
import { getNumThreads, setNumThreads } from "./gemm.js";
import { isWasmAvailable } from "./runtime.js";

/** [n, c, h, w, o, kh, kw, ph, pw] */
type Case = [number, number, number, number, number, number, number, number, number];

const CASES: Case[] = [
  [1, 1, 1, 1, 1, 1, 1, 0, 0],
  [3, 1, 28, 28, 8, 3, 3, 1, 1],
  [2, 3, 5, 3, 5, 3, 3, 1, 1], // ow < 4: scalar tails only
  [4, 7, 9, 11, 13, 5, 5, 2, 2],
  [2, 5, 6, 7, 3, 2, 3, 0, 1], // uneven kernel and padding
  [1, 40, 4, 4, 6, 3, 3, 1, 1], // c·kh·kw = 360 spans two packed panels
];

function geometry([n, c, h, w, o, kh, kw, ph, pw]: Case): UnitConv {
  return { n, c, h, w, o, kh, kw, ph, pw, oh: h + 2 * ph - kh + 1, ow: w + 2 * pw - kw + 1 };
}

function random(size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: size }, () => 2 * rng.uniform() - 1);
}

/** x at (img, ci, y, xx) with zero padding outside. */
function at(x: Float32Array, g: UnitConv, img: number, ci: number, y: number, xx: number): number {
  return y < 0 || y >= g.h || xx < 0 || xx >= g.w ? 0 : x[((img * g.c + ci) * g.h + y) * g.w + xx];
}

/** The float64 forward (with bias) and weight gradient, by direct loops. */
function reference(x: Float32Array, wd: Float32Array, bias: Float32Array, gd: Float32Array, g: UnitConv): [Float64Array, Float64Array] {
  const out = new Float64Array(g.n * g.o * g.oh * g.ow);
  const dw = new Float64Array(wd.length);
  for (let img = 0, q = 0; img < g.n; img++) {
    for (let oc = 0; oc < g.o; oc++) {
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++, q++) {
          let s = bias[oc];
          for (let ci = 0, r = oc * g.c * g.kh * g.kw; ci < g.c; ci++) {
            for (let i = 0; i < g.kh; i++) {
              for (let j = 0; j < g.kw; j++, r++) {
                const v = at(x, g, img, ci, oy + i - g.ph, ox + j - g.pw);
                s += wd[r] * v;
                dw[r] += gd[q] * v;
              }
            }
          }
          out[q] = s;
        }
      }
    }
  }
  return [out, dw];
}

function maxError(got: Float32Array, want: Float64Array): number {
  let scale = 1e-30;
  let err = 0;
  want.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(v));
    err = Math.max(err, Math.abs(got[i] - v));
  });
  return err / scale;
}

describe.skipIf(!isWasmAvailable())("whole-image conv units", () => {
  it.each(CASES)("match float64 loops: n %i, c %i, %ix%i, o %i, kernel %ix%i, padding %i,%i", (...c) => {
    const g = geometry(c);
    const rng = new Rng(31);
    const x = random(g.n * g.c * g.h * g.w, rng);
    const wd = random(g.o * g.c * g.kh * g.kw, rng);
    const bias = random(g.o, rng);
    const gd = random(g.n * g.o * g.oh * g.ow, rng);
    const [out, dw] = reference(x, wd, bias, gd, g);
    const got = new Float32Array(out.length);
    expect(unitConvForward(x, wd, bias, g, got)).toBe(true);
    expect(maxError(got, out)).toBeLessThan(1e-5);
    const gotDw = new Float32Array(dw.length);
    expect(unitConvWeightGrad(gd, x, g, gotDw)).toBe(true);
    expect(maxError(gotDw, dw)).toBeLessThan(1e-5);
  });

  it("adds no bias when given none", () => {
    const g = geometry([2, 2, 5, 5, 3, 3, 3, 1, 1]);
    const rng = new Rng(32);
    const x = random(g.n * g.c * g.h * g.w, rng);
    const wd = random(g.o * g.c * 9, rng);
    const [out] = reference(x, wd, new Float32Array(g.o), new Float32Array(g.n * g.o * 25), g);
    const got = new Float32Array(out.length);
    unitConvForward(x, wd, null, g, got);
    expect(maxError(got, out)).toBeLessThan(1e-5);
  });

  it("gives bitwise the same results on 1, 2 and 3 threads", () => {
    const g = geometry([13, 16, 15, 15, 13, 3, 3, 1, 1]); // above the flops at which threads start
    const rng = new Rng(33);
    const x = random(g.n * g.c * g.h * g.w, rng);
    const wd = random(g.o * g.c * 9, rng);
    const bias = random(g.o, rng);
    const gd = random(g.n * g.o * g.oh * g.ow, rng);
    const before = getNumThreads();
    try {
      const results = [1, 2, 3].map((threads) => {
        setNumThreads(threads);
        const out = new Float32Array(gd.length);
        const dw = new Float32Array(wd.length);
        expect(unitConvForward(x, wd, bias, g, out)).toBe(true);
        expect(unitConvWeightGrad(gd, x, g, dw)).toBe(true);
        return [Array.from(out), Array.from(dw)];
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    } finally {
      setNumThreads(before);
    }
  });

  it.each([1, 2])("pool relu's output in 2x2 windows in memory on %i thread(s), as relu then max-pool would", (threads) => {
    // 67x65 outputs: the last row and column fall outside every window; large enough for the units
    // and the pooling to run on the threads
    const g = geometry([8, 2, 67, 65, 8, 3, 3, 1, 1]);
    const rng = new Rng(34);
    const x = random(g.n * g.c * g.h * g.w, rng);
    const wd = random(g.o * g.c * 9, rng);
    const bias = random(g.o, rng);
    const before = getNumThreads();
    setNumThreads(threads);
    try {
      const conv = new Float32Array(g.n * g.o * g.oh * g.ow);
      expect(unitConvForward(x, wd, bias, g, conv, true)).toBe(true);
      expect(conv.every((v) => v >= 0)).toBe(true);
      const [ph, pw] = [Math.floor(g.oh / 2), Math.floor(g.ow / 2)];
      const pooled = new Float32Array(g.n * g.o * ph * pw);
      const winners = new Int32Array(pooled.length);
      expect(unitConvReluMaxPool2x2(x, wd, bias, g, pooled, winners)).toBe(true);
      for (let plane = 0, q = 0; plane < g.n * g.o; plane++) {
        for (let py = 0; py < ph; py++) {
          for (let px = 0; px < pw; px++, q++) {
            // the first maximum of the window in row-major order wins
            let best = -1;
            for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
              const at = plane * g.oh * g.ow + (2 * py + dy) * g.ow + 2 * px + dx;
              if (best < 0 || conv[at] > conv[best]) best = at;
            }
            expect([winners[q], pooled[q]]).toEqual([best, conv[best]]);
          }
        }
      }
    } finally {
      setNumThreads(before);
    }
  });
});
