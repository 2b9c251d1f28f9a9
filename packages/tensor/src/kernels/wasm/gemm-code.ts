// The gemm kernels in WebAssembly, written with emitter.ts: an MR x NR register-tiled f32x4
// micro-kernel over operands packed into strips (pack-code.ts), the tiles and units of work the
// thread pool runs, and one-row products. The TypeScript driver that calls them is gemm.ts.

import {
  type Code,
  FunctionBuilder,
  type Local,
  type ModuleBuilder,
  add,
  block,
  brIf,
  call,
  divU,
  f32Load,
  forRange,
  geS,
  get,
  i32,
  ifThen,
  inc,
  load,
  loadSplat,
  loop,
  ltS,
  mul,
  ne,
  or,
  remU,
  replaceLane,
  relaxedMadd,
  select,
  set,
  store,
  sub,
  transpose4x4,
  vadd,
  vmul,
  zero,
} from "./emitter.js";
import { KC, MR, NR, addPacking } from "./pack-code.js";

export { KC, MR, NR } from "./pack-code.js";

/**
 * Adds the gemm functions to `mod`. Exports (all pointers are byte addresses, sizes in elements):
 * - `pack_a_copy`/`pack_a_transpose`(dst, src, ld, k, m): pack A into MR-row strips from a
 *   column-major (element (i,p) at p·ld+i) or row-major (i·ld+p) source;
 * - `pack_b_copy`/`pack_b_transpose`(dst, src, ld, k, n): pack B into NR-column strips from a
 *   row-major (p·ld+j) or column-major (j·ld+p) source;
 * - `pack_unit`(t, id, …PACK_UNIT_FIELDS): one piece of packing A and B, a unit of work for the
 *   thread pool (see packUnit);
 * - `gemm_unit`(t, id, …GEMM_UNIT_FIELDS): unit t of a tiled gemm job, a unit of work for the
 *   thread pool (see gemmUnit);
 * - `gemm_tile`(aPack, bPack, c, ldc, k, mPad, nPad, i0, i1, j0, j1, acc): C[i0:i1, j0:j1] = A·B,
 *   or += with acc = 1;
 * - `gemv_rows`/`gemv_columns`(x, b, y, k, n, ld): a one-row product y = x·B read from a row-major
 *   or column-major B in place (see gemvRows).
 */
export function addGemm(mod: ModuleBuilder, relaxed: boolean): GemmIndices {
  const { packs, part } = addPacking(mod);
  const micro = mod.add(...microKernel(relaxed), false);
  const tileIndex = mod.add(...tile(micro));
  mod.add(...gemmUnit(tileIndex));
  mod.add(...gemmPackUnit(part, tileIndex));
  mod.add(...gemvRows(relaxed));
  mod.add(...gemvColumns(relaxed));
  return { packATranspose: packs[1], tile: tileIndex };
}

/** Function indices of the gemm kernels that other kernels of the module call. */
export interface GemmIndices {
  packATranspose: number;
  tile: number;
}

/** The multiply-add of the micro-kernel: fused with relaxed SIMD, else a rounded multiply then add. */
function multiplyAdd(relaxed: boolean): (x: Code, y: Code, z: Code) => Code {
  return (x, y, z) => (relaxed ? relaxedMadd(x, y, z) : vadd(z, vmul(x, y)));
}

/** Outputs per block of gemv_rows (8 vectors) and of gemv_columns (4 vectors). */
export const GEMV_ROWS_BLOCK = 32;
export const GEMV_COLUMNS_BLOCK = 16;

/**
 * gemv_rows(x, b, y, k, n, ld): y[j] = Σ_p x[p]·B[p, j] with B[p, j] at b[p·ld + j] (row-major),
 * for j in whole blocks of GEMV_ROWS_BLOCK (lanes past n read past B's rows and are scratch).
 * Every y[j] is the float32 sum of its k products in order p = 0, 1, …, k-1 with the micro-
 * kernel's multiply-add, so a one-row product equals that row of any larger product; B is read
 * in place, without packing (which a single row of A cannot repay).
 */
function gemvRows(relaxed: boolean): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemv_rows", Array<"i32">(6).fill("i32"));
  const [x, b, y, k, n, ld] = f.params;
  const madd = multiplyAdd(relaxed);
  const acc = Array.from({ length: GEMV_ROWS_BLOCK / 4 }, () => f.local("v128"));
  const xv = f.local("v128");
  const [j, p, row] = [f.local("i32"), f.local("i32"), f.local("i32")];
  const body = forRange(j, i32(0), get(n), i32(GEMV_ROWS_BLOCK),
    acc.map((v) => set(v, zero())),
    set(row, add(get(b), mul(get(j), i32(4)))),
    forRange(p, i32(0), get(k), i32(1),
      set(xv, loadSplat(add(get(x), mul(get(p), i32(4))))),
      acc.map((v, g) => set(v, madd(get(xv), load(get(row), 16 * g), get(v)))),
      inc(row, mul(get(ld), i32(4)))),
    acc.map((v, g) => store(add(get(y), mul(get(j), i32(4))), get(v), 16 * g)),
  );
  return [f, body];
}

/**
 * gemv_columns(x, b, y, k, n, ld): gemv_rows for a column-major B, B[p, j] at b[j·ld + p] (a
 * linear layer's weight read as Wᵀ): four rows of B at a time go through 4x4 in-register
 * transposes, so each lane still sums its products in order p = 0, 1, …; j runs in whole blocks
 * of GEMV_COLUMNS_BLOCK (rows past n are read past B and give scratch lanes).
 */
function gemvColumns(relaxed: boolean): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemv_columns", Array<"i32">(6).fill("i32"));
  const [x, b, y, k, n, ld] = f.params;
  const madd = multiplyAdd(relaxed);
  const groups = GEMV_COLUMNS_BLOCK / 4;
  const acc = Array.from({ length: groups }, () => f.local("v128"));
  const r = [0, 1, 2, 3].map(() => f.local("v128"));
  const u = [0, 1, 2, 3].map(() => f.local("v128"));
  const [j, p, base, ldBytes] = [f.local("i32"), f.local("i32"), f.local("i32"), f.local("i32")];
  // element (p, row j + q) of the block's group g, at base + ((4g + q)·ld + p)·4
  const at = (g: number, q: number, pOffset: Code): Code => add(add(get(base), mul(i32(4 * g + q), get(ldBytes))), pOffset);
  const xAt = (s: number): Code => loadSplat(add(get(x), mul(get(p), i32(4))), 4 * s);
  const transposed = transpose4x4(r, u);
  const fourSteps = (g: number): Code => [
    r.map((rq, q) => set(rq, load(at(g, q, mul(get(p), i32(4)))))),
    transposed.setup,
    transposed.columns.map((column, s) => set(acc[g], madd(xAt(s), column, get(acc[g])))),
  ];
  // the last k mod 4 steps: each lane's element loaded on its own
  const oneStep = (g: number): Code => {
    let v: Code = zero();
    for (let q = 0; q < 4; q++) v = replaceLane(v, q, f32Load(at(g, q, mul(get(p), i32(4)))));
    return set(acc[g], madd(xAt(0), v, get(acc[g])));
  };
  const body: Code = [
    set(ldBytes, mul(get(ld), i32(4))),
    forRange(j, i32(0), get(n), i32(GEMV_COLUMNS_BLOCK),
      acc.map((v) => set(v, zero())),
      set(base, add(get(b), mul(get(j), get(ldBytes)))),
      set(p, i32(0)),
      block(brIf(0, ltS(get(k), i32(4))), loop(
        Array.from({ length: groups }, (_, g) => fourSteps(g)),
        inc(p, i32(4)),
        brIf(0, geS(get(k), add(get(p), i32(4)))))),
      block(brIf(0, geS(get(p), get(k))), loop(
        Array.from({ length: groups }, (_, g) => oneStep(g)),
        inc(p, i32(1)),
        brIf(0, ltS(get(p), get(k))))),
      acc.map((v, g) => store(add(get(y), mul(get(j), i32(4))), get(v), 16 * g))),
  ];
  return [f, body];
}

/**
 * micro(a, b, c, kc, ldcBytes, accumulate): the MR x NR block of C at c (row stride ldcBytes)
 * becomes (accumulate ? C : 0) + Σ_p a[p]ᵀ·b[p] over packed strips a (kc x MR) and b (kc x NR).
 * Each C element is a float32 running sum taken in order p = 0, 1, …, kc-1.
 */
function microKernel(relaxed: boolean): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("micro", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [a, b, c, kc, ldc, accumulate] = f.params;
  const groups = NR / 4;
  const acc = Array.from({ length: MR }, () => Array.from({ length: groups }, () => f.local("v128")));
  const bv = Array.from({ length: groups }, () => f.local("v128"));
  const av = f.local("v128");
  const row = f.local("i32");
  const eachRow = (fn: (r: number) => Code): Code =>
    Array.from({ length: MR }, (_, r) => [fn(r), inc(row, get(ldc))]);
  const madd = multiplyAdd(relaxed);
  // one step of p: C += a[p]ᵀ·b[p]
  const step = (): Code => [
    bv.map((v, g) => set(v, load(get(b), 16 * g))),
    acc.map((accRow, r) => [
      set(av, loadSplat(get(a), 4 * r)),
      accRow.map((v, g) => set(v, madd(get(av), get(bv[g]), get(v)))),
    ]),
  ];
  const body: Code = [
    set(row, get(c)),
    ifThen(get(accumulate),
      eachRow((r) => acc[r].map((v, g) => set(v, load(get(row), 16 * g)))),
      acc.flat().map((v) => set(v, zero()))),
    loop(
      step(),
      inc(a, i32(4 * MR)),
      inc(b, i32(4 * NR)),
      set(kc, sub(get(kc), i32(1))),
      brIf(0, ne(get(kc), i32(0))),
    ),
    set(row, get(c)),
    eachRow((r) => acc[r].map((v, g) => store(get(row), get(v), 16 * g))),
  ];
  return [f, body];
}

/**
 * gemm_tile(aPack, bPack, c, ldc, k, mPad, nPad, i0, i1, j0, j1, acc): computes rows [i0, i1) and
 * columns [j0, j1) of C (row stride ldc) from the packed operands, adding them to C when acc is
 * 1; i0, i1 are multiples of MR (or mPad) and j0, j1 multiples of NR (or nPad).
 */
function tile(micro: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemm_tile", Array<"i32">(12).fill("i32"));
  const [aPack, bPack, c, ldc, k, mPad, nPad, i0, i1, j0, j1, acc] = f.params;
  const [pc, kc, aPanel, bStrip, jr, ir] = [0, 0, 0, 0, 0, 0].map(() => f.local("i32"));
  const body = forRange(pc, i32(0), get(k), i32(KC),
    set(kc, sub(get(k), get(pc))),
    ifThen(geS(get(kc), i32(KC)), set(kc, i32(KC))),
    set(aPanel, add(get(aPack), mul(mul(get(pc), get(mPad)), i32(4)))),
    forRange(jr, get(j0), get(j1), i32(NR),
      set(bStrip, add(get(bPack), mul(add(mul(get(pc), get(nPad)), mul(get(jr), get(kc))), i32(4)))),
      forRange(ir, get(i0), get(i1), i32(MR),
        call(micro,
          add(get(aPanel), mul(mul(get(ir), get(kc)), i32(4))),
          get(bStrip),
          add(get(c), mul(add(mul(get(ir), get(ldc)), get(jr)), i32(4))),
          get(kc),
          mul(get(ldc), i32(4)),
          or(get(acc), ne(get(pc), i32(0)))))),
  );
  return [f, body];
}

/**
 * The fields of a gemm_unit job, in order: one gemm over packed operands, cut into tileRows x
 * tileCols tiles of C, or a batch of them. Item b reads its packed operands at aPack + b·aStep
 * and bPack + b·bStep and writes C at c + b·cStep. With `reduce` 1 (and cStep 0) the items'
 * products are summed into one C, each tile adding the items in order b = 0, 1, …; otherwise
 * every (item, tile) is a unit of work.
 */
export const GEMM_UNIT_FIELDS = [
  "aPack", "bPack", "c", "ldc", "k", "mPad", "nPad", "tileRows", "tileCols", "batch", "aStep", "bStep", "cStep", "reduce",
] as const;

/**
 * gemm_unit(t, id, …GEMM_UNIT_FIELDS): computes unit t, tiles numbered row by row of tiles (and
 * item by item unless reduced), by calling gemm_tile once per item it covers.
 */
function gemmUnit(tileFn: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemm_unit", Array<"i32">(2 + GEMM_UNIT_FIELDS.length).fill("i32"));
  const [t, , aPack, bPack, c, ldc, k, mPad, nPad, tileRows, tileCols, batch, aStep, bStep, cStep, reduce] = f.params;
  const [colTiles, tiles, first, last, u, i0, i1, j0, j1, b] = Array.from({ length: 10 }, () => f.local("i32"));
  const ceilDiv = (x: Code, y: Code): Code => divU(sub(add(x, y), i32(1)), y);
  const min = (x: Local, y: Local): Code => select(get(x), get(y), ltS(get(x), get(y)));
  const body: Code = [
    set(colTiles, ceilDiv(get(nPad), get(tileCols))),
    set(tiles, mul(ceilDiv(get(mPad), get(tileRows)), get(colTiles))),
    set(first, select(i32(0), divU(get(t), get(tiles)), get(reduce))),
    set(last, select(get(batch), add(get(first), i32(1)), get(reduce))),
    set(u, remU(get(t), get(tiles))),
    set(i0, mul(divU(get(u), get(colTiles)), get(tileRows))),
    set(j0, mul(remU(get(u), get(colTiles)), get(tileCols))),
    set(i1, add(get(i0), get(tileRows))),
    set(i1, min(i1, mPad)),
    set(j1, add(get(j0), get(tileCols))),
    set(j1, min(j1, nPad)),
    forRange(b, get(first), get(last), i32(1),
      call(tileFn,
        add(get(aPack), mul(get(b), get(aStep))),
        add(get(bPack), mul(get(b), get(bStep))),
        add(get(c), mul(get(b), get(cStep))),
        get(ldc), get(k), get(mPad), get(nPad), get(i0), get(i1), get(j0), get(j1),
        ne(get(b), get(first)))),
  ];
  return [f, body];
}

/**
 * The fields of a gemm_pack_unit job: one gemm whose tiles span all of C's rows, where each unit
 * packs the columns of B it multiplies (from bSrc, row stride bLd, bTranspose as for pack_part)
 * before computing its tile; A is packed beforehand.
 */
export const GEMM_PACK_UNIT_FIELDS = [
  "aPack", "bPack", "c", "ldc", "k", "mPad", "nPad", "tileCols", "bSrc", "bLd", "bTranspose", "n",
] as const;

/**
 * gemm_pack_unit(t, id, …GEMM_PACK_UNIT_FIELDS): packs strips [t·per, t·per + per) of B (per =
 * tileCols / NR) in every KC panel, exactly where the whole pack puts them, then computes
 * columns [t·tileCols, (t+1)·tileCols) of C over all mPad rows. No other unit reads those strips,
 * so the units need no barrier between packing and multiplying.
 */
function gemmPackUnit(part: number, tileFn: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemm_pack_unit", Array<"i32">(2 + GEMM_PACK_UNIT_FIELDS.length).fill("i32"));
  const [t, , aPack, bPack, c, ldc, k, mPad, nPad, tileCols, bSrc, bLd, bT, n] = f.params;
  const [groups, per, panel, j1] = Array.from({ length: 4 }, () => f.local("i32"));
  const body: Code = [
    set(per, divU(get(tileCols), i32(NR))),
    set(groups, divU(sub(add(get(nPad), get(tileCols)), i32(1)), get(tileCols))),
    forRange(panel, i32(0), divU(add(get(k), i32(KC - 1)), i32(KC)), i32(1),
      call(part, add(mul(get(panel), get(groups)), get(t)), get(bPack), get(bSrc), get(bLd), get(bT), get(n), get(k), get(groups), get(per), i32(1))),
    set(j1, mul(add(get(t), i32(1)), get(tileCols))),
    ifThen(ltS(get(nPad), get(j1)), set(j1, get(nPad))),
    call(tileFn, get(aPack), get(bPack), get(c), get(ldc), get(k), get(mPad), get(nPad), i32(0), get(mPad), mul(get(t), get(tileCols)), get(j1), i32(0)),
  ];
  return [f, body];
}
