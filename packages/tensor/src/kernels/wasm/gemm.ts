// The wasm gemm driver: copies strided operands into module memory in their own layout (rows or
// columns, never transposed), packs them with the kernels of gemm-code.ts, runs the tiles on
// this thread or on the thread pool (threads.ts) and copies C out.

import type { F32Matrix } from "../accelerator.js";
import { GEMM_PACK_UNIT_FIELDS, GEMM_UNIT_FIELDS, GEMV_COLUMNS_BLOCK, GEMV_ROWS_BLOCK, KC, MR, NR } from "./gemm-code.js";
import { PACK_UNIT_FIELDS } from "./pack-code.js";
import { coreCount, delay, now, workerHost } from "./platform.js";
import { CONTROL_BYTES, type Runtime, align64, compileWasm, getRuntime } from "./runtime.js";
import { ThreadPool, runUnits } from "./threads.js";

export type { F32Matrix } from "../accelerator.js";

/**
 * Problems below this many flops (2·m·n·k) stay on the calling thread. NOTE: measured on 2 cores
 * with workers awake (threads.ts), a second thread took 64×128·128×64 (2²⁰ flops, ~40 µs) from
 * 3% slower to 8% faster, and 128³ (2²²) 15–33% faster; below 2²⁰ publishing and joining the
 * job costs more than the second thread saves.
 */
export const THREAD_MIN_FLOPS = 2 ** 20;

let threadCount: number | undefined;
const pools = new WeakMap<Runtime, ThreadPool>();

/** Sets how many threads (the caller included) share a large gemm; 1 turns threads off. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  threadCount = n;
}

/**
 * The number of threads a large gemm uses: as set by setNumThreads, by default the number of
 * cores. Where the runtime has no worker threads (a browser page that is not cross-origin
 * isolated) the kernels run on the calling thread regardless.
 */
export function getNumThreads(): number {
  threadCount ??= coreCount();
  return threadCount;
}

/** The pool for `threads` threads, or undefined when the runtime cannot run threads. */
export function threadPool(runtime: Runtime, threads: number): ThreadPool | undefined {
  if (threads <= 1 || !runtime.options.shared) return undefined;
  const host = workerHost();
  if (host === undefined) return undefined;
  let pool = pools.get(runtime);
  if (pool === undefined) {
    pool = new ThreadPool(runtime, host);
    pools.set(runtime, pool);
  }
  pool.resize(threads);
  return pool;
}

/**
 * Compiles the kernels asynchronously and starts their worker threads, resolving to whether the
 * kernels are available. Browsers need it (they refuse large synchronous compiles on a page's main
 * thread, and start workers only once the page's script yields: it waits up to `timeoutMs` for
 * them); Node needs no call to it.
 * @example
 * await initWasm(); // then wasmInfo().threads says whether products run on several threads
 */
export async function initWasm(timeoutMs = 2000): Promise<boolean> {
  if (!(await compileWasm())) return false;
  const runtime = getRuntime();
  const pool = runtime === null ? undefined : threadPool(runtime, getNumThreads());
  for (const until = now() + timeoutMs; pool !== undefined && !pool.started && now() < until; ) {
    await delay(5);
  }
  return true;
}

/** How copyIn laid a matrix out in module memory. */
export interface Layout {
  /** Leading dimension in elements. */
  ld: number;
  /** True when element (i, j) is at j·ld + i. */
  columnMajor: boolean;
}

/** Copies a rows x cols matrix to view[at …] densely, keeping whichever of its axes is contiguous. */
export function copyIn(view: Float32Array, at: number, x: F32Matrix, rows: number, cols: number): Layout {
  const { data, offset, rowStride, colStride } = x;
  if (cols === 1 || colStride === 1) {
    if (rows === 1 || rowStride === cols) view.set(data.subarray(offset, offset + rows * cols), at);
    else for (let i = 0; i < rows; i++) view.set(data.subarray(offset + i * rowStride, offset + i * rowStride + cols), at + i * cols);
    return { ld: cols, columnMajor: false };
  }
  if (rows === 1 || rowStride === 1) {
    if (colStride === rows) view.set(data.subarray(offset, offset + rows * cols), at);
    else for (let j = 0; j < cols; j++) view.set(data.subarray(offset + j * colStride, offset + j * colStride + rows), at + j * rows);
    return { ld: rows, columnMajor: true };
  }
  for (let i = 0, o = at; i < rows; i++) {
    for (let j = 0, s = offset + i * rowStride; j < cols; j++, s += colStride) view[o++] = data[s];
  }
  return { ld: cols, columnMajor: false };
}

/**
 * Tile sizes that give every thread several units (tiles of `items` separate products) to claim;
 * they never change the values.
 */
export function tileShape(mPad: number, nPad: number, threads: number, items = 1): { tileRows: number; tileCols: number } {
  let tileRows = Math.min(mPad, 64);
  let tileCols = Math.min(nPad, 256);
  const count = () => items * Math.ceil(mPad / tileRows) * Math.ceil(nPad / tileCols);
  while (count() < 4 * threads && (tileCols > 4 * NR || tileRows > 4 * MR)) {
    if (tileCols > 4 * NR && tileCols >= tileRows) tileCols = Math.ceil(tileCols / 2 / NR) * NR;
    else tileRows = Math.ceil(tileRows / 2 / MR) * MR;
  }
  return { tileRows, tileCols };
}

/** Where wasmGemm puts its result. */
export interface GemmOutput {
  /** Row stride of C in elements (default n: a contiguous m×n block). */
  ldc?: number;
  /** Add A·B to C instead of overwriting it (default false). */
  accumulate?: boolean;
}

/**
 * Writes A·B (A is m×k, B is k×n, any strides) into the m×n block of `c` at `cOffset` with row
 * stride `ldc`, or adds it there with `accumulate`, like the reference gemm of kernels/matmul.ts
 * but in float32 with WebAssembly SIMD. Transposed operands (Aᵀ·B, A·Bᵀ) are read in place.
 * Each element of A·B is the float32 sum of its k products taken in order (with relaxed SIMD
 * every step is a fused multiply-add); accumulate then adds it to C in float32.
 * Throws if isWasmAvailable() is false.
 */
export function wasmGemm(
  m: number,
  n: number,
  k: number,
  a: F32Matrix,
  b: F32Matrix,
  c: Float32Array,
  cOffset: number,
  output: GemmOutput = {},
): void {
  const runtime = getRuntime();
  if (runtime === null) throw new Error("wasmGemm: WebAssembly SIMD is not available in this runtime");
  if (m === 0 || n === 0) return;
  const { ldc = n, accumulate = false } = output;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return;
  }
  runGemm(runtime, { m, n, k, a, b, c, cOffset, ldc, accumulate }, getNumThreads());
}

/** One gemm call: C[cOffset + i·ldc + j] (+)= Σ_p A[i,p]·B[p,j]. */
export interface GemmCall {
  m: number;
  n: number;
  k: number;
  a: F32Matrix;
  b: F32Matrix;
  c: Float32Array;
  cOffset: number;
  ldc: number;
  accumulate: boolean;
}

/** wasmGemm on an explicit runtime and thread count, for k > 0 (tests use it to compare variants). */
export function runGemm(runtime: Runtime, call: GemmCall, threads: number, callerJoins = true): void {
  if (call.m === 1) {
    runGemv(runtime, call);
    return;
  }
  const { m, n, k, a, b } = call;
  const mPad = Math.ceil(m / MR) * MR;
  const nPad = Math.ceil(n / NR) * NR;
  // 1. lay out [control | A | B | packed A | packed B | C] and copy the operands in
  const aAt = CONTROL_BYTES;
  const bAt = aAt + align64(4 * m * k);
  const aPack = bAt + align64(4 * k * n);
  const bPack = aPack + align64(4 * mPad * k);
  const cAt = bPack + align64(4 * nPad * k);
  const view = runtime.reserve(cAt + 4 * mPad * nPad, "wasmGemm");
  const aLayout = copyIn(view, aAt / 4, a, m, k);
  const bLayout = copyIn(view, bAt / 4, b, k, n);
  // 2. pack A into MR-row strips and B into NR-column strips, both in KC-deep panels; then
  // 3. compute the tiles of C; both on the pool when the problem is worth it
  const pool = 2 * m * n * k >= THREAD_MIN_FLOPS ? threadPool(runtime, threads) : undefined;
  const pack: PackJob = {
    aDst: aPack, aSrc: aAt, aLd: aLayout.ld, aTranspose: aLayout.columnMajor ? 0 : 1, m,
    bDst: bPack, bSrc: bAt, bLd: bLayout.ld, bTranspose: bLayout.columnMajor ? 1 : 0, n, k,
  };
  // NOTE: below POOL_PACK_MIN a separate packing job costs more than it saves; a product of up to
  // PACK_IN_UNITS_MAX_ROWS rows on the pool is then one row of tiles that pack their own columns
  // of B, so no unit waits for packing it does not need
  const small = m * k + k * n < POOL_PACK_MIN;
  if (pool !== undefined && small && mPad <= PACK_IN_UNITS_MAX_ROWS) {
    runtime.fn(pack.aTranspose ? "pack_a_transpose" : "pack_a_copy")(aPack, aAt, aLayout.ld, k, m);
    const tileCols = Math.max(NR, Math.floor(nPad / (4 * pool.size) / NR) * NR);
    const job: Record<(typeof GEMM_PACK_UNIT_FIELDS)[number], number> = {
      aPack, bPack, c: cAt, ldc: nPad, k, mPad, nPad, tileCols, bSrc: bAt, bLd: bLayout.ld, bTranspose: pack.bTranspose, n,
    };
    const fields = GEMM_PACK_UNIT_FIELDS.map((f) => job[f]);
    runUnits(runtime, pool, { kernel: "gemm_pack_unit", units: Math.ceil(nPad / tileCols), fields }, callerJoins);
  } else {
    if (pool !== undefined && !small) packOnPool(pack, pool, callerJoins);
    else packHere(runtime, pack);
    const shape = tileShape(mPad, nPad, pool?.size ?? 1);
    const job: GemmJob = { aPack, bPack, c: cAt, ldc: nPad, k, mPad, nPad, ...shape, batch: 1, aStep: 0, bStep: 0, cStep: 0, reduce: 0 };
    runJob(runtime, job, pool, callerJoins);
  }
  copyOut(view, cAt / 4, nPad, call);
}

/**
 * A one-row product (one input through a linear layer): gemv_rows or gemv_columns reads B where
 * it was copied, since packing it would cost more than the product, on this thread (the product
 * is bound by reading B once). Same values as the tiled path: in-order float32 sums.
 */
function runGemv(runtime: Runtime, call: GemmCall): void {
  const { n, k, a, b } = call;
  const xAt = CONTROL_BYTES;
  const bAt = xAt + align64(4 * k);
  // the kernels compute whole blocks of outputs, reading up to a block of rows or columns past B
  const block = Math.max(GEMV_ROWS_BLOCK, GEMV_COLUMNS_BLOCK);
  const yAt = bAt + align64(4 * (k * n + block * Math.max(k, n)));
  const width = Math.ceil(n / block) * block;
  const view = runtime.reserve(yAt + 4 * width, "wasmGemm");
  copyIn(view, xAt / 4, a, 1, k);
  const layout = copyIn(view, bAt / 4, b, k, n);
  runtime.fn(layout.columnMajor ? "gemv_columns" : "gemv_rows")(xAt, bAt, yAt, k, n, layout.ld);
  copyOut(view, yAt / 4, width, call);
}

/**
 * Operands of at least this many elements (A and B together) are packed on the pool. NOTE:
 * below it (128³: 32k elements, ~4 µs of packing) a job's publish and join cost about what
 * the second thread saves.
 */
const POOL_PACK_MIN = 2 ** 16;

/** Products with at most this many (padded) rows run as one row of tiles that pack their own B. */
const PACK_IN_UNITS_MAX_ROWS = 128;

/** Where and how pack_unit packs A and B; the A/B `transpose` flags name the source layouts as the pack kernels do. */
type PackJob = Omit<Record<(typeof PACK_UNIT_FIELDS)[number], number>, "aGroups" | "aPer" | "bGroups" | "bPer">;

/** Packs both operands on this thread. */
function packHere(runtime: Runtime, p: PackJob): void {
  runtime.fn(p.aTranspose ? "pack_a_transpose" : "pack_a_copy")(p.aDst, p.aSrc, p.aLd, p.k, p.m);
  runtime.fn(p.bTranspose ? "pack_b_transpose" : "pack_b_copy")(p.bDst, p.bSrc, p.bLd, p.k, p.n);
}

/**
 * Packs both operands on the pool: every KC panel of each is cut into groups of strips, about
 * four pieces per thread in all, shared between A and B in proportion to their sizes.
 */
function packOnPool(p: PackJob, pool: ThreadPool, callerJoins: boolean): void {
  const panels = Math.ceil(p.k / KC);
  const pieces = 4 * pool.size;
  const cut = (x: number, width: number, share: number) => {
    const strips = Math.ceil(x / width);
    const per = Math.ceil(strips / Math.max(1, Math.round((pieces * share) / panels)));
    return { groups: Math.ceil(strips / per), per };
  };
  const a = cut(p.m, MR, p.m / (p.m + p.n));
  const b = cut(p.n, NR, p.n / (p.m + p.n));
  const job: Record<(typeof PACK_UNIT_FIELDS)[number], number> = { ...p, aGroups: a.groups, aPer: a.per, bGroups: b.groups, bPer: b.per };
  pool.runUnits({ kernel: "pack_unit", units: panels * (a.groups + b.groups), fields: PACK_UNIT_FIELDS.map((f) => job[f]) }, callerJoins);
}

/** Writes (or adds) the m×n result at view[from …] (row stride nPad) into C. */
function copyOut(view: Float32Array, from: number, nPad: number, { m, n, c, cOffset, ldc, accumulate }: GemmCall): void {
  if (!accumulate && n === nPad && ldc === n) {
    c.set(view.subarray(from, from + m * n), cOffset);
    return;
  }
  for (let i = 0; i < m; i++) {
    const src = from + i * nPad;
    const dst = cOffset + i * ldc;
    if (accumulate) for (let j = 0; j < n; j++) c[dst + j] += view[src + j];
    else c.set(view.subarray(src, src + n), dst);
  }
}

/** One gemm_unit job (see GEMM_UNIT_FIELDS in gemm-code.ts). */
export type GemmJob = Record<(typeof GEMM_UNIT_FIELDS)[number], number>;

/** The number of units a job is cut into: tiles of C, times the items unless they are reduced. */
export function tileCount(job: GemmJob): number {
  const tiles = Math.ceil(job.mPad / job.tileRows) * Math.ceil(job.nPad / job.tileCols);
  return job.reduce ? tiles : tiles * job.batch;
}

/** Runs every unit of `job`, on the pool when given, else on this thread. */
export function runJob(runtime: Runtime, job: GemmJob, pool: ThreadPool | undefined, callerJoins = true): void {
  runUnits(runtime, pool, { kernel: "gemm_unit", units: tileCount(job), fields: GEMM_UNIT_FIELDS.map((f) => job[f]) }, callerJoins);
}
