import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../rng.js";
import { type F32Matrix, getNumThreads, runGemm, setNumThreads, threadPool, wasmGemm } from "./gemm.js";
import { type WorkerHost, wasmApi } from "./platform.js";
import { ThreadPool } from "./threads.js";
import { type Layout, absProductSums, layOut, referenceGemm } from "./reference.js";
import { Runtime, buildModule, isWasmAvailable, wasmInfo } from "./runtime.js";

const available = isWasmAvailable();

/** A runtime for one module variant, or null where this runtime cannot validate it. */
function makeRuntime(relaxed: boolean, shared: boolean): Runtime | null {
  const api = wasmApi();
  if (api === undefined) return null;
  const bytes = buildModule({ relaxed, shared });
  return api.validate(bytes) ? new Runtime(new api.Module(bytes), { relaxed, shared }) : null;
}

interface Problem {
  m: number;
  n: number;
  k: number;
  a: F32Matrix;
  b: F32Matrix;
}

function problem(rng: Rng, m: number, n: number, k: number, aLayout: Layout, bLayout: Layout): Problem {
  const a = layOut(m, k, aLayout, () => 2 * rng.uniform() - 1);
  const b = layOut(k, n, bLayout, () => 2 * rng.uniform() - 1);
  return { m, n, k, a, b };
}

/** Runs the wasm gemm into the middle of a NaN-filled buffer and returns the m×n result. */
function run(rt: Runtime, p: Problem, threads = 1, callerJoins = true): Float32Array {
  const c = new Float32Array(p.m * p.n + 10).fill(NaN);
  runGemm(rt, { ...p, c, cOffset: 5, ldc: p.n, accumulate: false }, threads, callerJoins);
  expect(Number.isNaN(c[4]) && Number.isNaN(c[p.m * p.n + 5])).toBe(true);
  return c.subarray(5, 5 + p.m * p.n);
}

// sizes 1, odd sizes, primes, MR/NR edges and depths that cross the KC = 256 panel boundary
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [5, 1, 9], [4, 8, 1], [3, 5, 7], [13, 17, 19], [8, 16, 4],
  [31, 29, 37], [64, 64, 64], [2, 97, 257], [67, 9, 300], [41, 53, 513],
  // one-row products (gemv): block tails in n, depths with a k mod 4 tail, and both across KC
  [1, 33, 2], [1, 17, 5], [1, 40, 300], [1, 16, 4], [1, 129, 258], [1, 3, 513],
];
// the three transposition forms (A·B, Aᵀ·B, A·Bᵀ), then non-contiguous views
const LAYOUTS: [Layout, Layout][] = [
  ["row", "row"], ["column", "row"], ["row", "column"], ["column", "column"],
  ["row-padded", "column-padded"], ["column-padded", "row-padded"], ["strided", "strided"],
  ["broadcast-rows", "strided"],
];

describe.skipIf(!available)("wasm gemm without FMA", () => {
  let rt: Runtime;
  beforeAll(() => {
    rt = makeRuntime(false, false)!;
  });

  it.each(LAYOUTS)("equals the float32 reference loop exactly for A %s, B %s", (aLayout, bLayout) => {
    const rng = new Rng(1);
    for (const [m, n, k] of SHAPES) {
      const p = problem(rng, m, n, k, aLayout, bLayout);
      expect(Array.from(run(rt, p)), `${m}x${k} · ${k}x${n}`).toEqual(Array.from(referenceGemm(m, n, k, p.a, p.b)));
    }
  });

  it("keeps its memory at the high-water mark over repeated calls", () => {
    const rng = new Rng(2);
    const big = problem(rng, 70, 90, 110, "row", "column");
    run(rt, big);
    const bytes = rt.byteLength;
    for (let i = 0; i < 20; i++) run(rt, i % 2 === 0 ? big : problem(rng, 30, 40, 50, "column", "row"));
    expect(rt.byteLength).toBe(bytes);
  });
});

describe.skipIf(makeRuntime(true, false) === null)("wasm gemm with relaxed-SIMD FMA", () => {
  it.each(LAYOUTS)("matches the reference within float32 rounding for A %s, B %s", (aLayout, bLayout) => {
    const rt = makeRuntime(true, false)!;
    const rng = new Rng(3);
    for (const [m, n, k] of SHAPES) {
      const p = problem(rng, m, n, k, aLayout, bLayout);
      const got = run(rt, p);
      const want = referenceGemm(m, n, k, p.a, p.b);
      const scale = absProductSums(m, n, k, p.a, p.b);
      for (let i = 0; i < m * n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(2 * k * 2 ** -24 * scale[i]);
    }
  });
});

describe.skipIf(!available)("one-row products (gemv)", () => {
  for (const relaxed of [false, true]) {
    it.skipIf(makeRuntime(relaxed, false) === null)(`equal that row of a larger product bit for bit (relaxed SIMD ${relaxed})`, () => {
      const rt = makeRuntime(relaxed, false)!;
      const rng = new Rng(5);
      for (const [n, k] of [[256, 784], [10, 128], [33, 7], [1, 3]]) {
        for (const bLayout of ["row", "column"] as const) {
          const p = problem(rng, 5, n, k, "row", bLayout);
          const all = run(rt, p);
          for (const i of [0, 3]) {
            const row: F32Matrix = { ...p.a, offset: p.a.offset + i * p.a.rowStride };
            expect(Array.from(run(rt, { ...p, m: 1, a: row })), `row ${i}, ${k}x${n} ${bLayout}`).toEqual(Array.from(all.subarray(i * n, (i + 1) * n)));
          }
        }
      }
    });
  }
});

describe.skipIf(!available || !wasmInfo().threads)("wasm gemm on worker threads", () => {
  let rt: Runtime;
  beforeAll(() => {
    rt = makeRuntime(false, true)!;
  });

  // [m, n, k]: the second and the last two run as one row of tiles that pack their own columns of
  // B (n not a whole number of tiles, k across a KC panel); four others are large enough to be
  // packed on the pool, in pieces of KC panels that end mid-strip and mid-panel (k = 263, 600, 520)
  it("gives bitwise the same result on 1, 2 and 3 threads", () => {
    const rng = new Rng(4);
    for (const [m, n, k, aLayout, bLayout] of [
      [160, 144, 200, "row", "row"], [97, 211, 131, "column", "row"], [128, 131, 263, "row", "column"],
      [150, 170, 600, "column", "column"], [61, 300, 520, "row", "row"], [33, 257, 300, "strided", "column-padded"],
      [130, 7, 700, "column-padded", "strided"], [40, 300, 100, "row", "column"], [64, 130, 260, "strided", "row-padded"],
    ] as const) {
      const p = problem(rng, m, n, k, aLayout, bLayout);
      const want = Array.from(referenceGemm(m, n, k, p.a, p.b));
      expect(Array.from(run(rt, p, 1))).toEqual(want);
      expect(Array.from(run(rt, p, 2))).toEqual(want);
      expect(Array.from(run(rt, p, 3))).toEqual(want);
    }
  });

  it("has the workers compute every tile and pack every piece when the caller only waits", () => {
    // packed on the pool, and packed by the units themselves (one row of tiles)
    for (const [m, n, k] of [[150, 170, 290], [64, 130, 260]]) {
      const p = problem(new Rng(5), m, n, k, "row", "column");
      const want = Array.from(referenceGemm(m, n, k, p.a, p.b));
      for (const threads of [2, 3]) {
        expect(Array.from(run(rt, p, threads, false))).toEqual(want);
        const before = threadPool(rt, threads)!.tilesPerThread();
        expect(Array.from(run(rt, p, threads, false))).toEqual(want);
        const after = threadPool(rt, threads)!.tilesPerThread();
        expect(after[0]).toBe(before[0]);
        expect(after.slice(1).reduce((x, y) => x + y)).toBeGreaterThan(before.slice(1).reduce((x, y) => x + y));
      }
    }
  });
});

describe.skipIf(!available)("a thread pool whose workers cannot start", () => {
  it("runs every unit on the calling thread, whether starting throws or fails later", () => {
    const rt = makeRuntime(false, true) ?? makeRuntime(false, false)!;
    const hosts: WorkerHost[] = [
      { canBlock: true, spawn: () => { throw new Error("workers refused"); } },
      { canBlock: false, spawn: (_body, _data, onError) => { onError(); return { terminate: () => {} }; } },
    ];
    for (const host of hosts) {
      const pool = new ThreadPool(rt, host);
      expect(() => pool.resize(3)).not.toThrow();
      expect(pool.size).toBe(1);
      expect(pool.started).toBe(true);
      // 64 units of a packing job (of an empty A, k = 1), all taken by the caller
      const before = pool.tilesPerThread()[0];
      pool.runUnits({ kernel: "pack_unit", units: 64, fields: [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 64, 1, 1, 1] }, false);
      expect(pool.tilesPerThread()[0] - before).toBe(64);
    }
  });
});

describe.skipIf(!available)("wasmGemm", () => {
  it("computes A·B with the default thread count", () => {
    const p = problem(new Rng(6), 130, 150, 120, "row", "column");
    const c = new Float32Array(130 * 150);
    wasmGemm(p.m, p.n, p.k, p.a, p.b, c, 0);
    const want = referenceGemm(p.m, p.n, p.k, p.a, p.b);
    const scale = absProductSums(p.m, p.n, p.k, p.a, p.b);
    for (let i = 0; i < c.length; i++) expect(Math.abs(c[i] - want[i])).toBeLessThanOrEqual(2 * p.k * 2 ** -24 * scale[i]);
  });

  it("writes into rows of a wider C, or adds to it (also a one-row product)", () => {
    for (const m of [3, 1]) {
      const p = problem(new Rng(7), m, 5, 6, "row", "column");
      const want = new Float32Array(5 * m);
      wasmGemm(m, 5, 6, p.a, p.b, want, 0);
      const c = new Float32Array(2 + m * 8).fill(1.5);
      wasmGemm(m, 5, 6, p.a, p.b, c, 2, { ldc: 8 });
      const added = c.slice();
      wasmGemm(m, 5, 6, p.a, p.b, added, 2, { ldc: 8, accumulate: true });
      for (let i = 0; i < m; i++) {
        expect(Array.from(c.subarray(2 + 8 * i, 7 + 8 * i))).toEqual(Array.from(want.subarray(5 * i, 5 * i + 5)));
        expect(Array.from(c.subarray(7 + 8 * i, 10 + 8 * i))).toEqual([1.5, 1.5, 1.5]);
        const twice = Array.from(want.subarray(5 * i, 5 * i + 5), (x) => 2 * x);
        expect(Array.from(added.subarray(2 + 8 * i, 7 + 8 * i))).toEqual(twice);
      }
      expect(c[0]).toBe(1.5);
    }
  });

  it("writes zeros for k = 0 and nothing for m = 0", () => {
    const empty = { data: new Float32Array(0), offset: 0, rowStride: 0, colStride: 1 };
    const c = new Float32Array([7, 7, 7, 7, 7, 7, 7]);
    wasmGemm(2, 3, 0, empty, empty, c, 1);
    expect(Array.from(c)).toEqual([7, 0, 0, 0, 0, 0, 0]);
    wasmGemm(0, 3, 4, empty, empty, c, 0);
    expect(c[0]).toBe(7);
  });

  it("takes a thread count and rejects a bad one", () => {
    const before = getNumThreads();
    expect(before).toBeGreaterThanOrEqual(1);
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
    setNumThreads(before);
    expect(() => setNumThreads(0)).toThrow("setNumThreads: expected a positive integer, got 0");
    expect(() => setNumThreads(1.5)).toThrow(RangeError);
  });
});
