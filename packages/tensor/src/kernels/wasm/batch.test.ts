import { describe, expect, it } from "vitest";
import { Rng } from "../../rng.js";
import { type BatchGemm, type ItemFill, runBatch } from "./batch.js";
import { type F32Matrix, copyIn } from "./gemm.js";
import { wasmApi } from "./platform.js";
import { type Layout, layOut, referenceGemm } from "./reference.js";
import { Runtime, buildModule, isWasmAvailable, wasmInfo } from "./runtime.js";

/** A runtime without FMA, so that results equal the float32 reference loop exactly. */
function plainRuntime(shared: boolean): Runtime {
  const api = wasmApi()!;
  const options = { relaxed: false, shared };
  return new Runtime(new api.Module(buildModule(options)), options);
}

/** Item i of a batch laid side by side: columns [i·cols, (i+1)·cols) of a wider matrix. */
function item(x: F32Matrix, i: number, cols: number): F32Matrix {
  return { ...x, offset: x.offset + i * cols * x.colStride };
}

function fillFrom(x: F32Matrix, rows: number, cols: number, split: "rows" | "cols"): ItemFill {
  return (view, at, i) =>
    copyIn(view, at, split === "cols" ? item(x, i, cols) : { ...x, offset: x.offset + i * rows * x.rowStride }, rows, cols);
}

interface Case {
  batch: number;
  m: number;
  n: number;
  k: number;
  aLayout: Layout;
  bLayout: Layout;
}

const CASES: Case[] = [
  { batch: 1, m: 1, n: 1, k: 1, aLayout: "row", bLayout: "row" },
  { batch: 3, m: 5, n: 7, k: 3, aLayout: "column", bLayout: "row" },
  { batch: 7, m: 13, n: 17, k: 19, aLayout: "row", bLayout: "column" },
  { batch: 4, m: 33, n: 29, k: 300, aLayout: "strided", bLayout: "row-padded" },
  { batch: 9, m: 64, n: 98, k: 37, aLayout: "row", bLayout: "row" },
];

describe.skipIf(!isWasmAvailable())("wasmGemmBatch", () => {
  const rt = plainRuntime(false);

  it.each(CASES)("equals one reference gemm per item, with A shared or per item: %o", (c) => {
    const rng = new Rng(11);
    const value = (): number => 2 * rng.uniform() - 1;
    const a = layOut(c.m, c.batch * c.k, c.aLayout, value); // item i: columns i·k …
    const b = layOut(c.batch * c.k, c.n, c.bLayout, value); // item i: rows i·k …
    for (const sharedA of [true, false]) {
      const got: Float32Array[] = [];
      const spec: BatchGemm = {
        batch: c.batch,
        m: c.m,
        n: c.n,
        k: c.k,
        a: sharedA ? { shared: a } : { fill: fillFrom(a, c.m, c.k, "cols") },
        b: { fill: fillFrom(b, c.k, c.n, "rows") },
        out: {
          take: (view, at, ld, i) => {
            const r = new Float32Array(c.m * c.n);
            for (let row = 0; row < c.m; row++) r.set(view.subarray(at + row * ld, at + row * ld + c.n), row * c.n);
            got[i] = r;
          },
        },
      };
      runBatch(rt, spec, 1);
      for (let i = 0; i < c.batch; i++) {
        const bi = { ...b, offset: b.offset + i * c.k * b.rowStride };
        const want = referenceGemm(c.m, c.n, c.k, sharedA ? a : item(a, i, c.k), bi);
        expect(Array.from(got[i]), `item ${i}`).toEqual(Array.from(want));
      }
    }
  });

  it.each(CASES)("sums the items in order, as one gemm over the joined depth: %o", (c) => {
    const rng = new Rng(12);
    const value = (): number => 2 * rng.uniform() - 1;
    const a = layOut(c.m, c.batch * c.k, c.aLayout, value);
    const b = layOut(c.batch * c.k, c.n, c.bLayout, value);
    const sum = new Float32Array(c.m * c.n + 1).fill(NaN);
    const spec: BatchGemm = {
      batch: c.batch,
      m: c.m,
      n: c.n,
      k: c.k,
      a: { fill: fillFrom(a, c.m, c.k, "cols") },
      b: { fill: fillFrom(b, c.k, c.n, "rows") },
      out: { sum },
    };
    runBatch(rt, spec, 1);
    expect(Array.from(sum.subarray(0, c.m * c.n))).toEqual(Array.from(referenceGemm(c.m, c.n, c.batch * c.k, a, b)));
    expect(sum[c.m * c.n]).toBeNaN();
  });

  it("hands out zeros for k = 0 and sums to zeros for an empty batch", () => {
    const none = { data: new Float32Array(0), offset: 0, rowStride: 0, colStride: 1 };
    const taken: number[][] = [];
    const take = (view: Float32Array, at: number, ld: number): void => {
      taken.push(Array.from(view.subarray(at, at + 2 * ld)).filter((_, j) => j % ld < 3));
    };
    runBatch(rt, { batch: 2, m: 2, n: 3, k: 0, a: { shared: none }, b: { shared: none }, out: { take } }, 1);
    expect(taken).toEqual([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]);
    const sum = new Float32Array([5, 5]);
    runBatch(rt, { batch: 0, m: 1, n: 2, k: 4, a: { shared: none }, b: { shared: none }, out: { sum } }, 1);
    expect(Array.from(sum)).toEqual([0, 0]);
  });
});

describe.skipIf(!isWasmAvailable() || !wasmInfo().threads)("wasmGemmBatch on worker threads", () => {
  const rt = plainRuntime(true);

  it("gives bitwise the same products and sums on 1, 2 and 3 threads", () => {
    const rng = new Rng(13);
    const value = (): number => 2 * rng.uniform() - 1;
    const [batch, m, n, k] = [16, 64, 200, 72];
    const a = layOut(m, k, "row", value);
    const b = layOut(batch * k, n, "row", value);
    const results = [1, 2, 3].map((threads) => {
      const items = new Float32Array(batch * m * n);
      const sum = new Float32Array(m * k);
      const bFill = fillFrom(b, k, n, "rows");
      const take = (view: Float32Array, at: number, ld: number, i: number): void => {
        for (let row = 0; row < m; row++) items.set(view.subarray(at + row * ld, at + row * ld + n), (i * m + row) * n);
      };
      runBatch(rt, { batch, m, n, k, a: { shared: a }, b: { fill: bFill }, out: { take } }, threads);
      // Σ_i (A·B_i)·B_iᵀ-shaped: m×k products of the items' n-deep slices, summed over the items
      const bt = { ...b, rowStride: 1, colStride: n };
      const btFill: ItemFill = (view, at, i) => copyIn(view, at, { ...bt, offset: i * k * n }, n, k);
      const itemsA: ItemFill = (view, at, i) => copyIn(view, at, { data: items, offset: i * m * n, rowStride: n, colStride: 1 }, m, n);
      runBatch(rt, { batch, m, n: k, k: n, a: { fill: itemsA }, b: { fill: btFill }, out: { sum } }, threads);
      return [Array.from(items), Array.from(sum)];
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});
