// A batch of gemms with the same sizes in one call, for convolutions: a shared operand is packed
// once, per-item operands are written by the caller straight into module memory, and every
// item's tiles go to the thread pool as one job. The single-gemm driver is gemm.ts.

import { MR, NR } from "./gemm-code.js";
import {
  type F32Matrix,
  type Layout,
  THREAD_MIN_FLOPS,
  copyIn,
  getNumThreads,
  runJob,
  threadPool,
  tileShape,
} from "./gemm.js";
import { CONTROL_BYTES, type Runtime, align64, getRuntime } from "./runtime.js";

/**
 * Writes item `item`'s operand densely at view[at …] (rows·cols floats, either axis contiguous)
 * and returns its layout; view[scratch …] holds the batch's `scratch` floats of working space.
 * It may run the module's helper kernels but must not grow memory or start a gemm.
 */
export type ItemFill = (view: Float32Array, at: number, item: number, scratch: number) => Layout;

/** An operand of a batched gemm: one matrix shared by every item, or one written per item. */
export type BatchOperand = { shared: F32Matrix } | { fill: ItemFill };

/** Reads item `item`'s m×n product at view[at …], row stride `ld`, out of module memory. */
export type ItemTake = (view: Float32Array, at: number, ld: number, item: number) => void;

/** A batch of `batch` products A_i·B_i, each A_i m×k and B_i k×n. */
export interface BatchGemm {
  batch: number;
  m: number;
  n: number;
  k: number;
  a: BatchOperand;
  b: BatchOperand;
  /** `take` receives each item's product; `sum` gets Σ_i A_i·B_i as a contiguous m×n array. */
  out: { take: ItemTake } | { sum: Float32Array };
  /** Floats of working space the fills share (default 0). */
  scratch?: number;
}

/** Rows-first layout of a dense rows×cols block (element (i, j) at i·cols + j). */
export function rowMajor(cols: number): Layout {
  return { ld: cols, columnMajor: false };
}

/** Columns-first layout of a dense rows×cols block (element (i, j) at j·rows + i). */
export function columnMajor(rows: number): Layout {
  return { ld: rows, columnMajor: true };
}

/**
 * Computes every product of a batch on the wasm gemm, like one wasmGemm call per item but with a
 * shared operand packed once and the items spread over the threads. Each element is the float32
 * sum of its k products in order; with `sum`, the items are then added in order i = 0, 1, …, so
 * results do not depend on the thread count. Throws if isWasmAvailable() is false.
 */
export function wasmGemmBatch(spec: BatchGemm, threads = getNumThreads()): void {
  const runtime = getRuntime();
  if (runtime === null) throw new Error("wasmGemmBatch: WebAssembly SIMD is not available in this runtime");
  runBatch(runtime, spec, threads);
}

/** wasmGemmBatch on an explicit runtime (tests use it to compare variants). */
export function runBatch(runtime: Runtime, spec: BatchGemm, threads: number): void {
  const { batch, m, n, k, a, b, out, scratch = 0 } = spec;
  const reduce = "sum" in out;
  if (reduce) out.sum.fill(0, 0, m * n);
  if (batch === 0 || m === 0 || n === 0 || k === 0) {
    if (!reduce && k === 0) for (let i = 0; i < batch; i++) zeroTake(runtime, spec, out.take, i);
    return;
  }
  const mPad = Math.ceil(m / MR) * MR;
  const nPad = Math.ceil(n / NR) * NR;
  // 1. lay out [control | scratch | staged A | staged B | packed A (per item) | packed B (per item) | C]
  const aStep = "shared" in a ? 0 : align64(4 * mPad * k);
  const bStep = "shared" in b ? 0 : align64(4 * nPad * k);
  const cStep = reduce ? 0 : align64(4 * mPad * nPad);
  const work = CONTROL_BYTES / 4;
  const aStage = CONTROL_BYTES + align64(4 * scratch);
  const bStage = aStage + align64(4 * m * k);
  const aPack = bStage + align64(4 * k * n);
  const bPack = aPack + Math.max(aStep * batch, align64(4 * mPad * k));
  const cAt = bPack + Math.max(bStep * batch, align64(4 * nPad * k));
  const view = runtime.reserve(cAt + Math.max(cStep * batch, 4 * mPad * nPad), "wasmGemmBatch");
  // 2. write and pack the operands: shared ones once, the others item by item
  const packA = runtime.fn("pack_a_copy");
  const packAT = runtime.fn("pack_a_transpose");
  const packB = runtime.fn("pack_b_copy");
  const packBT = runtime.fn("pack_b_transpose");
  for (let i = 0; i < batch; i++) {
    if (i === 0 || aStep !== 0) {
      const layout = "shared" in a ? copyIn(view, aStage / 4, a.shared, m, k) : a.fill(view, aStage / 4, i, work);
      (layout.columnMajor ? packA : packAT)(aPack + i * aStep, aStage, layout.ld, k, m);
    }
    if (i === 0 || bStep !== 0) {
      const layout = "shared" in b ? copyIn(view, bStage / 4, b.shared, k, n) : b.fill(view, bStage / 4, i, work);
      (layout.columnMajor ? packBT : packB)(bPack + i * bStep, bStage, layout.ld, k, n);
    }
  }
  // 3. compute every item's tiles, on the pool when the batch is worth it
  const pool = 2 * batch * m * n * k >= THREAD_MIN_FLOPS ? threadPool(runtime, threads) : undefined;
  const shape = tileShape(mPad, nPad, pool?.size ?? 1, reduce ? 1 : batch);
  const job = { aPack, bPack, c: cAt, ldc: nPad, k, mPad, nPad, ...shape, batch, aStep, bStep, cStep, reduce: reduce ? 1 : 0 };
  runJob(runtime, job, pool);
  // 4. hand out the results
  if (!reduce) {
    for (let i = 0; i < batch; i++) out.take(view, (cAt + i * cStep) / 4, nPad, i);
    return;
  }
  for (let i = 0; i < m; i++) out.sum.set(view.subarray(cAt / 4 + i * nPad, cAt / 4 + i * nPad + n), i * n);
}

/** Hands item i an all-zero m×n product (k = 0). */
function zeroTake(runtime: Runtime, { m, n }: BatchGemm, take: ItemTake, i: number): void {
  const view = runtime.reserve(CONTROL_BYTES + 4 * m * n, "wasmGemmBatch");
  view.fill(0, CONTROL_BYTES / 4, CONTROL_BYTES / 4 + m * n);
  take(view, CONTROL_BYTES / 4, n, i);
}
